package dev.groupcache.jcache.expiry;

import java.util.Set;
import java.util.function.Supplier;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;

/**
 * A cache's expiry policy, asked only what an operation needs and turned into the wire's
 * milliseconds: {@value #UNCHANGED} leaves an entry's expiry as it is, 0 expires it, and
 * {@link Long#MAX_VALUE} means never.
 *
 * <p>A policy of one of the standard classes answers without side effects, so operations may ask
 * it ahead, for both a creation and an update, and save a round trip to the owner. Any other
 * policy is asked exactly once, and only the question that applies, as JSR-107 requires.
 */
public final class Ttl {
  public static final long UNCHANGED = -1;
  static final long ETERNAL = Long.MAX_VALUE;

  private static final Set<Class<?>> PURE = Set.of(EternalExpiryPolicy.class, CreatedExpiryPolicy.class,
      AccessedExpiryPolicy.class, ModifiedExpiryPolicy.class, TouchedExpiryPolicy.class);

  private final ExpiryPolicy policy;
  private final boolean pure;
  // a standard policy's answers never change: asked once, here, rather than by every operation
  private final long creation;
  private final long update;
  private final long access;

  public Ttl(ExpiryPolicy policy) {
    this.policy = policy;
    this.pure = PURE.contains(policy.getClass());
    this.creation = pure ? askCreation() : UNCHANGED;
    this.update = pure ? ask(policy::getExpiryForUpdate) : UNCHANGED;
    this.access = pure ? ask(policy::getExpiryForAccess) : UNCHANGED;
  }

  /** Whether the policy may be asked ahead of time. */
  public boolean pure() {
    return pure;
  }

  /** For a new entry; a policy that fails or answers null means never. */
  public long creation() {
    return pure ? creation : askCreation();
  }

  /** For an updated entry; a policy that fails or answers null leaves the expiry unchanged. */
  public long update() {
    return pure ? update : ask(policy::getExpiryForUpdate);
  }

  /** For an entry read; a policy that fails or answers null leaves the expiry unchanged. */
  public long access() {
    return pure ? access : ask(policy::getExpiryForAccess);
  }

  private long askCreation() {
    long ttl = ask(policy::getExpiryForCreation);
    return ttl == UNCHANGED ? ETERNAL : ttl;
  }

  private static long ask(Supplier<Duration> question) {
    Duration d;
    try {
      d = question.get();
    } catch (RuntimeException e) {
      return UNCHANGED;
    }
    if (d == null) {
      return UNCHANGED;
    }
    if (d.isEternal()) {
      return ETERNAL;
    }
    if (d.isZero()) {
      return 0;
    }
    return Math.max(1, d.getTimeUnit().toMillis(d.getDurationAmount()));
  }
}
