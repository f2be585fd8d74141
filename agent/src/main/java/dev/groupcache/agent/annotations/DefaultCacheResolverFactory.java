package dev.groupcache.agent.annotations;

import java.lang.annotation.Annotation;
import javax.cache.annotation.CacheMethodDetails;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;

/**
 * The resolvers used when neither the annotation nor {@link javax.cache.annotation.CacheDefaults}
 * names a {@link CacheResolverFactory}: each finds its cache by name in the default cache manager.
 */
final class DefaultCacheResolverFactory implements CacheResolverFactory {
  static final DefaultCacheResolverFactory INSTANCE = new DefaultCacheResolverFactory();

  private DefaultCacheResolverFactory() {}

  @Override
  public CacheResolver getCacheResolver(CacheMethodDetails<? extends Annotation> cacheMethodDetails) {
    return new DefaultCacheResolver(cacheMethodDetails.getCacheName());
  }

  @Override
  public CacheResolver getExceptionCacheResolver(CacheMethodDetails<CacheResult> cacheMethodDetails) {
    return new DefaultCacheResolver(cacheMethodDetails.getCacheAnnotation().exceptionCacheName());
  }
}
