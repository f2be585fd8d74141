package dev.groupcache.jcache.codec;

import static dev.groupcache.jcache.codec.CodecBuiltinsTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;

/** Bytes that no encoder wrote: every one fails with a CodecException that says what is wrong. */
class CodecMalformedTest {
  private final Codecs codecs = Codecs.create(CodecMalformedTest.class.getClassLoader(), "", 1024);

  private String failure(ByteView bytes) {
    CodecException e = assertThrows(CodecException.class, () -> codecs.decode(bytes));
    return e.getMessage();
  }

  private void assertFails(ByteView bytes, String expected) {
    String message = failure(bytes);
    assertTrue(message.contains(expected), () -> bytes + ": " + message);
  }

  @Test
  void emptyBytesHaveNoTag() {
    assertFails(ByteView.empty(), "empty");
  }

  @Test
  void unknownTagsAreNamed() {
    assertFails(bytes(0x00), "unknown type tag 0x00");
    assertFails(bytes(0x0B, 1, 2), "unknown type tag 0x0b");
    assertFails(bytes(0xFF), "unknown type tag 0xff");
  }

  @Test
  void fixedWidthPayloadsMustHaveTheirExactLength() {
    assertFails(bytes(Codecs.TAG_LONG, 1, 2, 3, 4, 5), "Malformed Long: 5 payload bytes where 8");
    assertFails(bytes(Codecs.TAG_LONG, 0, 0, 0, 0, 0, 0, 0, 0, 0), "9 payload bytes where 8");
    assertFails(bytes(Codecs.TAG_INTEGER), "Malformed Integer: 0 payload bytes where 4");
    assertFails(bytes(Codecs.TAG_DOUBLE, 1), "Malformed Double");
    assertFails(bytes(Codecs.TAG_FLOAT, 1, 2, 3), "Malformed Float");
    assertFails(bytes(Codecs.TAG_SHORT, 1), "Malformed Short");
    assertFails(bytes(Codecs.TAG_CHARACTER, 1, 2, 3), "Malformed Character");
    assertFails(bytes(Codecs.TAG_BYTE), "Malformed Byte");
    assertFails(bytes(Codecs.TAG_BOOLEAN), "Malformed Boolean");
  }

  @Test
  void booleansAreZeroOrOne() {
    assertFails(bytes(Codecs.TAG_BOOLEAN, 2), "neither 0 nor 1");
    assertFails(bytes(Codecs.TAG_BOOLEAN, 0xFF), "neither 0 nor 1");
  }

  @Test
  void malformedUtf8IsRefusedWithItsOffset() {
    assertFails(bytes(Codecs.TAG_STRING, 'a', 0x80), "0x80 cannot start a sequence at byte 1");
    assertFails(bytes(Codecs.TAG_STRING, 0xC3), "truncated by the end of the string at byte 0");
    assertFails(bytes(Codecs.TAG_STRING, 0xE2, 0x82), "truncated");
    assertFails(bytes(Codecs.TAG_STRING, 0xF0, 0x9F, 0x98), "truncated");
    assertFails(bytes(Codecs.TAG_STRING, 0xC3, 'a'), "0x61 where a continuation byte belongs");
    // Overlong forms: '/' in two bytes, U+20AC in four.
    assertFails(bytes(Codecs.TAG_STRING, 0xC0, 0xAF), "0xc0 cannot start");
    assertFails(bytes(Codecs.TAG_STRING, 0xE0, 0x80, 0xAF), "continuation");
    assertFails(bytes(Codecs.TAG_STRING, 0xF0, 0x82, 0x82, 0xAC), "continuation");
    // Beyond U+10FFFF.
    assertFails(bytes(Codecs.TAG_STRING, 0xF4, 0x90, 0x80, 0x80), "continuation");
    assertFails(bytes(Codecs.TAG_STRING, 0xF5, 0x80, 0x80, 0x80), "0xf5 cannot start");
    // A surrogate pair must be one 4-byte sequence, not two 3-byte ones (CESU-8).
    assertFails(bytes(Codecs.TAG_STRING, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80), "surrogate pair");
  }

  @Test
  void loneSurrogatesInTheirThreeByteFormDecode() {
    assertEquals("\uD800", codecs.decode(bytes(Codecs.TAG_STRING, 0xED, 0xA0, 0x80)));
    assertEquals(
        "\uDC00\uD800",
        codecs.decode(bytes(Codecs.TAG_STRING, 0xED, 0xB0, 0x80, 0xED, 0xA0, 0x80)));
  }

  @Test
  void customHeadersAreChecked() {
    assertFails(bytes(Codecs.TAG_CODEC), "truncated before the codec id length");
    assertFails(bytes(Codecs.TAG_CODEC, 0), "invalid codec id length 0");
    assertFails(bytes(Codecs.TAG_CODEC, 0x80, 'a'), "invalid codec id length 128");
    assertFails(
        bytes(Codecs.TAG_CODEC, 5, 'a', 'b'), "truncated inside the codec id (2 of 5 bytes)");
    assertFails(
        bytes(Codecs.TAG_CODEC, 3, 'a', 'b', 'c', 1, 2), "codec \"abc\": no such codec here");
    assertFails(bytes(Codecs.TAG_CODEC, 1, 0xE9), "(not printable ASCII)");
  }

  @Test
  void failuresAreCacheExceptions() {
    assertThrows(CacheException.class, () -> codecs.decode(bytes(0x7F)));
  }
}
