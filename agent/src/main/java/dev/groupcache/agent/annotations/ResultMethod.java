package dev.groupcache.agent.annotations;

import java.lang.reflect.Method;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;

/**
 * {@code @CacheResult}: a value found under the key is returned without running the body;
 * otherwise the body's non-null result is put under the key. With an {@code exceptionCacheName},
 * an exception found there under the key is thrown without running the body, and the exceptions
 * the body throws are put there as {@code cachedExceptions}/{@code nonCachedExceptions} select.
 * {@code skipGet} skips both lookups.
 */
final class ResultMethod extends CachedMethod {
  private final boolean skipGet;
  /** Null when exceptions are not cached. */
  private final CacheResolver exceptionResolver;
  private final ExceptionFilter cachedExceptions;

  private ResultMethod(MethodDetails<CacheResult> details, CacheResolverFactory resolverFactory,
      CacheDefaults defaults) {
    super(details, resolverFactory, keyGenerator(details.getCacheAnnotation().cacheKeyGenerator(), defaults));
    CacheResult annotation = details.getCacheAnnotation();
    this.skipGet = annotation.skipGet();
    if (annotation.exceptionCacheName().isEmpty()) {
      this.exceptionResolver = null;
    } else {
      this.exceptionResolver = resolverFactory.getExceptionCacheResolver(details);
      if (exceptionResolver == null) {
        throw new CacheException(resolverFactory.getClass().getName()
            + " returned no exception CacheResolver for " + details.getMethod());
      }
    }
    this.cachedExceptions =
        new ExceptionFilter(annotation.cachedExceptions(), annotation.nonCachedExceptions(), true);
  }

  static ResultMethod of(Method method, CacheResult annotation, CacheDefaults defaults) {
    MethodDetails<CacheResult> details =
        new MethodDetails<>(method, annotation, annotation.cacheName(), defaults);
    return new ResultMethod(details, resolverFactory(annotation.cacheResolverFactory(), defaults), defaults);
  }

  @Override
  void before(Invocation invocation) throws Throwable {
    invocation.key = key(invocation);
    invocation.cache = cache(invocation);
    if (skipGet) {
      return;
    }
    Object value = invocation.cache.get(invocation.key);
    if (value != null) {
      invocation.cached = value;
      return;
    }
    if (exceptionResolver != null && exceptionCache(invocation).get(invocation.key) instanceof Throwable t) {
      throw t;
    }
  }

  @Override
  void after(Invocation invocation, Object returned, Throwable thrown) {
    if (thrown == null) {
      if (returned != null) { // JSR-107 caches no nulls: the next call runs the body again
        invocation.cache.put(invocation.key, returned);
      }
    } else if (exceptionResolver != null && cachedExceptions.matches(thrown)) {
      exceptionCache(invocation).put(invocation.key, thrown);
    }
  }

  private Cache<Object, Object> exceptionCache(Invocation invocation) {
    return resolve(exceptionResolver, invocation);
  }
}
