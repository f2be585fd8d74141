package dev.groupcache.jcache.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One cache's keys and values: checked against the configured types, then through the codecs and back. */
class CacheCodecTest {
  private final Codecs codecs = Codecs.create(getClass().getClassLoader(), "", 1 << 20);
  private final CacheCodec<String, Long> typed = new CacheCodec<>(codecs, String.class, Long.class);

  /** The codec as a caller holding raw types sees it (JSR-107's runtime type checks exist for these callers). */
  @SuppressWarnings("unchecked")
  private static CacheCodec<Object, Object> raw(CacheCodec<?, ?> codec) {
    return (CacheCodec<Object, Object>) codec;
  }

  @Test
  void keysAndValuesOfTheConfiguredTypesRoundTrip() {
    ByteView key = typed.key("k\u00e9y");
    ByteView value = typed.value(Long.MIN_VALUE);

    assertEquals("k\u00e9y", typed.decodeKey(key));
    assertEquals(Long.MIN_VALUE, typed.decodeValue(value));
    assertEquals(Long.MIN_VALUE, typed.decodeValue(ByteString.copyFrom(value.toByteArray())));
    assertEquals(Codecs.TAG_STRING, key.byteAt(0));
    assertEquals(Codecs.TAG_LONG, value.byteAt(0));
  }

  @Test
  void equalKeysGiveEqualBytesAndUnequalKeysUnequalBytes() {
    assertEquals(typed.key("k1"), typed.key(new String("k1")));
    assertNotEquals(typed.key("k1"), typed.key("k2"));
    assertNotEquals(ByteView.of("k1"), typed.key("k1"), "the encoding carries a type tag");
  }

  @Test
  void aKeyOfAnotherTypeIsRejectedWithAClassCastException() {
    ClassCastException e = assertThrows(ClassCastException.class, () -> raw(typed).key(42));

    assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
  }

  @Test
  void aValueOfAnotherTypeIsRejectedWithAClassCastException() {
    ClassCastException e = assertThrows(ClassCastException.class, () -> raw(typed).value("42"));

    assertTrue(e.getMessage().contains("java.lang.Long"), e.getMessage());
    assertThrows(ClassCastException.class, () -> raw(typed).value(42), "an Integer is not a Long");
  }

  @Test
  void aNullKeyOrValueIsRejectedWithANullPointerException() {
    assertEquals("key", assertThrows(NullPointerException.class, () -> typed.key(null)).getMessage());
    assertEquals("value", assertThrows(NullPointerException.class, () -> typed.value(null)).getMessage());
    CacheCodec<Object, Object> untyped = new CacheCodec<>(codecs, Object.class, Object.class);
    assertThrows(NullPointerException.class, () -> untyped.key(null));
    assertThrows(NullPointerException.class, () -> untyped.value(null));
  }

  @Test
  void aSubtypeOfTheConfiguredTypeIsAccepted() {
    CacheCodec<Number, CharSequence> codec = new CacheCodec<>(codecs, Number.class, CharSequence.class);

    assertEquals(7, codec.decodeKey(codec.key(7)));
    assertEquals(7L, codec.decodeKey(codec.key(7L)));
    assertNotEquals(codec.key(7), codec.key(7L), "an Integer and a Long key are different keys");
    assertEquals("v", codec.decodeValue(codec.value("v")));
  }

  @Test
  void anUntypedCacheTakesEveryEncodableTypeButFailsOnAnUnencodableOne() {
    CacheCodec<Object, Object> untyped = new CacheCodec<>(codecs, Object.class, Object.class);

    for (Object o : List.of("s", 1, 2L, 3.0, true, 'c')) {
      assertEquals(o, untyped.decodeKey(untyped.key(o)));
      assertEquals(o, untyped.decodeValue(untyped.value(o)));
    }
    assertArrayEquals(new byte[] {1, 2}, (byte[]) untyped.decodeValue(untyped.value(new byte[] {1, 2})));
    assertThrows(IllegalArgumentException.class, () -> untyped.key(new Object()), "serialization is off");
    assertThrows(IllegalArgumentException.class, () -> untyped.value(new Object()));
  }

  @Test
  void theTypeIsCheckedBeforeTheCodecIsAsked() {
    Object unencodable = new Object();

    assertThrows(ClassCastException.class, () -> raw(typed).key(unencodable));
    assertThrows(ClassCastException.class, () -> raw(typed).value(unencodable));
  }
}
