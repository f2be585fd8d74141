package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.groupcache.agent.annotations.fixtures.Puts;
import java.io.IOException;
import javax.cache.Cache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code @CachePut} woven into {@link Puts}. */
class CachePutTest {
  private Cache<Object, Object> cache;

  @BeforeAll
  static void weave() {
    Woven.install();
  }

  @BeforeEach
  void clear() throws IOException {
    new Puts().put("warm-up", "creates the cache", null);
    cache = Woven.cache("puts");
    cache.clear();
    Puts.CALLS.reset();
  }

  @Test
  void theValueIsPutAfterTheBody() throws IOException {
    new Puts().put("a", "1", null);
    assertEquals("1", cache.get(MethodKey.of("a")));
    new Puts().put("a", "2", null);
    assertEquals("2", cache.get(MethodKey.of("a")));
    assertEquals(2, Puts.CALLS.count("put"));
  }

  @Test
  void aNullValueRemovesTheKey() throws IOException {
    cache.put(MethodKey.of("a"), "old");
    new Puts().put("a", null, null);
    assertFalse(cache.containsKey(MethodKey.of("a")));
  }

  @Test
  void anExceptionPreventsThePutAndPropagates() {
    assertThrows(IOException.class, () -> new Puts().put("a", "1", "io"));
    assertThrows(IllegalStateException.class, () -> new Puts().put("a", "1", "state"));
    assertNull(cache.get(MethodKey.of("a")));
  }

  @Test
  void beforeInvocationThePutHappensEvenIfTheBodyThrows() {
    assertThrows(IllegalStateException.class, () -> new Puts().putBefore("a", "1", "state"));
    assertEquals("1", cache.get(MethodKey.of("a")));
    assertEquals(1, Puts.CALLS.count("putBefore"));
  }

  @Test
  void cacheForAndNoCacheForSelectTheExceptionsThatStillPut() {
    assertThrows(IllegalArgumentException.class, () -> new Puts().putFor("argument", "1", "argument"));
    assertThrows(NumberFormatException.class, () -> new Puts().putFor("number", "1", "number"));
    assertThrows(IllegalStateException.class, () -> new Puts().putFor("state", "1", "state"));
    assertEquals("1", cache.get(MethodKey.of("argument")));
    assertNull(cache.get(MethodKey.of("number")), "excluded by noCacheFor");
    assertNull(cache.get(MethodKey.of("state")), "not in cacheFor");
  }

  @Test
  void noCacheForAloneExcludesOnlyItself() {
    assertThrows(IOException.class, () -> new Puts().putUnlisted("io", "1", "io"));
    assertThrows(IllegalStateException.class, () -> new Puts().putUnlisted("state", "1", "state"));
    assertEquals("1", cache.get(MethodKey.of("io")));
    assertNull(cache.get(MethodKey.of("state")));
  }

  @Test
  void withoutCacheKeyEveryParameterButTheValueIsTheKey() {
    new Puts().update("a", 3, "value");
    assertEquals("value", cache.get(MethodKey.of("a", 3)));
  }
}
