package dev.groupcache.bench.node;

import java.nio.charset.StandardCharsets;

/**
 * The benchmark's data: every value is 1 KiB and a pure function of its key (the key's bytes
 * repeated), so any node, and any system, can produce or check it without coordination.
 */
public final class Values {
  /** The size of every value. */
  public static final int VALUE_BYTES = 1024;

  private Values() {}

  /** The value of {@code key}: its UTF-8 bytes repeated to fill {@link #VALUE_BYTES}. */
  public static byte[] of(String key) {
    return of(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The value of a key given as bytes. */
  public static byte[] of(byte[] key) {
    byte[] value = new byte[VALUE_BYTES];
    if (key.length == 0) {
      return value;
    }
    for (int i = 0; i < VALUE_BYTES; i += key.length) {
      System.arraycopy(key, 0, value, i, Math.min(key.length, VALUE_BYTES - i));
    }
    return value;
  }
}
