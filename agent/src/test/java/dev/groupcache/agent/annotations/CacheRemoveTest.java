package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.agent.annotations.fixtures.Removals;
import java.io.IOException;
import java.util.List;
import javax.cache.Cache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code @CacheRemove} and {@code @CacheRemoveAll} woven into {@link Removals}. */
class CacheRemoveTest {
  private static final List<String> KEYS = List.of("a", "b", "argument", "number", "state", "io");

  private Cache<Object, Object> cache;

  @BeforeAll
  static void weave() {
    Woven.install();
  }

  @BeforeEach
  void fill() throws IOException {
    new Removals().remove("warm-up", null); // creates the cache
    cache = Woven.cache("removals");
    for (String key : KEYS) {
      cache.put(MethodKey.of(key), "value of " + key);
    }
    Removals.CALLS.reset();
  }

  private boolean cached(String key) {
    return cache.containsKey(MethodKey.of(key));
  }

  @Test
  void removeRemovesTheKeyAfterTheBody() throws IOException {
    new Removals().remove("a", null);
    assertFalse(cached("a"));
    assertTrue(cached("b"));
    assertEquals(1, Removals.CALLS.count("remove"));
  }

  @Test
  void anExceptionPreventsTheRemoval() {
    assertThrows(IllegalStateException.class, () -> new Removals().remove("a", "state"));
    assertTrue(cached("a"));
  }

  @Test
  void beforeInvocationTheRemovalHappensEvenIfTheBodyThrows() {
    assertThrows(IllegalStateException.class, () -> new Removals().removeBefore("a", "state"));
    assertFalse(cached("a"));
  }

  @Test
  void evictForAndNoEvictForSelectTheExceptionsThatStillRemove() {
    assertThrows(IllegalArgumentException.class, () -> new Removals().removeFor("argument", "argument"));
    assertThrows(NumberFormatException.class, () -> new Removals().removeFor("number", "number"));
    assertThrows(IllegalStateException.class, () -> new Removals().removeFor("state", "state"));
    assertFalse(cached("argument"));
    assertTrue(cached("number"), "excluded by noEvictFor");
    assertTrue(cached("state"), "not in evictFor");
  }

  @Test
  void removeAllEmptiesTheCacheAfterTheBody() throws IOException {
    new Removals().removeAll(null);
    for (String key : KEYS) {
      assertFalse(cached(key), key);
    }
    assertEquals(1, Removals.CALLS.count("removeAll"));
  }

  @Test
  void anExceptionPreventsRemoveAll() {
    assertThrows(IOException.class, () -> new Removals().removeAll("io"));
    assertTrue(cached("a"));
  }

  @Test
  void beforeInvocationRemoveAllHappensEvenIfTheBodyThrows() {
    assertThrows(IOException.class, () -> new Removals().removeAllBefore("io"));
    assertFalse(cached("a"));
  }

  @Test
  void evictForAndNoEvictForSelectTheExceptionsThatStillRemoveAll() {
    assertThrows(NumberFormatException.class, () -> new Removals().removeAllFor("number"));
    assertTrue(cached("a"), "excluded by noEvictFor");
    assertThrows(IllegalStateException.class, () -> new Removals().removeAllFor("state"));
    assertTrue(cached("a"), "not in evictFor");
    assertThrows(IllegalArgumentException.class, () -> new Removals().removeAllFor("argument"));
    assertFalse(cached("a"));
  }

  @Test
  void noEvictForAloneExcludesOnlyItself() {
    assertThrows(IllegalStateException.class, () -> new Removals().removeAllUnlisted("state"));
    assertTrue(cached("a"));
    assertThrows(IOException.class, () -> new Removals().removeAllUnlisted("io"));
    assertFalse(cached("a"));
  }
}
