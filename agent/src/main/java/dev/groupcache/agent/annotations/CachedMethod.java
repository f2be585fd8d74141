package dev.groupcache.agent.annotations;

import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CacheKeyGenerator;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResolver;
import javax.cache.annotation.CacheResolverFactory;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import javax.cache.annotation.GeneratedCacheKey;

/**
 * One annotated method, worked out once on its first call: which parameters form the key, the key
 * generator, the cache resolver. Subclasses carry out their annotation's cache operations around
 * the method's body. Immutable and thread-safe.
 */
abstract class CachedMethod {
  final MethodDetails<?> details;
  private final Class<?>[] parameterTypes;
  private final List<Set<Annotation>> parameterAnnotations;
  /** The key parameters' positions; null when every parameter is one, the common case. */
  private final int[] keyPositions;
  /** The {@code @CacheValue} parameter's position, -1 if none. */
  final int valuePosition;
  /** Null for the default: a {@link MethodKey} of the key parameters. */
  private final CacheKeyGenerator keyGenerator;
  private final CacheResolver resolver;

  CachedMethod(MethodDetails<?> details, CacheResolverFactory resolverFactory, CacheKeyGenerator keyGenerator) {
    this.details = details;
    Method method = details.getMethod();
    this.parameterTypes = method.getParameterTypes();
    Annotation[][] annotations = method.getParameterAnnotations();
    this.parameterAnnotations = new ArrayList<>(annotations.length);
    List<Integer> keys = new ArrayList<>();
    int value = -1;
    for (int i = 0; i < annotations.length; i++) {
      parameterAnnotations.add(MethodDetails.immutableSet(annotations[i]));
      for (Annotation a : annotations[i]) {
        if (a instanceof CacheKey) {
          keys.add(i);
        } else if (a instanceof CacheValue) {
          value = i; // at most one: the weaving leaves other methods alone
        }
      }
    }
    this.valuePosition = value;
    if (keys.isEmpty()) {
      // no @CacheKey: every parameter but the @CacheValue one
      for (int i = 0; i < annotations.length; i++) {
        if (i != value) {
          keys.add(i);
        }
      }
    }
    this.keyPositions =
        keys.size() == annotations.length ? null : keys.stream().mapToInt(Integer::intValue).toArray();
    this.keyGenerator = keyGenerator;
    // JSR-107: the resolver is retrieved once per annotated method
    this.resolver = resolverFactory.getCacheResolver(details);
    if (resolver == null) {
      throw new CacheException(resolverFactory.getClass().getName() + " returned no CacheResolver for " + method);
    }
  }

  /**
   * The method's cache operations. The weaving ({@code AnnotationWeaving}) checked its annotations:
   * exactly one cache annotation, and the {@code @CacheValue} parameters it allows.
   *
   * @throws CacheException if a configured class cannot be created
   */
  static CachedMethod of(Method method) {
    CacheDefaults defaults = method.getDeclaringClass().getAnnotation(CacheDefaults.class);
    CacheResult result = method.getAnnotation(CacheResult.class);
    if (result != null) {
      return ResultMethod.of(method, result, defaults);
    }
    CachePut put = method.getAnnotation(CachePut.class);
    if (put != null) {
      return new PutMethod(method, put, defaults);
    }
    CacheRemove remove = method.getAnnotation(CacheRemove.class);
    if (remove != null) {
      return new RemoveMethod(method, remove, defaults);
    }
    CacheRemoveAll removeAll = method.getAnnotation(CacheRemoveAll.class);
    if (removeAll != null) {
      return new RemoveAllMethod(method, removeAll, defaults);
    }
    throw new CacheException(method + " carries none of the caching annotations");
  }

  /**
   * Before the method's body: works out what the invocation needs and does what comes before the
   * body.
   *
   * @throws Throwable an exception to throw instead of running the body
   */
  abstract void before(Invocation invocation) throws Throwable;

  /**
   * After the method's body.
   *
   * @param returned what the body returned, boxed; null for a void method or when it threw
   * @param thrown what the body threw, or null
   */
  abstract void after(Invocation invocation, Object returned, Throwable thrown);

  /** The invocation's key. */
  final Object key(Invocation invocation) {
    if (keyGenerator != null) {
      GeneratedCacheKey key = keyGenerator.generateCacheKey(invocation);
      if (key == null) {
        throw new CacheException(
            keyGenerator.getClass().getName() + " generated no key for " + details.getMethod());
      }
      return key;
    }
    Object[] arguments = invocation.arguments;
    if (keyPositions == null) {
      return new MethodKey(arguments); // the advice's own copy of the arguments, not changed later
    }
    Object[] values = new Object[keyPositions.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = arguments[keyPositions[i]];
    }
    return new MethodKey(values);
  }

  /** The invocation's cache. */
  final Cache<Object, Object> cache(Invocation invocation) {
    return resolve(resolver, invocation);
  }

  static Cache<Object, Object> resolve(CacheResolver resolver, Invocation invocation) {
    Cache<Object, Object> cache = resolver.resolveCache(invocation);
    if (cache == null) {
      throw new CacheException(resolver.getClass().getName() + " resolved no cache for "
          + invocation.getMethod());
    }
    return cache;
  }

  final InvocationParameter parameter(int position, Object[] arguments) {
    return new InvocationParameter(
        parameterTypes[position], parameterAnnotations.get(position), position, arguments[position]);
  }

  final InvocationParameter[] allParameters(Object[] arguments) {
    InvocationParameter[] all = new InvocationParameter[arguments.length];
    for (int i = 0; i < all.length; i++) {
      all[i] = parameter(i, arguments);
    }
    return all;
  }

  final InvocationParameter[] keyParameters(Object[] arguments) {
    if (keyPositions == null) {
      return allParameters(arguments);
    }
    InvocationParameter[] keys = new InvocationParameter[keyPositions.length];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = parameter(keyPositions[i], arguments);
    }
    return keys;
  }

  /** The resolver factory the annotation names, else the one {@link CacheDefaults} names, else ours. */
  static CacheResolverFactory resolverFactory(
      Class<? extends CacheResolverFactory> named, CacheDefaults defaults) {
    Class<? extends CacheResolverFactory> type = named;
    if (type == CacheResolverFactory.class && defaults != null) {
      type = defaults.cacheResolverFactory();
    }
    return type == CacheResolverFactory.class
        ? DefaultCacheResolverFactory.INSTANCE
        : instantiate(type, "cache resolver factory");
  }

  /**
   * The key generator the annotation names, else the one {@link CacheDefaults} names; null for the
   * default.
   */
  static CacheKeyGenerator keyGenerator(Class<? extends CacheKeyGenerator> named, CacheDefaults defaults) {
    Class<? extends CacheKeyGenerator> type = named;
    if (type == CacheKeyGenerator.class && defaults != null) {
      type = defaults.cacheKeyGenerator();
    }
    return type == CacheKeyGenerator.class ? null : instantiate(type, "cache key generator");
  }

  private static <T> T instantiate(Class<T> type, String role) {
    try {
      Constructor<T> constructor = type.getDeclaredConstructor();
      constructor.trySetAccessible();
      return constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new CacheException("The " + role + " " + type.getName() + " failed in its constructor", e.getCause());
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new CacheException("Cannot create the " + role + " " + type.getName()
          + ": it needs an accessible constructor without parameters", e);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + details + "]";
  }
}
