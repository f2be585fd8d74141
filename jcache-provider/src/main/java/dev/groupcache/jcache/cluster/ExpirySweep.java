package dev.groupcache.jcache.cluster;

import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * The reclaiming of expired entries nobody touches, for a store that expires entries itself rather
 * than through Caffeine (whose expiry costs every read or write a timer-wheel step): a pass over
 * the store's map spread over the node's timer ticks, a budget of entries per tick. A store none
 * of whose entries expire costs nothing: a pass that finds none stops the passes until the store
 * keeps one that does.
 *
 * @param <V> the store's entry, whose expiry time is a ticker reading or {@link Long#MAX_VALUE}
 */
final class ExpirySweep<K, V> {
  private final Map<K, V> entries;
  private final ToLongFunction<V> expiresAt;
  /** Whether an entry may expire: false once a pass found none, set again by the next. */
  private volatile boolean mayExpire;
  /** The pass under way, continued on the next tick; confined to the node's timer. */
  private Iterator<Map.Entry<K, V>> pass;

  ExpirySweep(Map<K, V> entries, ToLongFunction<V> expiresAt) {
    this.entries = entries;
    this.expiresAt = expiresAt;
  }

  /** The store keeps an entry that expires at {@code at} (a ticker reading, or MAX for never). */
  void kept(long at) {
    if (at != Long.MAX_VALUE && !mayExpire) {
      mayExpire = true;
    }
  }

  /**
   * Looks at up to {@code budget} entries, going on from where the last call stopped, and gives
   * each one expired at {@code now} to {@code expired}. Called by one thread at a time.
   */
  void sweep(int budget, long now, BiConsumer<K, V> expired) {
    if (pass == null) {
      if (!mayExpire) {
        return;
      }
      mayExpire = false; // a pass that sees an entry that expires, or a keep of one, sets it again
      pass = entries.entrySet().iterator();
    }
    for (int seen = 0; seen < budget && pass.hasNext(); seen++) {
      Map.Entry<K, V> e = pass.next();
      long at = expiresAt.applyAsLong(e.getValue());
      if (at == Long.MAX_VALUE) {
        continue;
      }
      if (now - at >= 0) {
        expired.accept(e.getKey(), e.getValue());
      } else {
        mayExpire = true;
      }
    }
    if (!pass.hasNext()) {
      pass = null;
    }
  }
}
