package dev.groupcache.bench.node;

import java.util.HashMap;
import java.util.Map;
import javax.cache.integration.CacheLoader;

/**
 * The JCache read-through loader: the same slow backing store as groupcache's loader, counting its
 * calls in {@link LoaderCalls} on the JVM where the system chose to run it.
 */
public class SleepingCacheLoader implements CacheLoader<String, byte[]> {
  private final long latencyMillis;

  public SleepingCacheLoader(long latencyMillis) {
    this.latencyMillis = latencyMillis;
  }

  @Override
  public byte[] load(String key) {
    LoaderCalls.increment();
    LoaderCalls.simulateLatency(latencyMillis);
    return Values.of(key);
  }

  @Override
  public Map<String, byte[]> loadAll(Iterable<? extends String> keys) {
    Map<String, byte[]> values = new HashMap<>();
    int n = 0;
    for (String key : keys) {
      if (++n > 1_000_000) {
        throw new IllegalArgumentException("too many keys for one loadAll");
      }
      values.put(key, load(key));
    }
    return values;
  }
}
