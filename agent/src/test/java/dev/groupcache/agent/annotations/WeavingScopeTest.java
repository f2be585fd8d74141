package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.groupcache.agent.annotations.fixtures.Invalid;
import dev.groupcache.agent.annotations.fixtures.Preloaded;
import dev.groupcache.agent.annotations.outside.Unwoven;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What is woven and what is not. */
class WeavingScopeTest {
  @BeforeAll
  static void weave() {
    Woven.install();
  }

  @Test
  void classesLoadedBeforeTheWeavingAreWovenToo() {
    Preloaded.CALLS.reset();
    assertEquals("found a", new Preloaded().find("a"));
    assertEquals("found a", new Preloaded().find("a"));
    assertEquals(1, Preloaded.CALLS.count("find"));
  }

  @Test
  void classesOutsideThePrefixesAreNotWoven() {
    Unwoven unwoven = new Unwoven();
    unwoven.find("a");
    unwoven.find("a");
    assertEquals(2, unwoven.calls.get());
    assertNull(Woven.manager().getCache("unwoven"));
  }

  @Test
  void methodsWithInvalidAnnotationsAreLeftAsTheyAre() {
    Invalid.CALLS.reset();
    new Invalid().both("a");
    new Invalid().both("a");
    new Invalid().noValue("a");
    assertEquals("ab", new Invalid().twoValues("a", "b"));
    assertEquals("ab", new Invalid().twoValues("a", "b"));
    assertEquals(2, Invalid.CALLS.count("both"));
    assertEquals(1, Invalid.CALLS.count("noValue"));
    assertEquals(2, Invalid.CALLS.count("twoValues"), "not woven: each call runs the method");
    assertNull(Woven.manager().getCache("invalid"));

    new Invalid().valid("a");
    new Invalid().valid("a");
    assertEquals(1, Invalid.CALLS.count("valid"), "its valid neighbour is woven");
  }
}
