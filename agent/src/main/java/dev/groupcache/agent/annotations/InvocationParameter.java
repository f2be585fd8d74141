package dev.groupcache.agent.annotations;

import java.lang.annotation.Annotation;
import java.util.Set;
import javax.cache.annotation.CacheInvocationParameter;

/** One argument of an annotated method's call, with its parameter's declared type and annotations. */
final class InvocationParameter implements CacheInvocationParameter {
  private final Class<?> rawType;
  private final Set<Annotation> annotations;
  private final int position;
  private final Object value;

  InvocationParameter(Class<?> rawType, Set<Annotation> annotations, int position, Object value) {
    this.rawType = rawType;
    this.annotations = annotations;
    this.position = position;
    this.value = value;
  }

  @Override
  public Class<?> getRawType() {
    return rawType;
  }

  @Override
  public Object getValue() {
    return value;
  }

  @Override
  public Set<Annotation> getAnnotations() {
    return annotations;
  }

  @Override
  public int getParameterPosition() {
    return position;
  }

  @Override
  public String toString() {
    return "parameter " + position + " (" + rawType.getName() + ") = " + value;
  }
}
