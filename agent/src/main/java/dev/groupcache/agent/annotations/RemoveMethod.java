package dev.groupcache.agent.annotations;

import java.lang.reflect.Method;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheRemove;

/**
 * {@code @CacheRemove}: removes the key, after the body returns (or throws an exception that
 * {@code evictFor}/{@code noEvictFor} select), or before the body with {@code afterInvocation =
 * false}.
 */
final class RemoveMethod extends CachedMethod {
  private final boolean afterInvocation;
  private final ExceptionFilter evictFor;

  private RemoveMethod(MethodDetails<CacheRemove> details, CacheDefaults defaults) {
    super(details, resolverFactory(details.getCacheAnnotation().cacheResolverFactory(), defaults),
        keyGenerator(details.getCacheAnnotation().cacheKeyGenerator(), defaults));
    CacheRemove annotation = details.getCacheAnnotation();
    this.afterInvocation = annotation.afterInvocation();
    this.evictFor = new ExceptionFilter(annotation.evictFor(), annotation.noEvictFor(), false);
  }

  static RemoveMethod of(Method method, CacheRemove annotation, CacheDefaults defaults) {
    return new RemoveMethod(
        new MethodDetails<>(method, annotation, annotation.cacheName(), defaults), defaults);
  }

  @Override
  void before(Invocation invocation) {
    invocation.key = key(invocation);
    invocation.cache = cache(invocation);
    if (!afterInvocation) {
      invocation.cache.remove(invocation.key);
    }
  }

  @Override
  void after(Invocation invocation, Object returned, Throwable thrown) {
    if (afterInvocation && (thrown == null || evictFor.matches(thrown))) {
      invocation.cache.remove(invocation.key);
    }
  }
}
