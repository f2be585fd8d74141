package dev.groupcache.agent.annotations;

import java.lang.reflect.Method;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CachePut;

/**
 * {@code @CachePut}: puts the {@code @CacheValue} argument under the key, after the body returns
 * (or throws an exception that {@code cacheFor}/{@code noCacheFor} select), or before the body with
 * {@code afterInvocation = false}. A null value removes the key instead, since a cache holds no
 * nulls and the old value would be stale. The weaving ensured exactly one {@code @CacheValue}.
 */
final class PutMethod extends OperationMethod {
  PutMethod(Method method, CachePut annotation, CacheDefaults defaults) {
    super(new MethodDetails<>(method, annotation, annotation.cacheName(), defaults),
        resolverFactory(annotation.cacheResolverFactory(), defaults),
        keyGenerator(annotation.cacheKeyGenerator(), defaults), true, annotation.afterInvocation(),
        new ExceptionFilter(annotation.cacheFor(), annotation.noCacheFor(), false));
  }

  @Override
  void operate(Invocation invocation) {
    Object value = invocation.arguments[valuePosition];
    if (value == null) {
      invocation.cache.remove(invocation.key);
    } else {
      invocation.cache.put(invocation.key, value);
    }
  }
}
