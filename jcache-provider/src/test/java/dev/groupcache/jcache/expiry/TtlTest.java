package dev.groupcache.jcache.expiry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import org.junit.jupiter.api.Test;

/** An expiry policy turned into the wire's milliseconds, asked ahead only when it is a standard one. */
class TtlTest {
  private static final long UNCHANGED = Ttl.UNCHANGED;
  private static final long ETERNAL = Long.MAX_VALUE;
  private static final Duration FIVE_SECONDS = new Duration(TimeUnit.SECONDS, 5);

  /** A policy of the application's own: counts every question and answers what it is told to. */
  static final class CountingPolicy implements ExpiryPolicy {
    int creations;
    int updates;
    int accesses;
    private final Supplier<Duration> creation;
    private final Supplier<Duration> update;
    private final Supplier<Duration> access;

    CountingPolicy(Supplier<Duration> creation, Supplier<Duration> update, Supplier<Duration> access) {
      this.creation = creation;
      this.update = update;
      this.access = access;
    }

    static CountingPolicy answering(Duration d) {
      return new CountingPolicy(() -> d, () -> d, () -> d);
    }

    @Override
    public Duration getExpiryForCreation() {
      creations++;
      return creation.get();
    }

    @Override
    public Duration getExpiryForUpdate() {
      updates++;
      return update.get();
    }

    @Override
    public Duration getExpiryForAccess() {
      accesses++;
      return access.get();
    }
  }

  private static void assertAnswers(long creation, long update, long access, Ttl ttl) {
    assertEquals(List.of(creation, update, access), List.of(ttl.creation(), ttl.update(), ttl.access()));
  }

  @Test
  void theStandardPoliciesArePureAndAnswerWhatJsr107Defines() {
    Ttl eternal = new Ttl(new EternalExpiryPolicy());
    Ttl created = new Ttl(new CreatedExpiryPolicy(FIVE_SECONDS));
    Ttl accessed = new Ttl(new AccessedExpiryPolicy(FIVE_SECONDS));
    Ttl modified = new Ttl(new ModifiedExpiryPolicy(FIVE_SECONDS));
    Ttl touched = new Ttl(new TouchedExpiryPolicy(FIVE_SECONDS));

    for (Ttl ttl : List.of(eternal, created, accessed, modified, touched)) {
      assertTrue(ttl.pure());
    }
    assertAnswers(ETERNAL, UNCHANGED, UNCHANGED, eternal);
    assertAnswers(5_000, UNCHANGED, UNCHANGED, created);
    assertAnswers(5_000, UNCHANGED, 5_000, accessed);
    assertAnswers(5_000, 5_000, UNCHANGED, modified);
    assertAnswers(5_000, 5_000, 5_000, touched);
  }

  @Test
  void aPolicyDelegatingToAStandardOneIsNotPureAndIsAskedEveryTime() {
    ExpiryPolicy standard = new CreatedExpiryPolicy(FIVE_SECONDS);
    CountingPolicy delegating = new CountingPolicy(standard::getExpiryForCreation, standard::getExpiryForUpdate,
        standard::getExpiryForAccess);
    Ttl ttl = new Ttl(delegating);

    assertFalse(ttl.pure(), "only the standard classes themselves are known to be free of side effects");
    assertEquals(0, delegating.creations, "not asked ahead");
    assertEquals(5_000, ttl.creation());
    assertEquals(5_000, ttl.creation());
    assertEquals(2, delegating.creations);
    assertEquals(0, delegating.updates + delegating.accesses);
  }

  @Test
  void anApplicationPolicyIsAskedOnEveryCallAndOnlyTheQuestionThatApplies() {
    CountingPolicy policy = CountingPolicy.answering(FIVE_SECONDS);
    Ttl ttl = new Ttl(policy);

    assertFalse(ttl.pure());
    assertEquals(List.of(0, 0, 0), List.of(policy.creations, policy.updates, policy.accesses), "nothing asked ahead");
    assertEquals(5_000, ttl.update());
    assertEquals(5_000, ttl.update());
    assertEquals(List.of(0, 2, 0), List.of(policy.creations, policy.updates, policy.accesses));
    assertEquals(5_000, ttl.creation());
    assertEquals(List.of(1, 2, 0), List.of(policy.creations, policy.updates, policy.accesses));
    assertEquals(5_000, ttl.access());
    assertEquals(List.of(1, 2, 1), List.of(policy.creations, policy.updates, policy.accesses));
  }

