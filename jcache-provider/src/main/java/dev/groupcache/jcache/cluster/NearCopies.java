package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's copies of other owners' entries of one cache, within the cache's hot share.
 *
 * <p>A copy lives at most {@code nearTtl}, and never past its entry's remaining life at the owner,
 * both counted from when its read was sent. It is served only while this node's {@link CopyLease}
 * from the owner that answered runs, in the term it was kept in, and while that member still owns
 * the key. Owners drop it before they acknowledge a change, or wait until that lease has run out
 * (see {@link ChangeDelivery}). A copy read from an
 * owner is kept only if no change of that key reached this node after the read was sent;
 * otherwise the read could reinstate a value the change had just dropped. That check and the
 * keeping are one atomic step on the key, which a drop of the key cannot split: a drop either
 * comes first and is seen, or comes after and removes the copy before the change is acknowledged.
 * A clear works by generation instead: a copy read before the last clear is never served.
 */
public final class NearCopies {
  /**
   * A copy of another owner's entry; {@code readAt} is the change counter when its read was sent,
   * which a later clear makes too old to serve. Served under {@code lease} in {@code term}; a copy
   * with no lease was loaded here while its owner was unavailable, and is served only while it is.
   */
  private record Near(ByteView value, long expiresAt, long readAt, CopyLease lease, long term) {}

  /** Runs between the check and the keeping of a copy; tests make a drop land there. */
  public interface KeepHook {
    KeepHook NONE = key -> {};

    void checked(ByteView key);
  }

  private final Cache<ByteView, Near> near;
  private final Cache<ByteView, Long> droppedAt; // key -> change counter when its copy was dropped
  private final Ticker ticker;
  private final long nearTtl;
  private final AtomicLong changes = new AtomicLong();
  /** Reads whose answers may be kept, in flight: only while there are some must a drop be remembered. */
  private final AtomicInteger reading = new AtomicInteger();
  private volatile long clearedAt;
  private volatile KeepHook keepHook = KeepHook.NONE;

