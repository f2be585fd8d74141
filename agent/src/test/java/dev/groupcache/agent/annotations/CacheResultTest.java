package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.agent.annotations.fixtures.Calls;
import dev.groupcache.agent.annotations.fixtures.Results;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.cache.Cache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code @CacheResult} woven into {@link Results}. */
class CacheResultTest {
  private Calls calls;

  @BeforeAll
  static void weave() {
    Woven.install();
  }

  @BeforeEach
  void clear() {
    Woven.clear("results", "results.nulls", "results.skip-get", "results.keys", "results.no-arguments",
        "results.bytes", "results.int", "results.long", "results.boolean", "results.double", "results.char",
        "results.void", "results.static", "results.private", "results.throwing", "results.failing",
        "results.failing.thrown", "results.selective", "results.selective.thrown", "results.unlisted",
        "results.unlisted.thrown", "results.skip-get.failing", "results.skip-get.failing.thrown");
    calls = Results.CALLS;
    calls.reset();
  }

  @Test
  void aHitSkipsTheBody() {
    assertEquals("hello a", new Results().greet("a"));
    assertEquals("hello a", new Results().greet("a"));
    assertEquals(1, calls.count("greet"));
    assertEquals("hello b", new Results().greet("b"));
    assertEquals(2, calls.count("greet"));
  }

  @Test
  void theResultIsCachedUnderAMethodKeyOfTheArguments() {
    new Results().greet("a");
    Cache<Object, Object> cache = Woven.cache("results");
    assertEquals("hello a", cache.get(MethodKey.of("a")));
    List<Object> keys = new ArrayList<>();
    cache.forEach(e -> keys.add(e.getKey()));
    assertEquals(List.of(MethodKey.of("a")), keys, "keys come back decoded by MethodKeyCodec");
  }

  @Test
  void aValuePutByOthersIsReturned() {
    Woven.cache("results").put(MethodKey.of("x"), "put elsewhere");
    assertEquals("put elsewhere", new Results().greet("x"));
    assertEquals(0, calls.count("greet"));
  }

  @Test
  void nullIsNotCached() {
    assertNull(new Results().absent("a"));
    assertNull(new Results().absent("a"));
    assertEquals(2, calls.count("absent"));
  }

  @Test
  void skipGetAlwaysRunsTheBodyAndCachesItsResult() {
    assertEquals("a#1", new Results().refresh("a"));
    assertEquals("a#2", new Results().refresh("a"));
    assertEquals("a#2", Woven.cache("results.skip-get").get(MethodKey.of("a")));
  }

  @Test
  void cacheKeyParametersAloneFormTheKey() {
    assertEquals("x:id:1", new Results().keyed("x", "id", 1));
    assertEquals("x:id:1", new Results().keyed("y", "id", 1));
    assertEquals(1, calls.count("keyed"));
    assertEquals("y:id:2", new Results().keyed("y", "id", 2));
    assertEquals("x:id:1", Woven.cache("results.keys").get(MethodKey.of("id", 1)));
  }

  @Test
  void theDefaultCacheNameIsTheMethodsSignature() {
    new Results().defaultName("a", 1, 2L);
    new Results().defaultName("a", 1, 2L);
    assertEquals(1, calls.count("defaultName"));
    String name = "dev.groupcache.agent.annotations.fixtures.Results.defaultName(java.lang.String,int,long)";
    assertEquals("a12", Woven.cache(name).get(MethodKey.of("a", 1, 2L)));
  }

  @Test
  void aMethodWithoutParametersHasOneKey() {
    new Results().constant();
    assertEquals("constant", new Results().constant());
    assertEquals(1, calls.count("constant"));
  }

  @Test
  void arrayArgumentsAreComparedByContent() {
    assertEquals(6, new Results().sum(new byte[] {1, 2, 3}));
    assertEquals(6, new Results().sum(new byte[] {1, 2, 3}));
    assertEquals(1, calls.count("sum"));
  }

  @Test
  void primitiveResultsAreCachedAndReturned() {
    for (int i = 0; i < 2; i++) {
      Results results = new Results();
      assertEquals(49, results.square(7));
      assertEquals(10L, results.twice(5L));
      assertFalse(results.even(3)); // false is a value like any other: a hit
      assertTrue(results.even(4));
      assertEquals(1.25, results.half(2.5));
      assertEquals('z', results.first("zed"));
    }
    for (String method : List.of("square", "twice", "half", "first")) {
      assertEquals(1, calls.count(method), method);
    }
    assertEquals(2, calls.count("even"));
    assertEquals(Boolean.FALSE, Woven.cache("results.boolean").get(MethodKey.of(3)));
  }

