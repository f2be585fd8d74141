package dev.groupcache.agent.annotations;

import java.lang.reflect.Method;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheRemoveAll;

/**
 * {@code @CacheRemoveAll}: removes every entry of the cache, after the body returns (or throws an
 * exception that {@code evictFor}/{@code noEvictFor} select), or before the body with {@code
 * afterInvocation = false}. Has no key, so no key generator.
 */
final class RemoveAllMethod extends OperationMethod {
  RemoveAllMethod(Method method, CacheRemoveAll annotation, CacheDefaults defaults) {
    super(new MethodDetails<>(method, annotation, annotation.cacheName(), defaults),
        resolverFactory(annotation.cacheResolverFactory(), defaults), null, false, annotation.afterInvocation(),
        new ExceptionFilter(annotation.evictFor(), annotation.noEvictFor(), false));
  }

  @Override
  void operate(Invocation invocation) {
    invocation.cache.removeAll();
  }
}
