package dev.groupcache.bench.node;

import java.nio.charset.StandardCharsets;

/**
 * The benchmark's data: every value is 1 KiB (W6's puts: 100 bytes) and a pure function of its
 * key (the key's bytes repeated), so any node, and any system, can produce or check it without
 * coordination.
 */
public final class Values {
  /** The size of every value but W6's. */
  public static final int VALUE_BYTES = 1024;

  private Values() {}

  /** The value of {@code key}: its UTF-8 bytes repeated to fill {@link #VALUE_BYTES}. */
  public static byte[] of(String key) {
    return of(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The value of a key given as bytes. */
  public static byte[] of(byte[] key) {
    return of(key, VALUE_BYTES);
  }

  /** A value of {@code size} bytes for {@code key}, made the same way: W6's smaller values. */
  public static byte[] of(String key, int size) {
    return of(key.getBytes(StandardCharsets.UTF_8), size);
  }

  private static byte[] of(byte[] key, int size) {
    byte[] value = new byte[size];
    if (key.length == 0) {
      return value;
    }
    for (int i = 0; i < size; i += key.length) {
      System.arraycopy(key, 0, value, i, Math.min(key.length, size - i));
    }
    return value;
  }
}
