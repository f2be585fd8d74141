package dev.groupcache.jcache.integration;

import java.util.Collection;
import javax.cache.Cache;
import javax.cache.integration.CacheWriter;

/**
 * The writer of a cache that does not write through: it does nothing, and takes every entry of a
 * batch as written, so that the cache stores them all.
 */
public enum DisabledCacheWriter implements CacheWriter<Object, Object> {
  INSTANCE;

  @Override
  public void write(Cache.Entry<?, ?> entry) {}

  @Override
  public void writeAll(Collection<Cache.Entry<?, ?>> entries) {
    entries.clear();
  }

  @Override
  public void delete(Object key) {}

  @Override
  public void deleteAll(Collection<?> keys) {
    keys.clear();
  }
}
