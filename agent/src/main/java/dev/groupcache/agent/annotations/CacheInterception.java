package dev.groupcache.agent.annotations;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.cache.CacheException;

/**
 * What the code woven into methods annotated with {@code @CacheResult}, {@code @CachePut},
 * {@code @CacheRemove} or {@code @CacheRemoveAll} calls: for woven code only, not an API.
 *
 * <p>Woven code calls {@link #enter} before the method's body; for {@code @CacheResult}, if {@link
 * #cached} then returns a value, it skips the body and returns that value instead; otherwise it
 * runs the body and calls {@link #exit} with the body's outcome, which it then returns or throws
 * unchanged.
 *
 * <p>What a method's annotations mean is worked out on its first call and kept: later calls cost a
 * map lookup, the key and the cache operations themselves.
 */
public final class CacheInterception {
  private static final System.Logger LOG = System.getLogger(CacheInterception.class.getName());

  /** Per class, its annotated methods that have been called, by name and descriptor. */
  private static final ClassValue<Map<String, CachedMethod>> METHODS = new ClassValue<>() {
    @Override
    protected Map<String, CachedMethod> computeValue(Class<?> type) {
      return new ConcurrentHashMap<>();
    }
  };

  private CacheInterception() {}

  /**
   * Called before the body of an annotated method: computes the key, resolves the cache, and does
   * what comes before the body (for {@code @CacheResult} the lookups, for the others their
   * operation if {@code afterInvocation = false}).
   *
   * @param type the class that declares the method
   * @param method the method's name followed by its descriptor, such as {@code
   *     find(Ljava/lang/String;I)Ljava/lang/Object;}
   * @param target the instance called, null for a static method
   * @param arguments the arguments, boxed, in an array that is not changed afterwards
   * @return the invocation, to hand to {@link #cached} and {@link #exit}
   * @throws Throwable for {@code @CacheResult}, an exception found in its exception cache; or a
   *     failure of the cache or the annotations' configuration
   */
  public static Object enter(Class<?> type, String method, Object target, Object[] arguments) throws Throwable {
    CachedMethod m = cachedMethod(type, method);
    Invocation invocation = new Invocation(m, target, arguments);
    m.before(invocation);
    return invocation;
  }

  /**
   * For {@code @CacheResult}: the value {@link #enter} found in the cache, to return instead of
   * running the body; null if the body must run.
   */
  public static Object cached(Object invocation) {
    return ((Invocation) invocation).cached;
  }

  /**
   * Called after the body of an annotated method ran, unless {@link #cached} returned a value: does
   * what comes after the body. A failure of the cache after the body threw is logged, not thrown,
   * so that the body's exception is what the caller sees.
   *
   * @param returned what the body returned, boxed; null for a void method or if it threw
   * @param thrown what the body threw, or null
   */
  public static void exit(Object invocation, Object returned, Throwable thrown) {
    Invocation i = (Invocation) invocation;
    if (thrown == null) {
      i.method.after(i, returned, null);
      return;
    }
    try {
      i.method.after(i, null, thrown);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "The cache operation of " + i.getMethod() + " after it threw " + thrown
          + " failed; the method's exception is thrown", e);
    }
  }

  private static CachedMethod cachedMethod(Class<?> type, String method) {
    Map<String, CachedMethod> methods = METHODS.get(type);
    CachedMethod m = methods.get(method);
    return m != null ? m : create(type, method, methods);
  }

  /**
   * Works out a method on its first call, once: under a lock of its class, since it may create the
   * configured key generator, resolver factory and resolvers, which JSR-107 asks for once per
   * method. Not under the map's own lock, which such user code could call back into.
   */
  private static CachedMethod create(Class<?> type, String method, Map<String, CachedMethod> methods) {
    synchronized (methods) {
      CachedMethod m = methods.get(method);
      if (m == null) {
        m = CachedMethod.of(declaredMethod(type, method));
        methods.put(method, m);
      }
      return m;
    }
  }

  private static Method declaredMethod(Class<?> type, String nameAndDescriptor) {
    for (Method m : type.getDeclaredMethods()) {
      if (nameAndDescriptor.startsWith(m.getName())
          && nameAndDescriptor.equals(m.getName() + MethodType.methodType(m.getReturnType(), m.getParameterTypes())
              .toMethodDescriptorString())) {
        return m;
      }
    }
    throw new CacheException("No method " + nameAndDescriptor + " in " + type.getName());
  }
}
