package dev.groupcache;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable sequence of bytes: the keys and values of a {@link Group}.
 *
 * <p>A view never exposes its backing array, so one value can be handed to any number of callers
 * and sent to peers without copying. {@link #equals} and {@link #hashCode} compare contents, which
 * makes a view usable as a map key; the hash code is computed on first use and kept, so values,
 * which are never hashed, do not pay for it.
 *
 * <p>Views are ordered as unsigned bytes, lexicographically, consistently with {@link #equals}.
 *
 * <p>Higher layers turn objects into views through a codec; this layer deals only in bytes.
 */
public final class ByteView implements Comparable<ByteView> {
  private static final ByteView EMPTY = new ByteView(new byte[0]);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final byte[] bytes;
  private int hash; // 0 until computed; a race only computes it twice, as String's does

  private ByteView(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Returns a view of a copy of {@code bytes}. */
  public static ByteView copyOf(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new ByteView(bytes.clone());
  }

  /** Returns a view of a copy of {@code length} bytes of {@code bytes} from {@code offset}. */
  public static ByteView copyOf(byte[] bytes, int offset, int length) {
    return length == 0 ? EMPTY : new ByteView(Arrays.copyOfRange(bytes, offset, offset + length));
  }

  /** Returns a view of a copy of {@code bytes}: one copy, where {@code toByteArray} would add one. */
  public static ByteView copyOf(ByteString bytes) {
    if (bytes.isEmpty()) {
      return EMPTY;
    }
    byte[] b = new byte[bytes.size()];
    bytes.copyTo(b, 0);
    return new ByteView(b);
  }

  /** Returns a view of the serialized {@code message}, without a second copy. */
  public static ByteView of(MessageLite message) {
    return wrap(message.toByteArray());
  }

  /** Returns a view of the UTF-8 encoding of {@code s}. */
  public static ByteView of(String s) {
    return s.isEmpty() ? EMPTY : new ByteView(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the empty view. */
  public static ByteView empty() {
    return EMPTY;
  }

  /**
   * Takes ownership of {@code bytes} without copying: for an array the caller has just built and
   * hands over, to save the copy {@link #copyOf(byte[])} would make. The caller must never modify
   * the array afterwards, or the view is no longer immutable.
   */
  public static ByteView wrap(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new ByteView(bytes);
  }

  /** The backing array, for zero-copy hand-off to the wire. Never modified, never leaked. */
  byte[] array() {
    return bytes;
  }

  /** Returns the number of bytes. */
  public int length() {
    return bytes.length;
  }

  /** Returns the byte at {@code index}. */
  public byte byteAt(int index) {
    return bytes[index];
  }

  /** Returns a new array holding a copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /**
   * Returns a new array holding a copy of the bytes from {@code from} (inclusive) to {@code to}
   * (exclusive).
   *
   * @throws IndexOutOfBoundsException if the range is not within the view
   */
  public byte[] copyOfRange(int from, int to) {
    Objects.checkFromToIndex(from, to, bytes.length);
    return Arrays.copyOfRange(bytes, from, to);
  }

  /** Copies the bytes into {@code dest} starting at {@code offset}. */
  public void copyTo(byte[] dest, int offset) {
    System.arraycopy(bytes, 0, dest, offset, bytes.length);
  }

  /** Returns a read-only buffer over the bytes, without copying. */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** Decodes the bytes as UTF-8. */
  public String toStringUtf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Compares the bytes as unsigned values, lexicographically; a prefix comes first. */
  @Override
  public int compareTo(ByteView other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof ByteView
        && ((ByteView) o).hashCode() == hashCode()
        && Arrays.equals(((ByteView) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0 && bytes.length > 0) {
      h = Arrays.hashCode(bytes);
      hash = h;
    }
    return h;
  }

  /** Returns the length and, for short views, the bytes in hex: for logs, not for parsing. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ByteView[").append(bytes.length);
    if (bytes.length <= 32) {
      sb.append(' ');
      for (byte b : bytes) {
        sb.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
    return sb.append(']').toString();
  }
}
