package dev.groupcache.jcache.codec;

import dev.groupcache.ByteView;
import java.io.DataOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UTFDataFormatException;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer with a size limit: what user codecs and Java serialization
 * write into. Not thread-safe; one per encoding.
 */
public final class CodecOutput extends OutputStream implements DataOutput {

  /** Thrown when a write would pass the limit; an {@link IOException} so it crosses codec code. */
  static final class LimitExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    LimitExceededException(int limit) {
      super("the encoding exceeds the maximum value size of " + limit + " bytes");
    }
  }

  private final int limit;
  private byte[] buf;
  private int size;

  CodecOutput(int initialCapacity, int limit) {
    this.limit = limit;
    this.buf = new byte[Math.min(initialCapacity, limit)];
  }

  /** Returns the number of bytes written. */
  int size() {
    return size;
  }

  /** Returns the bytes written; this output is not to be written to afterwards. */
  ByteView toByteView() {
    return size == buf.length ? ByteView.wrap(buf) : ByteView.copyOf(buf, 0, size);
  }

  private void ensure(int n) throws LimitExceededException {
    if (n > limit - size) {
      throw new LimitExceededException(limit);
    }
    int needed = size + n;
    if (needed > buf.length) {
      int grown = (int) Math.min((long) limit, Math.max((long) buf.length * 2, needed));
      buf = Arrays.copyOf(buf, grown);
    }
  }

  @Override
  public void write(int b) throws IOException {
    ensure(1);
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if ((off | len) < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + b.length);
    }
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  @Override
  public void writeBoolean(boolean v) throws IOException {
    write(v ? 1 : 0);
  }

  @Override
  public void writeByte(int v) throws IOException {
    write(v);
  }

  @Override
  public void writeShort(int v) throws IOException {
    ensure(2);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
  }

  @Override
  public void writeChar(int v) throws IOException {
    writeShort(v);
  }

  @Override
  public void writeInt(int v) throws IOException {
    ensure(4);
    buf[size++] = (byte) (v >>> 24);
    buf[size++] = (byte) (v >>> 16);
    buf[size++] = (byte) (v >>> 8);
    buf[size++] = (byte) v;
  }

  @Override
  public void writeLong(long v) throws IOException {
    writeInt((int) (v >>> 32));
    writeInt((int) v);
  }

  @Override
  public void writeFloat(float v) throws IOException {
    writeInt(Float.floatToIntBits(v));
  }

  @Override
  public void writeDouble(double v) throws IOException {
    writeLong(Double.doubleToLongBits(v));
  }

  @Override
  public void writeBytes(String s) throws IOException {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[size++] = (byte) s.charAt(i);
    }
  }

  @Override
  public void writeChars(String s) throws IOException {
    int n = s.length();
    ensure(2 * n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      buf[size++] = (byte) (c >>> 8);
      buf[size++] = (byte) c;
    }
  }

  /** Writes {@code s} in the modified UTF-8 of {@link DataOutput#writeUTF}. */
  @Override
  public void writeUTF(String s) throws IOException {
    int n = s.length();
    long length = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      length += c != 0 && c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    if (length > 0xFFFF) {
      throw new UTFDataFormatException("string too long for writeUTF: " + length + " bytes");
    }
    ensure(2 + (int) length);
    buf[size++] = (byte) (length >>> 8);
    buf[size++] = (byte) length;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c != 0 && c < 0x80) {
        buf[size++] = (byte) c;
      } else if (c < 0x800) {
        buf[size++] = (byte) (0xC0 | c >> 6);
        buf[size++] = (byte) (0x80 | c & 0x3F);
      } else {
        buf[size++] = (byte) (0xE0 | c >> 12);
        buf[size++] = (byte) (0x80 | c >> 6 & 0x3F);
        buf[size++] = (byte) (0x80 | c & 0x3F);
      }
    }
  }
}
