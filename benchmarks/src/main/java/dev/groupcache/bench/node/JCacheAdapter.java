package dev.groupcache.bench.node;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.cache.Cache;

/** A JSR-107 cache of String keys and byte[] values (1 KiB, or W6's 100 bytes) seen as a {@link BenchCache}. */
final class JCacheAdapter implements BenchCache<String> {
  private final Cache<String, byte[]> cache;
  private final Function<String, String> owner;
  private final Supplier<Map<String, Long>> stats;

  JCacheAdapter(Cache<String, byte[]> cache, Function<String, String> owner,
      Supplier<Map<String, Long>> stats) {
    this.cache = cache;
    this.owner = owner;
    this.stats = stats;
  }

  @Override
  public String key(String key) {
    return key;
  }

  @Override
  public int get(String key) {
    byte[] value = cache.get(key);
    if (value == null) {
      throw new IllegalStateException("no value for " + key + " in " + cache.getName());
    }
    return value[0];
  }

  @Override
  public void preload(String key, String keyText) {
    cache.put(key, Values.of(keyText));
  }

  @Override
  public void put(String key, byte[] value) {
    cache.put(key, value);
  }

  @Override
  public boolean replace(String key, byte[] value) {
    return cache.replace(key, value);
  }

  @Override
  public void putAll(Map<String, byte[]> entries) {
    cache.putAll(entries);
  }

  @Override
  public void removeAll(Set<String> keys) {
    cache.removeAll(keys);
  }

  @Override
  public String owner(String key) {
    return owner.apply(key);
  }

  @Override
  public Map<String, Long> stats() {
    return stats.get();
  }
}