  @Test
  void aVoidMethodAlwaysRuns() {
    new Results().touch("a");
    new Results().touch("a");
    assertEquals(2, calls.count("touch"));
  }

  @Test
  void staticAndPrivateMethodsAreWoven() {
    assertEquals("A", Results.shout("a"));
    assertEquals("A", Results.shout("a"));
    assertEquals(1, calls.count("shout"));

    assertEquals("secret a", new Results().callSecret("a"));
    assertEquals("secret a", new Results().callSecret("a"));
    assertEquals(1, calls.count("secret"));
  }

  @Test
  void exceptionsPropagateUnchangedAndAreNotCachedWithoutAnExceptionCache() {
    Exception checked = new IOException("checked");
    assertSame(checked, assertThrows(IOException.class, () -> new Results().throwing("a", checked)));
    Exception unchecked = new IllegalStateException("unchecked");
    assertSame(unchecked, assertThrows(IllegalStateException.class, () -> new Results().throwing("a", unchecked)));
    assertSame(unchecked, assertThrows(IllegalStateException.class, () -> new Results().throwing("a", unchecked)));
    assertEquals(3, calls.count("throwing"));
  }

  @Test
  void exceptionsAreCachedAndRethrownWithAnExceptionCache() {
    IOException first = assertThrows(IOException.class, () -> new Results().failing("io"));
    IOException second = assertThrows(IOException.class, () -> new Results().failing("io"));
    assertEquals(1, calls.count("failing"));
    assertNotSame(first, second, "a cached exception is a copy: the cache stores by value");
    assertEquals("io", second.getMessage());
    assertArrayEquals(first.getStackTrace(), second.getStackTrace());
    assertInstanceOf(IOException.class, Woven.cache("results.failing.thrown").get(MethodKey.of("io")));
    assertNull(Woven.cache("results.failing").get(MethodKey.of("io")));
  }

  @Test
  void withNeitherListEveryExceptionIsCached() {
    assertThrows(IllegalStateException.class, () -> new Results().failing("state"));
    assertThrows(IllegalStateException.class, () -> new Results().failing("state"));
    assertEquals(1, calls.count("failing"));
  }

  @Test
  void cachedExceptionsAndNonCachedExceptionsSelectWhatIsCached() {
    for (String kind : List.of("argument", "number", "state", "argument", "number", "state")) {
      assertThrows(RuntimeException.class, () -> new Results().selective(kind));
    }
    // IllegalArgumentException is cached; NumberFormatException, one too, is excluded; others are not listed
    assertEquals(5, calls.count("selective"));
    Cache<Object, Object> thrown = Woven.cache("results.selective.thrown");
    assertInstanceOf(IllegalArgumentException.class, thrown.get(MethodKey.of("argument")));
    assertNull(thrown.get(MethodKey.of("number")));
    assertNull(thrown.get(MethodKey.of("state")));
  }

  @Test
  void nonCachedExceptionsAloneExcludeOnlyThemselves() {
    for (String kind : List.of("argument", "io", "state", "argument", "io", "state")) {
      assertThrows(Exception.class, () -> new Results().unlisted(kind));
    }
    assertEquals(4, calls.count("unlisted"));
  }

  @Test
  void skipGetAlsoSkipsTheExceptionCacheButStillFillsIt() {
    assertThrows(IllegalStateException.class, () -> new Results().refreshFailing("state"));
    assertThrows(IllegalStateException.class, () -> new Results().refreshFailing("state"));
    assertEquals(2, calls.count("refreshFailing"));
    assertNotNull(Woven.cache("results.skip-get.failing.thrown").get(MethodKey.of("state")));
  }

  @Test
  void aCachedValueWinsOverACachedException() throws IOException {
    assertThrows(IOException.class, () -> new Results().failing("io"));
    Woven.cache("results.failing").put(MethodKey.of("io"), "value");
    assertEquals("value", new Results().failing("io"));
    assertEquals(1, calls.count("failing"));
  }
}
