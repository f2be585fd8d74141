package dev.groupcache.agent.annotations;

import java.lang.reflect.Method;
import javax.cache.CacheException;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CachePut;

/**
 * {@code @CachePut}: puts the {@code @CacheValue} argument under the key, after the body returns
 * (or throws an exception that {@code cacheFor}/{@code noCacheFor} select), or before the body with
 * {@code afterInvocation = false}. A null value removes the key instead, since a cache holds no
 * nulls and the old value would be stale.
 */
final class PutMethod extends CachedMethod {
  private final boolean afterInvocation;
  private final ExceptionFilter cacheFor;

  private PutMethod(MethodDetails<CachePut> details, CacheDefaults defaults) {
    super(details, resolverFactory(details.getCacheAnnotation().cacheResolverFactory(), defaults),
        keyGenerator(details.getCacheAnnotation().cacheKeyGenerator(), defaults));
    if (valuePosition < 0) {
      throw new CacheException(
          details.getMethod() + " is annotated with @CachePut but has no @CacheValue parameter");
    }
    CachePut annotation = details.getCacheAnnotation();
    this.afterInvocation = annotation.afterInvocation();
    this.cacheFor = new ExceptionFilter(annotation.cacheFor(), annotation.noCacheFor(), false);
  }

  static PutMethod of(Method method, CachePut annotation, CacheDefaults defaults) {
    return new PutMethod(new MethodDetails<>(method, annotation, annotation.cacheName(), defaults), defaults);
  }

  @Override
  void before(Invocation invocation) {
    invocation.key = key(invocation);
    invocation.cache = cache(invocation);
    if (!afterInvocation) {
      put(invocation);
    }
  }

  @Override
  void after(Invocation invocation, Object returned, Throwable thrown) {
    if (afterInvocation && (thrown == null || cacheFor.matches(thrown))) {
      put(invocation);
    }
  }

  private void put(Invocation invocation) {
    Object value = invocation.arguments[valuePosition];
    if (value == null) {
      invocation.cache.remove(invocation.key);
    } else {
      invocation.cache.put(invocation.key, value);
    }
  }
}
