package dev.groupcache.jcache.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecBuiltinsTest {
  private static final int MAX = 1 << 20;
  private final Codecs codecs = Codecs.create(CodecBuiltinsTest.class.getClassLoader(), "", MAX);

  static ByteView bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteView.copyOf(b);
  }

  private Object roundTrip(Object value) {
    Object back = codecs.decode(codecs.encode(value));
    assertEquals(value.getClass(), back.getClass());
    assertEquals(value, back);
    return back;
  }

  @Test
  void everyBuiltInRoundTripsWithEdgeValues() {
    List<Object> values =
        List.of(
            "",
            "plain ascii",
            "caf\u00e9 \u20ac \u65e5\u672c",
            "\uD83D\uDE00 emoji and \uD800\uDC00 the first supplementary",
            "nul \u0000 inside",
            "\uFFFF last BMP char",
            true,
            false,
            Byte.MIN_VALUE,
            Byte.MAX_VALUE,
            (byte) 0,
            Short.MIN_VALUE,
            Short.MAX_VALUE,
            Character.MIN_VALUE,
            Character.MAX_VALUE,
            '\uD800',
            Integer.MIN_VALUE,
            Integer.MAX_VALUE,
            -1,
            0,
            Long.MIN_VALUE,
            Long.MAX_VALUE,
            -1L,
            Float.NaN,
            Float.NEGATIVE_INFINITY,
            -0.0f,
            Float.MIN_VALUE,
            Double.NaN,
            Double.POSITIVE_INFINITY,
            -0.0,
            0.0,
            Double.MIN_VALUE,
            Math.PI);
    for (Object value : values) {
      roundTrip(value);
    }
    assertEquals(
        Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) roundTrip(-0.0)));
  }

  @Test
  void stringsWithUnpairedSurrogatesRoundTripAndStayDistinct() {
    String[] odd = {"\uD800", "\uDC00", "a\uD800b", "\uDBFF\uDBFF", "\uDC00\uD800", "x\uD83D"};
    for (String s : odd) {
      roundTrip(s);
    }
    // String.getBytes would turn both into "?": the keys must not collide.
    assertNotEquals(codecs.encode("\uD800"), codecs.encode("\uD801"));
    assertNotEquals(codecs.encode("\uD800"), codecs.encode("?"));
  }

  @Test
  void wellFormedStringsAreExactlyUtf8() {
    String s = "h\u00e9llo \u4e16\u754c \uD83C\uDF0D";
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] encoded = codecs.encode(s).toByteArray();
    assertEquals(Codecs.TAG_STRING, encoded[0]);
    assertArrayEquals(utf8, java.util.Arrays.copyOfRange(encoded, 1, encoded.length));
  }

  @Test
  void byteArraysRoundTripAsFreshArrays() {
    for (byte[] b : new byte[][] {{}, {0}, {-128, 0, 127}, new byte[10_000]}) {
      byte[] back = (byte[]) codecs.decode(codecs.encode(b));
      assertArrayEquals(b, back);
      assertNotSame(b, back);
    }
  }

  @Test
  void decodingTheSameBytesTwiceGivesDistinctByteArrays() {
    ByteView view = codecs.encode(new byte[] {1, 2, 3});
    byte[] first = (byte[]) codecs.decode(view);
    first[0] = 99;
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) codecs.decode(view));
  }

  @Test
  void encodingCopiesTheCallersArray() {
    byte[] b = {1, 2, 3};
    ByteView view = codecs.encode(b);
    b[0] = 42;
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) codecs.decode(view));
  }

  @Test
  void tagTableIsPinned() {
    // The wire format: changing any of these breaks mixed-version clusters.
    assertEquals(bytes(0x01, 'a', 'b'), codecs.encode("ab"));
    assertEquals(bytes(0x01), codecs.encode(""));
    assertEquals(bytes(0x02, 7, 8), codecs.encode(new byte[] {7, 8}));
    assertEquals(bytes(0x02), codecs.encode(new byte[0]));
    assertEquals(bytes(0x03, 1), codecs.encode(true));
    assertEquals(bytes(0x03, 0), codecs.encode(false));
    assertEquals(bytes(0x04, 0xFF), codecs.encode((byte) -1));
    assertEquals(bytes(0x05, 0x80, 0x00), codecs.encode(Short.MIN_VALUE));
    assertEquals(bytes(0x06, 0x00, 'A'), codecs.encode('A'));
    assertEquals(bytes(0x07, 0x01, 0x02, 0x03, 0x04), codecs.encode(0x01020304));
    assertEquals(bytes(0x08, 0x80, 0, 0, 0, 0, 0, 0, 0), codecs.encode(Long.MIN_VALUE));
    assertEquals(bytes(0x08, 0, 0, 0, 0, 0, 0, 0, 1), codecs.encode(1L));
    assertEquals(bytes(0x09, 0x3F, 0x80, 0, 0), codecs.encode(1.0f));
    assertEquals(bytes(0x09, 0x7F, 0xC0, 0, 0), codecs.encode(Float.NaN));
    assertEquals(bytes(0x0A, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0), codecs.encode(1.0));
    assertEquals(bytes(0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0), codecs.encode(-0.0));
    assertEquals(bytes(0x0A, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0), codecs.encode(Double.NaN));
  }

  @Test
  void equalKeysGiveEqualBytes() {
    assertEquals(codecs.encode("key"), codecs.encode(new String("key".toCharArray())));
    assertEquals(codecs.encode(123456789L), codecs.encode(Long.valueOf(123456789L)));
    assertEquals(codecs.encode(new byte[] {1, 2}), codecs.encode(new byte[] {1, 2}));
    // Every NaN equals every other by Double.equals, so all must share one encoding.
    Double otherNan = Double.longBitsToDouble(0x7ff8_0000_0000_0001L);
    assertEquals(Double.valueOf(Double.NaN), otherNan);
    assertEquals(codecs.encode(Double.NaN), codecs.encode(otherNan));
    Float otherFloatNan = Float.intBitsToFloat(0x7fc0_0001);
    assertEquals(Float.valueOf(Float.NaN), otherFloatNan);
    assertEquals(codecs.encode(Float.NaN), codecs.encode(otherFloatNan));
  }

  @Test
  void unequalKeysGiveUnequalBytes() {
    // Double.equals tells 0.0 from -0.0, so they are different keys.
    assertNotEquals(Double.valueOf(0.0), Double.valueOf(-0.0));
    assertNotEquals(codecs.encode(0.0), codecs.encode(-0.0));
    assertNotEquals(codecs.encode(0.0f), codecs.encode(-0.0f));
    // The tag keeps equal payloads of different types apart: 1 != 1L in an untyped cache.
    assertNotEquals(Integer.valueOf(1), Long.valueOf(1));
    assertNotEquals(codecs.encode(1), codecs.encode(1L));
    assertNotEquals(codecs.encode((short) 65), codecs.encode('A'));
    assertNotEquals(codecs.encode("a"), codecs.encode(new byte[] {'a'}));
  }

  @Test
  void encodingIsDeterministicAcrossInstances() {
    Codecs other = Codecs.create(ClassLoader.getSystemClassLoader(), "", 64);
    for (Object key : List.of("k", 1, 2L, 3.0, 4.0f, 'c', (short) 5, (byte) 6, true)) {
      assertEquals(codecs.encode(key), other.encode(key));
    }
  }

  @Test
  void nullIsRejected() {
    assertThrows(NullPointerException.class, () -> codecs.encode(null));
  }

  @Test
  void valuesLargerThanTheMaximumFailOnEncode() {
    Codecs small = Codecs.create(CodecBuiltinsTest.class.getClassLoader(), "", 16);
    assertEquals(16, small.encode(new byte[15]).length());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> small.encode(new byte[16]));
    assertTrue(e.getMessage().contains("maximum value size of 16"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> small.encode("\u20ac".repeat(6)));
    assertEquals(16, small.encode("\u20ac".repeat(5)).length());
    assertEquals(16, small.encode("a".repeat(15)).length()); // ASCII, encoded in one pass
    e = assertThrows(IllegalArgumentException.class, () -> small.encode("a".repeat(16)));
    assertTrue(e.getMessage().contains("17 encoded bytes"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> small.encode("a".repeat(14) + "\u00e9"));
  }

  @Test
  void unknownTypeWithoutSerializationFailsOnEncodeNamingTheClassAndTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> codecs.encode(new java.util.ArrayList<>()));
    assertTrue(e.getMessage().contains("java.util.ArrayList"), e.getMessage());
    assertTrue(e.getMessage().contains(Codecs.SERIALIZATION_ALLOWLIST), e.getMessage());
    // the exact class, not its package: a suggested wildcard would admit every class beside it
    assertTrue(
        e.getMessage().contains("set " + Codecs.SERIALIZATION_ALLOWLIST + "=java.util.ArrayList on every node"),
        e.getMessage());
  }
}
