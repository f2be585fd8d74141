package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class MethodKeyTest {
  @Test
  void equalityIsDeep() {
    MethodKey a = MethodKey.of("x", 1, new byte[] {1, 2}, null);
    MethodKey b = MethodKey.of("x", 1, new byte[] {1, 2}, null);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, MethodKey.of("x", 1, new byte[] {1, 3}, null));
    assertNotEquals(a, MethodKey.of("x", 1L, new byte[] {1, 2}, null));
    assertNotEquals(MethodKey.of("x"), MethodKey.of("x", null));
    assertEquals(MethodKey.of(), MethodKey.of());
  }

  @Test
  void theParametersAreCopiedInAndOut() {
    Object[] parameters = {"x", 1};
    MethodKey key = MethodKey.of(parameters);
    parameters[0] = "changed";
    assertArrayEquals(new Object[] {"x", 1}, key.parameters());
    key.parameters()[1] = 2;
    assertEquals(MethodKey.of("x", 1), key);
  }

  @Test
  void itsParametersCanBeReadOneByOne() {
    MethodKey key = MethodKey.of("x", null, 1);
    assertEquals(3, key.size());
    assertEquals("x", key.parameter(0));
    assertNull(key.parameter(1));
    assertEquals(1, key.parameter(2));
    assertEquals(0, MethodKey.of().size());
  }

  @Test
  void itPrintsItsParameters() {
    assertEquals("MethodKey[a, 1, [7]]", MethodKey.of("a", 1, new byte[] {7}).toString());
  }
}
