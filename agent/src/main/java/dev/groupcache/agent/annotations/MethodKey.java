package dev.groupcache.agent.annotations;

import java.util.Arrays;
import javax.cache.annotation.GeneratedCacheKey;

/**
 * The key of an annotated method's call when no {@link javax.cache.annotation.CacheKeyGenerator}
 * is configured: the values of its key parameters, in order, compared with {@link
 * Arrays#deepEquals} as JSR-107 requires. The method itself is not part of the key, so methods
 * that share a cache share entries for equal parameters.
 *
 * <p>Immutable as long as the parameter values are not changed.
 */
public final class MethodKey implements GeneratedCacheKey {
  private static final long serialVersionUID = 1L;

  private final Object[] parameters;

  /** Takes ownership of {@code parameters}: the caller must not change the array afterwards. */
  MethodKey(Object[] parameters) {
    this.parameters = parameters;
  }

  /** A key of these parameter values (copied). */
  public static MethodKey of(Object... parameters) {
    return new MethodKey(parameters.clone());
  }

  /** The parameter values, in order: a copy of the array, sharing the values. */
  public Object[] parameters() {
    return parameters.clone();
  }

  /** How many parameter values the key has. */
  public int size() {
    return parameters.length;
  }

  /** The parameter value at {@code position}, counted from 0 in the key's order. */
  public Object parameter(int position) {
    return parameters[position];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MethodKey k && Arrays.deepEquals(parameters, k.parameters);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(parameters);
  }

  @Override
  public String toString() {
    return "MethodKey" + Arrays.deepToString(parameters);
  }
}
