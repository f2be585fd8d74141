package dev.groupcache.agent.annotations;

import java.lang.reflect.Method;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheRemoveAll;

/**
 * {@code @CacheRemoveAll}: removes every entry of the cache, after the body returns (or throws an
 * exception that {@code evictFor}/{@code noEvictFor} select), or before the body with {@code
 * afterInvocation = false}. Has no key, so no key generator.
 */
final class RemoveAllMethod extends CachedMethod {
  private final boolean afterInvocation;
  private final ExceptionFilter evictFor;

  private RemoveAllMethod(MethodDetails<CacheRemoveAll> details, CacheDefaults defaults) {
    super(details, resolverFactory(details.getCacheAnnotation().cacheResolverFactory(), defaults), null);
    CacheRemoveAll annotation = details.getCacheAnnotation();
    this.afterInvocation = annotation.afterInvocation();
    this.evictFor = new ExceptionFilter(annotation.evictFor(), annotation.noEvictFor(), false);
  }

  static RemoveAllMethod of(Method method, CacheRemoveAll annotation, CacheDefaults defaults) {
    return new RemoveAllMethod(
        new MethodDetails<>(method, annotation, annotation.cacheName(), defaults), defaults);
  }

  @Override
  void before(Invocation invocation) {
    invocation.cache = cache(invocation);
    if (!afterInvocation) {
      invocation.cache.removeAll();
    }
  }

  @Override
  void after(Invocation invocation, Object returned, Throwable thrown) {
    if (afterInvocation && (thrown == null || evictFor.matches(thrown))) {
      invocation.cache.removeAll();
    }
  }
}
