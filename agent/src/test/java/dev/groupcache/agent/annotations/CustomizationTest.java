package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.agent.annotations.fixtures.Customized;
import dev.groupcache.agent.annotations.fixtures.MethodLevel;
import dev.groupcache.agent.annotations.fixtures.PrefixingResolverFactory;
import dev.groupcache.agent.annotations.fixtures.UpperCaseKeyGenerator;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.util.Set;
import javax.cache.annotation.CacheInvocationParameter;
import javax.cache.annotation.CacheKey;
import javax.cache.annotation.CacheKeyInvocationContext;
import javax.cache.annotation.CacheMethodDetails;
import javax.cache.annotation.CachePut;
import javax.cache.annotation.CacheResult;
import javax.cache.annotation.CacheValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code CacheKeyGenerator} and a {@code CacheResolverFactory} of the application's, named by
 * {@code @CacheDefaults} ({@link Customized}) or by the method's annotation ({@link MethodLevel}),
 * and the contexts they are shown.
 */
class CustomizationTest {
  @BeforeAll
  static void weave() {
    Woven.install();
  }

  @BeforeEach
  void clear() {
    Woven.clear("resolved.custom", "resolved.custom.thrown", "resolved.method-level");
    UpperCaseKeyGenerator.CONTEXTS.clear();
    PrefixingResolverFactory.RESOLVED.clear();
    Customized.CALLS.reset();
    MethodLevel.CALLS.reset();
  }

  @Test
  void theKeyGeneratorAndResolverOfCacheDefaultsAreUsed() throws IOException {
    assertEquals("found a", new Customized().find("a", null));
    assertEquals("found a", new Customized().find("A", "state"), "one key for both cases: a hit");
    assertEquals(1, Customized.CALLS.count("find"));
    assertEquals("found a", Woven.cache("resolved.custom").get(MethodKey.of("A")));
    assertNull(Woven.manager().getCache("custom"), "the default resolver was not used");
  }

  @Test
  void theKeyGeneratorAndResolverOfTheMethodAreUsed() {
    assertEquals("found b", new MethodLevel().find("b"));
    assertEquals("found b", new MethodLevel().find("B"));
    assertEquals(1, MethodLevel.CALLS.count("find"));
    assertEquals("found b", Woven.cache("resolved.method-level").get(MethodKey.of("B")));
  }

  @Test
  void theExceptionCacheIsResolvedByTheFactoryToo() {
    assertThrows(IllegalStateException.class, () -> new Customized().find("e", "state"));
    assertThrows(IllegalStateException.class, () -> new Customized().find("E", null));
    assertEquals(1, Customized.CALLS.count("find"));
    assertInstanceOf(IllegalStateException.class, Woven.cache("resolved.custom.thrown").get(MethodKey.of("E")));
  }

  @Test
  void resolversAreRetrievedOncePerMethod() throws IOException {
    for (int i = 0; i < 3; i++) {
      new Customized().find("x" + i, null);
      new Customized().store("x" + i, "v");
    }
    assertEquals(1, asked("find", PrefixingResolverFactory.ASKED));
    assertEquals(1, asked("store", PrefixingResolverFactory.ASKED));
    assertEquals(1, asked("find", PrefixingResolverFactory.ASKED_FOR_EXCEPTIONS));
    assertTrue(PrefixingResolverFactory.RESOLVED.size() >= 6, "but asked to resolve on every call");
  }

  private static long asked(String method, java.util.List<CacheMethodDetails<?>> details) {
    return details.stream()
        .filter(d -> d.getMethod().getDeclaringClass().getSimpleName().equals("Customized"))
        .filter(d -> d.getMethod().getName().equals(method))
        .count();
  }

  @Test
  void theKeyGeneratorSeesTheInvocation() throws Exception {
    Object target = new Customized();
    target.getClass().getMethod("find", String.class, String.class).invoke(target, "id", null);
    CacheKeyInvocationContext<? extends Annotation> context = UpperCaseKeyGenerator.CONTEXTS.get(0);

    assertEquals(target.getClass().getMethod("find", String.class, String.class), context.getMethod());
    assertSame(target, context.getTarget());
    assertEquals("custom", context.getCacheName());
    CacheResult annotation = assertInstanceOf(CacheResult.class, context.getCacheAnnotation());
    assertEquals("custom.thrown", annotation.exceptionCacheName());
    assertEquals(Set.of(annotation), context.getAnnotations());

    CacheInvocationParameter[] all = context.getAllParameters();
    assertEquals(2, all.length);
    assertEquals(0, all[0].getParameterPosition());
    assertEquals(String.class, all[0].getRawType());
    assertEquals("id", all[0].getValue());
    assertInstanceOf(CacheKey.class, all[0].getAnnotations().iterator().next());
    assertEquals(1, all[1].getParameterPosition());
    assertNull(all[1].getValue());
    assertEquals(Set.of(), all[1].getAnnotations());
    assertThrows(UnsupportedOperationException.class, () -> all[1].getAnnotations().add(annotation));

    CacheInvocationParameter[] keys = context.getKeyParameters();
    assertEquals(1, keys.length);
    assertEquals("id", keys[0].getValue());
    assertNull(context.getValueParameter(), "no value parameter outside @CachePut");

    assertSame(context, context.unwrap(CacheKeyInvocationContext.class));
    assertThrows(IllegalArgumentException.class, () -> context.unwrap(String.class));
  }

  @Test
  void aCachePutContextHasTheValueParameter() {
    new Customized().store("id", "value");
    CacheKeyInvocationContext<? extends Annotation> context = UpperCaseKeyGenerator.CONTEXTS.get(0);
    assertInstanceOf(CachePut.class, context.getCacheAnnotation());
    CacheInvocationParameter value = context.getValueParameter();
    assertEquals(1, value.getParameterPosition());
    assertEquals("value", value.getValue());
    assertInstanceOf(CacheValue.class, value.getAnnotations().iterator().next());
    CacheInvocationParameter[] keys = context.getKeyParameters();
    assertArrayEquals(new Object[] {"id"}, new Object[] {keys[0].getValue()});
    assertEquals(1, keys.length, "the value is not part of the key");
    assertEquals("value", Woven.cache("resolved.custom").get(MethodKey.of("ID")));
  }

  @Test
  void resolverContextsNameTheMethodAndItsCache() {
    new Customized().clear();
    assertEquals(1, Customized.CALLS.count("clear"));
    var context = PrefixingResolverFactory.RESOLVED.get(0);
    assertEquals("clear", context.getMethod().getName());
    assertEquals("custom", context.getCacheName());
  }
}