  @Test
  void aPolicyThatThrowsMakesANewEntryEternalAndLeavesOthersUnchanged() {
    Supplier<Duration> fails = () -> {
      throw new IllegalStateException("policy broken");
    };
    CountingPolicy policy = new CountingPolicy(fails, fails, fails);
    Ttl ttl = new Ttl(policy);

    assertAnswers(ETERNAL, UNCHANGED, UNCHANGED, ttl);
    assertEquals(List.of(1, 1, 1), List.of(policy.creations, policy.updates, policy.accesses));
  }

  @Test
  void aPolicyThatAnswersNullMakesANewEntryEternalAndLeavesOthersUnchanged() {
    assertAnswers(ETERNAL, UNCHANGED, UNCHANGED, new Ttl(CountingPolicy.answering(null)));
    assertAnswers(ETERNAL, UNCHANGED, UNCHANGED, new Ttl(new CreatedExpiryPolicy(null)));
  }

  @Test
  void zeroExpiresAndEternalNeverDoesForEveryQuestion() {
    assertAnswers(0, 0, 0, new Ttl(CountingPolicy.answering(Duration.ZERO)));
    assertAnswers(0, 0, 0, new Ttl(new TouchedExpiryPolicy(Duration.ZERO)));
    assertAnswers(0, 0, 0, new Ttl(CountingPolicy.answering(new Duration(TimeUnit.HOURS, 0))));
    assertAnswers(ETERNAL, ETERNAL, ETERNAL, new Ttl(CountingPolicy.answering(Duration.ETERNAL)));
    assertAnswers(ETERNAL, ETERNAL, ETERNAL, new Ttl(new TouchedExpiryPolicy(Duration.ETERNAL)));
  }

  /** A duration in a unit below milliseconds: the API's constructor refuses one, a subclass can still answer it. */
  private static Duration fine(TimeUnit unit, long amount) {
    return new Duration(TimeUnit.MILLISECONDS, 1) {
      @Override
      public TimeUnit getTimeUnit() {
        return unit;
      }

      @Override
      public long getDurationAmount() {
        return amount;
      }
    };
  }

  @Test
  void aSubMillisecondDurationRoundsUpToOneMillisecondInsteadOfExpiring() {
    assertAnswers(1, 1, 1, new Ttl(CountingPolicy.answering(fine(TimeUnit.NANOSECONDS, 1))));
    assertAnswers(1, 1, 1, new Ttl(CountingPolicy.answering(fine(TimeUnit.MICROSECONDS, 999))));
    assertAnswers(1, 1, 1, new Ttl(new TouchedExpiryPolicy(fine(TimeUnit.MICROSECONDS, 1))));
    assertAnswers(2, 2, 2, new Ttl(CountingPolicy.answering(fine(TimeUnit.MICROSECONDS, 2_000))));
  }

  @Test
  void aWholeDurationBecomesItsMilliseconds() {
    assertAnswers(1, 1, 1, new Ttl(CountingPolicy.answering(new Duration(TimeUnit.MILLISECONDS, 1))));
    assertAnswers(90_000, 90_000, 90_000, new Ttl(CountingPolicy.answering(new Duration(TimeUnit.SECONDS, 90))));
    assertAnswers(86_400_000, 86_400_000, 86_400_000, new Ttl(new TouchedExpiryPolicy(Duration.ONE_DAY)));
  }

  @Test
  void aDurationTooLongForMillisecondsSaturatesToEternal() {
    Ttl ttl = new Ttl(CountingPolicy.answering(new Duration(TimeUnit.DAYS, Long.MAX_VALUE / 2)));

    assertAnswers(ETERNAL, ETERNAL, ETERNAL, ttl);
  }
}
