package dev.groupcache.bench.node;

import javax.cache.configuration.Factory;
import javax.cache.integration.CacheLoader;

/**
 * Makes {@link SleepingCacheLoader}s for Hazelcast, which ships a cache's configuration, this
 * factory included, to every member by serialization and builds the loader on each.
 */
public final class SleepingLoaderFactory implements Factory<CacheLoader<String, byte[]>> {
  private static final long serialVersionUID = 1L;

  private final long latencyMillis;

  public SleepingLoaderFactory(long latencyMillis) {
    this.latencyMillis = latencyMillis;
  }

  @Override
  public CacheLoader<String, byte[]> create() {
    return new SleepingCacheLoader(latencyMillis);
  }
}
