package dev.groupcache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Caffeine cache of byte views bounded by their weight in bytes: key length plus value length
 * plus {@link GroupConfig#ENTRY_OVERHEAD_BYTES}.
 *
 * <p>Values are held as their bare arrays and wrapped again when read: a view is 24 bytes of heap
 * per entry, 2% of a 1 KiB entry, and a cache of a given budget holds that many more entries. The
 * wrapper a read allocates is short-lived and often not allocated at all once the read is inlined.
 *
 * <p>Caffeine's maintenance (eviction, buffer draining) runs on the calling thread: handing it to a
 * pool would wake a parked thread, which costs more than the work itself. A writer also finishes
 * the maintenance its write needs before returning: Caffeine alone may let writes queue up while
 * another thread holds the eviction lock, so under contention the cache could hold a few hundred
 * entries too many. With it, the cache exceeds its budget by at most the entries being written at
 * that moment, one per writing thread. Writes follow loads and fetches, so this costs nothing
 * that shows.
 */
final class ByteCache {
  private final Cache<ByteView, byte[]> cache;
  private final long maxBytes;
  private final LongAdder evictions = new LongAdder();

  ByteCache(long maxBytes) {
    this.maxBytes = maxBytes;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher(ByteCache::weigh)
        .executor(Runnable::run)
        .evictionListener((k, v, cause) -> {
          if (cause.wasEvicted()) {
            evictions.increment();
          }
        })
        .build();
  }

  static int weigh(ByteView key, byte[] value) {
    return key.length() + value.length + GroupConfig.ENTRY_OVERHEAD_BYTES;
  }

  ByteView get(ByteView key) {
    byte[] value = cache.getIfPresent(key);
    return value != null ? ByteView.wrap(value) : null;
  }

  /** Stores the entry unless it alone is heavier than the whole cache. */
  void put(ByteView key, ByteView value) {
    byte[] bytes = value.array();
    if (weigh(key, bytes) <= maxBytes) {
      cache.put(key, bytes);
      cache.cleanUp();
    }
  }

  void remove(ByteView key) {
    cache.invalidate(key);
  }

  /** Approximate; the budget is upheld after each write's maintenance. */
  long bytes() {
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  long entries() {
    return cache.estimatedSize();
  }

  long evictions() {
    return evictions.sum();
  }

  long maxBytes() {
    return maxBytes;
  }

  CacheStats stats() {
    cache.cleanUp();
    return new CacheStats(bytes(), entries(), evictions(), maxBytes);
  }
}