  /**
   * @param readTimeout how long a read may be in flight: drops are remembered a little longer
   * @param ticker the clock copies expire by
   */
  NearCopies(long nearBytes, Duration nearTtl, Duration readTimeout, Ticker ticker) {
    this.ticker = ticker;
    this.nearTtl = nearTtl.toNanos();
    this.near = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(Runnable::run) // maintenance on the caller: a hand-off to another thread costs a wake-up
        .maximumWeight(nearBytes)
        .weigher((ByteView k, Near n) -> k.length() + n.value().length() + OwnerStore.ENTRY_OVERHEAD_BYTES)
        // Expiry after the longest life a copy can have rather than each copy's own: a per-entry
        // expiry records every read for Caffeine's timer wheel, several times the cost of the read.
        // A copy that ends sooner (its entry's expiry) is refused by get, and reclaimed with the rest.
        .expireAfterWrite(nearTtl)
        .build();
    this.droppedAt = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run)
        .expireAfterWrite(readTimeout.multipliedBy(2).plusSeconds(1)).build();
  }

  /** Copies in a budget of {@code nearBytes} for {@code nearTtl}; null if either is not positive. */
  static NearCopies of(long nearBytes, Duration nearTtl, Duration readTimeout, Ticker ticker) {
    return nearBytes <= 0 || nearTtl.toNanos() <= 0 ? null : new NearCopies(nearBytes, nearTtl, readTimeout, ticker);
  }

  /** Who owns a key now, as the copies need to know it. */
  interface Owners {
    /** The key's owner on this node's ring, or null if it is this node. */
    PeerAddress ownerElsewhere(ByteView key);

    boolean isAvailable(PeerAddress member);
  }

  /**
   * The copy of a key, or null: one its owner's lease lets this node serve now, or one loaded here
   * while its owner is still unavailable. The owner is looked up only when there is a copy.
   */
  ByteView get(ByteView key, Owners owners) {
    return get(key, null, owners);
  }

  /**
   * As {@link #get(ByteView, Owners)} for a caller that has looked the key's owner up already:
   * {@code owner}, another member; null to have it looked up, only if there is a copy.
   */
  ByteView get(ByteView key, PeerAddress owner, Owners owners) {
    Near n = near.getIfPresent(key);
    if (n == null || n.readAt() < clearedAt) {
      return null;
    }
    long now = ticker.read();
    if (now - n.expiresAt() >= 0) {
      return null;
    }
    if (owner == null && (owner = owners.ownerElsewhere(key)) == null) {
      return null; // a key that moved here is the store's
    }
    if (n.lease() == null) {
      return owners.isAvailable(owner) ? null : n.value();
    }
    return n.lease().owner().equals(owner) && n.lease().covers(n.term(), now) ? n.value() : null;
  }

  /**
   * Begins a read whose answer may be kept, and returns the change counter for {@link #keep} or
   * {@link #keepLoaded}; the caller ends it with {@link #endRead} once it kept the answer or not.
   * While any such read is in flight, drops remember the keys they dropped; with none, a write
   * costs no more than the removal of a copy. (A read that begins after a drop's check reads the
   * counter after the drop moved it, and so is not stopped by the drop's mark anyway.)
   */
  public long beginRead() {
    reading.incrementAndGet();
    return changes.get();
  }

  /** Ends a read begun with {@link #beginRead}, after its answer was kept or not. */
  public void endRead() {
    reading.decrementAndGet();
  }

  /**
   * Keeps a copy of what a read, sent at {@code sentAt} when the counter stood at {@code before},
   * returned under {@code lease} in {@code term}; unless a drop of the key or a clear has happened
   * since. The check runs inside the copies' atomic compute of the key, so a concurrent {@link
   * #drop} either is seen by it or removes the copy after it.
   */
  void keep(ByteView key, OwnerResponse r, long before, long sentAt, CopyLease lease, long term) {
    long life = r.getRemainingMillis() < 0 ? nearTtl : Math.min(nearTtl, TimeUnit.MILLISECONDS.toNanos(r.getRemainingMillis()));
    keep(key, ByteView.copyOf(r.getValue()), before, sentAt + life, lease, term);
    lease.kept(term, ticker.read());
  }

  /**
   * Keeps a value loaded here while its owner was unavailable, served only while it still is;
   * unless the key changed here since {@code before}.
   */
  void keepLoaded(ByteView key, ByteView value, long before) {
    keep(key, value, before, ticker.read() + nearTtl, null, 0);
  }

  private void keep(ByteView key, ByteView value, long before, long expiresAt, CopyLease lease, long term) {
    if (expiresAt - ticker.read() <= 0 || clearedAt > before) {
      return;
    }
    near.asMap().compute(key, (k, current) -> {
      Long dropped = droppedAt.getIfPresent(k);
      if (dropped != null && dropped > before) {
        return current;
      }
      keepHook.checked(k);
      return new Near(value, expiresAt, before, lease, term);
    });
  }

  /**
   * Forgets the copy of a key: an owner changed it. The mark comes first, so that a copy being
   * kept either sees it or is removed here after it was kept; it is made only while reads are in
   * flight (see {@link #beginRead}).
   */
  public void drop(ByteView key) {
    long change = changes.incrementAndGet();
    if (reading.get() > 0) {
      droppedAt.put(key, change);
    }
    near.invalidate(key);
  }

  /** Forgets every copy: those being kept now are never served, as they were read before this. */
  public void dropAll() {
    clearedAt = changes.incrementAndGet();
    near.invalidateAll();
  }

  /** Drops remembered now, for tests. */
  long rememberedDrops() {
    droppedAt.cleanUp();
    return droppedAt.estimatedSize();
  }

  /** Copies kept now, for tests. */
  long size() {
    return near.estimatedSize();
  }

  public void keepHook(KeepHook hook) {
    this.keepHook = hook;
  }
}
