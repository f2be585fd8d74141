package dev.groupcache.agent.annotations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.agent.inside.MethodKeyCodec;
import dev.groupcache.jcache.Codec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class MethodKeyCodecTest {
  private final MethodKeyCodec codec = new MethodKeyCodec();

  private byte[] encode(MethodKey key) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      codec.encode(key, new DataOutputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private MethodKey decode(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    MethodKey key = codec.decode(in, bytes.length);
    assertEquals(0, in.available(), "every byte read");
    return key;
  }

  private static List<MethodKey> keys() {
    return List.of(
        MethodKey.of(),
        MethodKey.of((Object) null),
        MethodKey.of("", "a", "é€𝄞", "\0", "\uD800 unpaired", "\uDC00"),
        MethodKey.of("x".repeat(70_000), "€".repeat(30_000)), // beyond writeUTF's 64 KiB
        MethodKey.of(new byte[0], new byte[] {-1, 0, 1}),
        MethodKey.of(true, false, (byte) -7, (short) 300, 'c', Integer.MIN_VALUE, Long.MAX_VALUE),
        MethodKey.of(1.5f, Float.NaN, -0.0f, 0.0f, 2.5, Double.NaN, -0.0, Double.NEGATIVE_INFINITY),
        MethodKey.of("mixed", null, 1, 1L, new byte[] {2}));
  }

  @Test
  void keysRoundTrip() throws IOException {
    for (MethodKey key : keys()) {
      assertEquals(key, decode(encode(key)), key.toString().substring(0, Math.min(60, key.toString().length())));
    }
  }

  @Test
  void equalKeysGiveEqualBytesAndUnequalKeysUnequalBytes() {
    List<MethodKey> keys = keys();
    for (MethodKey a : keys) {
      for (MethodKey b : keys) {
        assertEquals(a.equals(b), Arrays.equals(encode(a), encode(b)), a + " / " + b);
      }
    }
    assertArrayEquals(encode(MethodKey.of("a", new byte[] {1}, Double.NaN)),
        encode(MethodKey.of(new String("a"), new byte[] {1}, Double.longBitsToDouble(0x7ff8000000000001L))));
    assertFalse(Arrays.equals(encode(MethodKey.of(1)), encode(MethodKey.of(1L))));
    assertFalse(Arrays.equals(encode(MethodKey.of(0.0)), encode(MethodKey.of(-0.0))));
    assertFalse(Arrays.equals(encode(MethodKey.of("ab", "c")), encode(MethodKey.of("a", "bc"))));
    assertFalse(Arrays.equals(encode(MethodKey.of("\uD800")), encode(MethodKey.of("\uDC00"))));
  }

  @Test
  void otherTypesFailNamingTheTypeAndTheRemedy() {
    DataOutputStream out = new DataOutputStream(new ByteArrayOutputStream());
    IOException e = assertThrows(IOException.class, () -> codec.encode(MethodKey.of("a", Locale.ROOT), out));
    assertTrue(e.getMessage().contains("parameter 1 is a java.util.Locale"), e.getMessage());
    assertTrue(e.getMessage().contains("CacheKeyGenerator"), e.getMessage());
    assertTrue(e.getMessage().contains("groupcache.serialization.allowlist"), e.getMessage());
    assertThrows(IOException.class, () -> codec.encode(MethodKey.of((Object) new int[] {1}), out));
  }

  @Test
  void malformedBytesFail() {
    byte[] good = encode(MethodKey.of("abc", 1));
    assertThrows(IOException.class, () -> decode(Arrays.copyOf(good, good.length - 1)));
    byte[] unknownTag = good.clone();
    unknownTag[4] = 99;
    assertThrows(IOException.class, () -> decode(unknownTag));
    assertThrows(IOException.class, () -> decode(new byte[] {0x7f, 0, 0, 0}));
    assertThrows(IOException.class, () -> decode(new byte[] {0, 0, 0, 1, 3, 2})); // Boolean 2
  }

  @Test
  void itIsAServiceWithAStableIdentity() {
    assertEquals(MethodKey.class, codec.type());
    assertEquals("dev.groupcache.method-key.v1", codec.id());
    boolean listed = false;
    for (Codec<?> c : ServiceLoader.load(Codec.class)) {
      listed |= c instanceof MethodKeyCodec;
    }
    assertTrue(listed, "listed in META-INF/services");
  }
}
