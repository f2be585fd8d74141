package dev.groupcache.agent.annotations;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.annotation.CacheInvocationParameter;
import javax.cache.annotation.CacheKeyInvocationContext;

/**
 * One call of an annotated method, from before its body to after it: what key generators and
 * cache resolvers are shown, and what the woven code carries from its entry to its exit. Confined
 * to the calling thread.
 */
final class Invocation implements CacheKeyInvocationContext<Annotation> {
  final CachedMethod method;
  private final Object target;
  final Object[] arguments;

  /** The key, once {@link CachedMethod#before} has worked it out; unused by {@code @CacheRemoveAll}. */
  Object key;
  /** The cache, once {@link CachedMethod#before} has resolved it. */
  Cache<Object, Object> cache;
  /** For {@code @CacheResult}: the value found in the cache, which the body is skipped for. */
  Object cached;

  Invocation(CachedMethod method, Object target, Object[] arguments) {
    this.method = method;
    this.target = target;
    this.arguments = arguments;
  }

  @Override
  public Object getTarget() {
    return target;
  }

  @Override
  public CacheInvocationParameter[] getAllParameters() {
    return method.allParameters(arguments);
  }

  @Override
  public CacheInvocationParameter[] getKeyParameters() {
    return method.keyParameters(arguments);
  }

  @Override
  public CacheInvocationParameter getValueParameter() {
    return method instanceof PutMethod ? method.parameter(method.valuePosition, arguments) : null;
  }

  @Override
  public <T> T unwrap(Class<T> cls) {
    if (cls.isInstance(this)) {
      return cls.cast(this);
    }
    throw new IllegalArgumentException("A cache invocation context cannot be unwrapped to " + cls.getName());
  }

  @Override
  public Method getMethod() {
    return method.details.getMethod();
  }

  @Override
  public Set<Annotation> getAnnotations() {
    return method.details.getAnnotations();
  }

  @Override
  public Annotation getCacheAnnotation() {
    return method.details.getCacheAnnotation();
  }

  @Override
  public String getCacheName() {
    return method.details.getCacheName();
  }

  @Override
  public String toString() {
    return "Invocation[" + method.details + "]";
  }
}
