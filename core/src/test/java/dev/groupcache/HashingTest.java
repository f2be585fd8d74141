package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashingTest {
  /** Reference values printed by xxhsum -H1 (xxHash 0.8). */
  @Test
  void matchesTheReferenceImplementation() {
    assertEquals(0xef46db3751d8e999L, xxh64(""));
    assertEquals(0xd24ec4f1a98c6e5bL, xxh64("a"));
    assertEquals(0x44bc2cf5ad770999L, xxh64("abc"));
    assertEquals(0xfbcea83c8a378bf1L, xxh64("Nobody inspects the spammish repetition"));
    assertEquals(0x0b242d361fda71bcL, xxh64("The quick brown fox jumps over the lazy dog"));
    assertEquals(0xa76190c3acf08a1cL, xxh64("0123456789abcdef0123456789abcdef0123456789"));
  }

  private static long xxh64(String s) {
    return Hashing.xxh64(s.getBytes(StandardCharsets.UTF_8));
  }
}
