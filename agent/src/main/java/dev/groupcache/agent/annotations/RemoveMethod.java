package dev.groupcache.agent.annotations;

import java.lang.reflect.Method;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheRemove;

/**
 * {@code @CacheRemove}: removes the key, after the body returns (or throws an exception that
 * {@code evictFor}/{@code noEvictFor} select), or before the body with {@code afterInvocation =
 * false}.
 */
final class RemoveMethod extends OperationMethod {
  RemoveMethod(Method method, CacheRemove annotation, CacheDefaults defaults) {
    super(new MethodDetails<>(method, annotation, annotation.cacheName(), defaults),
        resolverFactory(annotation.cacheResolverFactory(), defaults),
        keyGenerator(annotation.cacheKeyGenerator(), defaults), true, annotation.afterInvocation(),
        new ExceptionFilter(annotation.evictFor(), annotation.noEvictFor(), false));
  }

  @Override
  void operate(Invocation invocation) {
    invocation.cache.remove(invocation.key);
  }
}
