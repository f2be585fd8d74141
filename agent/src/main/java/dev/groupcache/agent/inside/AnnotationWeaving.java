package dev.groupcache.agent.inside;

import static net.bytebuddy.matcher.ElementMatchers.is;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.groupcache.agent.annotations.CacheInterception;
import java.lang.System.Logger.Level;
import java.lang.annotation.Annotation;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheRemove;
import javax.cache.annotation.CacheRemoveAll;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.annotation.AnnotationList;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.ParameterDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Weaves the JSR-107 caching annotations into the application's classes as they load: each method
 * annotated with {@code @CacheResult}, {@code @CachePut}, {@code @CacheRemove} or
 * {@code @CacheRemoveAll} gets its cache operations inlined around its body, as calls to {@link
 * CacheInterception}, which the application's class loader loads. The woven code refers to nothing
 * else: this class, like all of this package, lives in the agent's own class loader.
 *
 * <p>Classes that loaded before {@link #install} (when the agent attaches to a running JVM) are
 * retransformed if the JVM allows it, which it may since the advice adds no members. Methods that
 * cannot be woven as JSR-107 requires (two of the annotations on one method, {@code @CachePut}
 * without exactly one {@code @CacheValue} parameter, any method with more than one) are left as
 * they are, with a warning; so is a class whose loader cannot see {@link CacheInterception}.
 * Nothing here is ever thrown into the application.
 */
public final class AnnotationWeaving {
  private static final System.Logger LOG = System.getLogger(AnnotationWeaving.class.getName());

  private static final List<Class<? extends Annotation>> ANNOTATIONS =
      List.of(CacheResult.class, CachePut.class, CacheRemove.class, CacheRemoveAll.class);

  /** Packages never woven unless a prefix lies inside them: this project's own and ByteBuddy's. */
  private static final List<String> OWN_PACKAGES = List.of("dev.groupcache.", "net.bytebuddy.");

  private AnnotationWeaving() {}

  /**
   * Weaves the annotations into every class whose name starts with one of {@code packagePrefixes}
   * (such as {@code com.example.}): those that load from now on, and those already loaded if the
   * JVM can retransform them. Logs, rather than throws, any failure.
   */
  public static void install(Instrumentation instrumentation, List<String> packagePrefixes) {
    List<String> prefixes = List.copyOf(packagePrefixes);
    try {
      Advice result = Advice.to(ResultAdvice.class);
      Advice operation = Advice.to(OperationAdvice.class);
      new AgentBuilder.Default()
          // advice only: no members added, so classes that loaded before can be retransformed
          .disableClassFormatChanges()
          .with(instrumentation.isRetransformClassesSupported()
              ? AgentBuilder.RedefinitionStrategy.RETRANSFORMATION
              : AgentBuilder.RedefinitionStrategy.DISABLED)
          .with(new Listener())
          .type(inScope(prefixes).and(not(isInterface())).and(declaresAnnotatedMethod()))
          .transform((builder, type, loader, module, domain) -> weave(builder, type, loader, result, operation))
          .installOn(instrumentation);
    } catch (RuntimeException | LinkageError e) {
      LOG.log(Level.WARNING, "Could not install the weaving of the JSR-107 caching annotations; the"
          + " application runs without them", e);
      return;
    }
    LOG.log(Level.INFO, "Weaving the JSR-107 caching annotations into the classes under {0}", prefixes);
  }

  /**
   * The classes under a prefix, but in this project's and ByteBuddy's packages only if the prefix
   * itself lies inside them (as for this project's tests): a broad prefix must not weave the agent.
   */
  private static ElementMatcher.Junction<TypeDescription> inScope(List<String> prefixes) {
    return new ElementMatcher.Junction.AbstractBase<>() {
      @Override
      public boolean matches(TypeDescription type) {
        String name = type.getName();
        for (String prefix : prefixes) {
          if (name.startsWith(prefix)
              && OWN_PACKAGES.stream().noneMatch(p -> name.startsWith(p) && !prefix.startsWith(p))) {
            return true;
          }
        }
        return false;
      }

      @Override
      public String toString() {
        return "inScope" + prefixes;
      }
    };
  }

  private static ElementMatcher.Junction<TypeDescription> declaresAnnotatedMethod() {
    return new ElementMatcher.Junction.AbstractBase<>() {
      @Override
      public boolean matches(TypeDescription type) {
        for (MethodDescription m : type.getDeclaredMethods()) {
          if (!cacheAnnotations(m).isEmpty()) {
            return true;
          }
        }
        return false;
      }
    };
  }

  private static DynamicType.Builder<?> weave(DynamicType.Builder<?> builder, TypeDescription type,
      ClassLoader loader, Advice result, Advice operation) {
    if (!seesInterception(loader)) {
      LOG.log(Level.WARNING, "Not weaving the caching annotations into {0}: its class loader {1} does"
          + " not see {2} of the application''s class path", type.getName(), loader,
          CacheInterception.class.getName());
      return builder;
    }
    List<String> woven = new ArrayList<>();
    for (MethodDescription.InDefinedShape m : type.getDeclaredMethods()) {
      List<TypeDescription> annotations = cacheAnnotations(m);
      if (annotations.isEmpty()) {
        continue;
      }
      String problem = problem(m, annotations);
      if (problem != null) {
        LOG.log(Level.WARNING, "Not weaving the caching annotations into {0}: {1}", m, problem);
        continue;
      }
      boolean cacheResult = annotations.get(0).represents(CacheResult.class);
      builder = builder.visit((cacheResult ? result : operation).on(is(m)));
      woven.add(m.getName());
    }
    LOG.log(Level.DEBUG, "Weaving the caching annotations into {0}: {1}", type.getName(), woven);
    return builder;
  }

  /**
   * Why a method with cache annotations cannot be woven, or null: the one check of the rules the
   * run time ({@code CachedMethod}) relies on.
   */
  private static String problem(MethodDescription m, List<TypeDescription> annotations) {
    if (m.isAbstract() || m.isNative()) {
      return "it has no body";
    }
    if (m.isBridge() || m.isSynthetic()) {
      return "it is generated by the compiler"; // a bridge calls the method it bridges, woven itself
    }
    if (annotations.size() > 1) {
      return "it carries more than one of " + names();
    }
    int values = 0;
    for (ParameterDescription p : m.getParameters()) {
      if (p.getDeclaredAnnotations().isAnnotationPresent(CacheValue.class)) {
        values++;
      }
    }
    if (annotations.get(0).represents(CachePut.class) && values != 1) {
      return "@CachePut needs exactly one @CacheValue parameter, not " + values;
    }
    if (values > 1) {
      return "it has " + values + " @CacheValue parameters; a method may have one";
    }
    return null;
  }

  private static List<TypeDescription> cacheAnnotations(MethodDescription m) {
    AnnotationList declared = m.getDeclaredAnnotations();
    List<TypeDescription> found = new ArrayList<>(1);
    for (Class<? extends Annotation> a : ANNOTATIONS) {
      if (declared.isAnnotationPresent(a)) {
        found.add(TypeDescription.ForLoadedType.of(a));
      }
    }
    return found;
  }

  private static String names() {
    List<String> names = new ArrayList<>();
    for (Class<? extends Annotation> a : ANNOTATIONS) {
      names.add("@" + a.getSimpleName());
    }
    return String.join(", ", names);
  }

  /** Whether woven code in the loader's classes links to the very class this agent serves. */
  private static boolean seesInterception(ClassLoader loader) {
    try {
      return Class.forName(CacheInterception.class.getName(), false, loader) == CacheInterception.class;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Logs a failure to weave a class, which then loads as it is. */
  private static final class Listener extends AgentBuilder.Listener.Adapter {
    @Override
    public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
        Throwable throwable) {
      LOG.log(Level.WARNING, "Could not weave the caching annotations into " + typeName
          + "; it loads without them", throwable);
    }
  }

  /**
   * Inlined into {@code @CacheResult} methods: a value found in the cache is returned without
   * running the body. Refers only to {@link CacheInterception} and the JDK.
   */
  static final class ResultAdvice {
    private ResultAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
    static Object enter(
        @Advice.Origin Class<?> type,
        @Advice.Origin("#m#d") String method,
        @Advice.This(optional = true) Object target,
        @Advice.AllArguments Object[] arguments,
        @Advice.Local("invocation") Object invocation)
        throws Throwable {
      invocation = CacheInterception.enter(type, method, target, arguments);
      return CacheInterception.cached(invocation);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(
        @Advice.Enter Object cached,
        @Advice.Local("invocation") Object invocation,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned,
        @Advice.Thrown Throwable thrown) {
      if (cached != null) {
        returned = cached;
      } else {
        CacheInterception.exit(invocation, returned, thrown);
      }
    }
  }

  /**
   * Inlined into {@code @CachePut}, {@code @CacheRemove} and {@code @CacheRemoveAll} methods, which
   * always run their body. Refers only to {@link CacheInterception} and the JDK.
   */
  static final class OperationAdvice {
    private OperationAdvice() {}

    @Advice.OnMethodEnter
    static Object enter(
        @Advice.Origin Class<?> type,
        @Advice.Origin("#m#d") String method,
        @Advice.This(optional = true) Object target,
        @Advice.AllArguments Object[] arguments)
        throws Throwable {
      return CacheInterception.enter(type, method, target, arguments);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object invocation, @Advice.Thrown Throwable thrown) {
      CacheInterception.exit(invocation, null, thrown);
    }
  }
}
