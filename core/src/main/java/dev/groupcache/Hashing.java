package dev.groupcache;

import static java.lang.Long.rotateLeft;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * XXH64, the 64-bit xxHash of Yann Collet, written from its specification.
 *
 * <p>Seed 0 only. The ring places peers and keys with it, so every JVM must compute the same value for the same
 * bytes: the function is fixed by the specification, independent of the platform's byte order, and
 * checked against the reference test vectors.
 */
final class Hashing {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private Hashing() {}

  static long xxh64(byte[] b) {
    int len = b.length;
    int i = 0;
    long h;
    if (len >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      for (int limit = len - 32; i <= limit; i += 32) {
        v1 = round(v1, (long) LONGS.get(b, i));
        v2 = round(v2, (long) LONGS.get(b, i + 8));
        v3 = round(v3, (long) LONGS.get(b, i + 16));
        v4 = round(v4, (long) LONGS.get(b, i + 24));
      }
      h = rotateLeft(v1, 1) + rotateLeft(v2, 7) + rotateLeft(v3, 12) + rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = P5;
    }
    h += len;
    for (; i + 8 <= len; i += 8) {
      h ^= round(0, (long) LONGS.get(b, i));
      h = rotateLeft(h, 27) * P1 + P4;
    }
    if (i + 4 <= len) {
      h ^= ((int) INTS.get(b, i) & 0xFFFFFFFFL) * P1;
      h = rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    for (; i < len; i++) {
      h ^= (b[i] & 0xFFL) * P5;
      h = rotateLeft(h, 11) * P1;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    return rotateLeft(acc + input * P2, 31) * P1;
  }

  private static long merge(long h, long v) {
    return (h ^ round(0, v)) * P1 + P4;
  }
}
