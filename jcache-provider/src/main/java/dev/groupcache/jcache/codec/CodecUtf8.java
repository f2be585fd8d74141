package dev.groupcache.jcache.codec;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 for the built-in {@code String} codec, exact in both directions.
 *
 * <p>A Java string may hold an unpaired surrogate, which UTF-8 cannot express and which {@link
 * String#getBytes} replaces with {@code '?'}: two different keys would then share bytes. Here such
 * a surrogate is written as its three-byte generalized form, as WTF-8 does, so every string
 * round-trips and distinct strings never share an encoding. Well-formed strings get plain UTF-8.
 * Decoding is strict: it accepts only what {@link #encode} produces.
 */
public final class CodecUtf8 {
  private CodecUtf8() {}

  /**
   * {@code s} as {@link #encode} writes it, after one byte {@code tag}; null if that is over
   * {@code maxBytes}. An ASCII string, the usual key, takes one pass.
   */
  static byte[] tagged(byte tag, String s, int maxBytes) {
    int n = s.length();
    if (n < maxBytes) {
      byte[] b = new byte[n + 1];
      int i = 0;
      while (i < n) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          break;
        }
        b[++i] = (byte) c;
      }
      if (i == n) {
        b[0] = tag;
        return b;
      }
    }
    long length = 1 + length(s);
    if (length > maxBytes) {
      return null;
    }
    byte[] b = new byte[(int) length];
    encode(s, b, 1);
    b[0] = tag;
    return b;
  }

  /** Returns how many bytes {@link #encode} writes for {@code s}. */
  static long length(String s) {
    int n = s.length();
    long length = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          length += 1;
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          length += 2; // two chars, four bytes
          i++;
        } else {
          length += 2;
        }
      }
    }
    return length;
  }

  /** Writes {@code s} into {@code dst} from {@code offset}; {@link #length} bytes must fit. */
  static void encode(String s, byte[] dst, int offset) {
    int n = s.length();
    int p = offset;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        dst[p++] = (byte) c;
      } else if (c < 0x800) {
        dst[p++] = (byte) (0xC0 | c >> 6);
        dst[p++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        dst[p++] = (byte) (0xF0 | cp >> 18);
        dst[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
        dst[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
        dst[p++] = (byte) (0x80 | cp & 0x3F);
      } else {
        dst[p++] = (byte) (0xE0 | c >> 12);
        dst[p++] = (byte) (0x80 | c >> 6 & 0x3F);
        dst[p++] = (byte) (0x80 | c & 0x3F);
      }
    }
  }

  /**
   * Decodes {@code length} bytes of {@code b} from {@code offset}.
   *
   * @throws CodecException at the first byte that {@link #encode} could not have written
   */
  static String decode(byte[] b, int offset, int length) {
    int end = offset + length;
    int i = offset;
    while (i < end && b[i] >= 0) {
      i++;
    }
    if (i == end) {
      return new String(b, offset, length, StandardCharsets.ISO_8859_1); // ASCII: the fast path
    }
    char[] out = new char[length];
    int n = 0;
    for (int k = offset; k < i; k++) {
      out[n++] = (char) b[k];
    }
    boolean afterHighSurrogate = false; // the last char was an unpaired high surrogate
    while (i < end) {
      int b0 = b[i] & 0xFF;
      int start = i;
      if (b0 < 0x80) {
        out[n++] = (char) b0;
        i++;
        afterHighSurrogate = false;
      } else if (b0 >= 0xC2 && b0 <= 0xDF) {
        int b1 = continuation(b, i + 1, end, 0x80, 0xBF, start, offset);
        out[n++] = (char) ((b0 & 0x1F) << 6 | b1 & 0x3F);
        i += 2;
        afterHighSurrogate = false;
      } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        int b1 = continuation(b, i + 1, end, b0 == 0xE0 ? 0xA0 : 0x80, 0xBF, start, offset);
        int b2 = continuation(b, i + 2, end, 0x80, 0xBF, start, offset);
        char c = (char) ((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | b2 & 0x3F);
        if (afterHighSurrogate && Character.isLowSurrogate(c)) {
          throw malformed("a surrogate pair written as two 3-byte sequences", start, offset);
        }
        out[n++] = c;
        i += 3;
        afterHighSurrogate = Character.isHighSurrogate(c);
      } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        int lo = b0 == 0xF0 ? 0x90 : 0x80;
        int hi = b0 == 0xF4 ? 0x8F : 0xBF;
        int b1 = continuation(b, i + 1, end, lo, hi, start, offset);
        int b2 = continuation(b, i + 2, end, 0x80, 0xBF, start, offset);
        int b3 = continuation(b, i + 3, end, 0x80, 0xBF, start, offset);
        int cp = (b0 & 0x07) << 18 | (b1 & 0x3F) << 12 | (b2 & 0x3F) << 6 | b3 & 0x3F;
        out[n++] = Character.highSurrogate(cp);
        out[n++] = Character.lowSurrogate(cp);
        i += 4;
        afterHighSurrogate = false;
      } else {
        throw malformed(String.format("byte 0x%02x cannot start a sequence", b0), start, offset);
      }
    }
    return new String(out, 0, n);
  }

  private static int continuation(
      byte[] b, int at, int end, int lo, int hi, int start, int offset) {
    if (at >= end) {
      throw malformed("a sequence truncated by the end of the string", start, offset);
    }
    int v = b[at] & 0xFF;
    if (v < lo || v > hi) {
      throw malformed(
          String.format("byte 0x%02x where a continuation byte belongs", v), start, offset);
    }
    return v;
  }

  private static CodecException malformed(String what, int at, int offset) {
    return new CodecException("Malformed UTF-8 in a String: " + what + " at byte " + (at - offset));
  }
}
