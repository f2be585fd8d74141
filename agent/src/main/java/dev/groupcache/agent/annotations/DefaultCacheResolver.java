package dev.groupcache.agent.annotations;

import java.lang.annotation.Annotation;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.annotation.CacheInvocationContext;
import javax.cache.annotation.CacheResolver;
import javax.cache.configuration.MutableConfiguration;

/**
 * Resolves one cache by name in the default cache manager, {@code
 * Caching.getCachingProvider().getCacheManager()}, creating it with a default {@link
 * MutableConfiguration} if it does not exist yet.
 *
 * <p>The cache is looked up on the first call only, not on the hot path; it is looked up again once
 * it is closed, as it is when its manager closes or it is destroyed.
 */
final class DefaultCacheResolver implements CacheResolver {
  private final String name;
  private volatile Cache<Object, Object> cache;

  DefaultCacheResolver(String name) {
    this.name = name;
  }

  @Override
  @SuppressWarnings("unchecked") // a cache of the default configuration holds any key and value
  public <K, V> Cache<K, V> resolveCache(CacheInvocationContext<? extends Annotation> context) {
    Cache<Object, Object> c = cache;
    if (c == null || c.isClosed()) {
      c = lookUp();
      cache = c;
    }
    return (Cache<K, V>) c;
  }

  private Cache<Object, Object> lookUp() {
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    Cache<Object, Object> c = manager.getCache(name);
    if (c != null) {
      return c;
    }
    try {
      return manager.createCache(name, new MutableConfiguration<>());
    } catch (CacheException e) {
      // another thread (another annotated method of the same cache) created it first
      c = manager.getCache(name);
      if (c == null) {
        throw e;
      }
      return c;
    }
  }

  @Override
  public String toString() {
    return "DefaultCacheResolver[" + name + "]";
  }
}
