package dev.groupcache.agent.annotations;

import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CacheResolverFactory;

/**
 * {@code @CachePut}, {@code @CacheRemove} and {@code @CacheRemoveAll}: one cache operation, after
 * the body returns (or throws an exception that the annotation's {@code cacheFor}/{@code
 * noCacheFor} or {@code evictFor}/{@code noEvictFor} select), or before the body with {@code
 * afterInvocation = false}.
 */
abstract class OperationMethod extends CachedMethod {
  /** Whether the operation has a key: all but {@code @CacheRemoveAll}'s. */
  private final boolean keyed;
  private final boolean afterInvocation;
  /** The body's exceptions after which the operation still happens. */
  private final ExceptionFilter despite;

  /** @param keyGenerator null for the default key, or when the operation has none */
  OperationMethod(MethodDetails<?> details, CacheResolverFactory resolverFactory, CacheKeyGenerator keyGenerator,
      boolean keyed, boolean afterInvocation, ExceptionFilter despite) {
    super(details, resolverFactory, keyGenerator);
    this.keyed = keyed;
    this.afterInvocation = afterInvocation;
    this.despite = despite;
  }

  /** The operation, on the key and the cache that {@link #before} left in the invocation. */
  abstract void operate(Invocation invocation);

  @Override
  final void before(Invocation invocation) {
    if (keyed) {
      invocation.key = key(invocation);
    }
    invocation.cache = cache(invocation);
    if (!afterInvocation) {
      operate(invocation);
    }
  }

  @Override
  final void after(Invocation invocation, Object returned, Throwable thrown) {
    if (afterInvocation && (thrown == null || despite.matches(thrown))) {
      operate(invocation);
    }
  }
}
