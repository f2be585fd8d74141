package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.agent.annotations.fixtures.Defaults;
import javax.cache.Cache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code @CacheDefaults(cacheName)} on {@link Defaults}. */
class CacheDefaultsTest {
  @BeforeAll
  static void weave() {
    Woven.install();
  }

  @BeforeEach
  void clear() {
    Woven.clear("defaults", "defaults.own");
    Defaults.CALLS.reset();
  }

  @Test
  void everyAnnotationUsesTheClassesCacheName() {
    assertEquals("found a", new Defaults().find("a"));
    Cache<Object, Object> cache = Woven.cache("defaults");
    assertEquals("found a", cache.get(MethodKey.of("a")));

    new Defaults().store("a", "stored");
    assertEquals("stored", new Defaults().find("a"));
    assertEquals(1, Defaults.CALLS.count("find"));

    new Defaults().remove("a");
    assertFalse(cache.containsKey(MethodKey.of("a")));

    new Defaults().store("b", "stored");
    new Defaults().removeAll();
    assertNull(cache.get(MethodKey.of("b")));
  }

  @Test
  void theMethodsOwnCacheNameWins() {
    new Defaults().own("a");
    assertEquals("own a", Woven.cache("defaults.own").get(MethodKey.of("a")));
    Cache<Object, Object> defaults = Woven.manager().getCache("defaults");
    assertTrue(defaults == null || !defaults.containsKey(MethodKey.of("a")));
  }
}
