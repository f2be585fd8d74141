package dev.groupcache.agent.annotations;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.StringJoiner;
import javax.cache.annotation.CacheDefaults;
import javax.cache.annotation.CacheMethodDetails;

/** What is fixed about an annotated method: the method, its annotations, its cache's name. */
final class MethodDetails<A extends Annotation> implements CacheMethodDetails<A> {
  private final Method method;
  private final Set<Annotation> annotations;
  private final A cacheAnnotation;
  private final String cacheName;

  /**
   * @param cacheName the annotation's {@code cacheName}, empty if not set
   * @param defaults the declaring class's defaults, or null
   */
  MethodDetails(Method method, A cacheAnnotation, String cacheName, CacheDefaults defaults) {
    this.method = method;
    this.annotations = immutableSet(method.getAnnotations());
    this.cacheAnnotation = cacheAnnotation;
    if (cacheName.isEmpty() && defaults != null) {
      cacheName = defaults.cacheName();
    }
    this.cacheName = cacheName.isEmpty() ? defaultCacheName(method) : cacheName;
  }

  /**
   * The name JSR-107 gives a method's cache when neither the annotation nor {@link CacheDefaults}
   * names one: {@code package.Class.method(package.ParameterType,int)}, with {@link Class#getName()}
   * names as the reference implementation spells them.
   */
  static String defaultCacheName(Method method) {
    StringJoiner name =
        new StringJoiner(",", method.getDeclaringClass().getName() + "." + method.getName() + "(", ")");
    for (Class<?> type : method.getParameterTypes()) {
      name.add(type.getName());
    }
    return name.toString();
  }

  static Set<Annotation> immutableSet(Annotation[] annotations) {
    return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(annotations)));
  }

  @Override
  public Method getMethod() {
    return method;
  }

  @Override
  public Set<Annotation> getAnnotations() {
    return annotations;
  }

  @Override
  public A getCacheAnnotation() {
    return cacheAnnotation;
  }

  @Override
  public String getCacheName() {
    return cacheName;
  }

  @Override
  public String toString() {
    return method.toGenericString() + " -> cache " + cacheName;
  }
}
