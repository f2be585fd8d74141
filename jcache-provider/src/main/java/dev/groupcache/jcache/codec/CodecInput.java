package dev.groupcache.jcache.codec;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A big-endian reader over a slice of an array: what user codecs and Java serialization read from.
 * Reading past the slice throws an {@link EOFException} that says how far it got. Not thread-safe.
 */
public final class CodecInput extends InputStream implements DataInput {
  private final byte[] buf;
  private final int start;
  private final int end;
  private int pos;

  CodecInput(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.start = offset;
    this.end = offset + length;
    this.pos = offset;
  }

  /** Returns how many bytes are left. */
  int remaining() {
    return end - pos;
  }

  private int take(int n) throws EOFException {
    if (n > end - pos) {
      throw new EOFException(
          "needs " + n + " more bytes at offset " + (pos - start) + " of " + (end - start));
    }
    int at = pos;
    pos += n;
    return at;
  }

  @Override
  public int read() {
    return pos < end ? buf[pos++] & 0xFF : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if ((off | len) < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + b.length);
    }
    if (len == 0) {
      return 0;
    }
    if (pos >= end) {
      return -1;
    }
    int n = Math.min(len, end - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public long skip(long n) {
    long k = Math.max(0, Math.min(n, end - pos));
    pos += (int) k;
    return k;
  }

  @Override
  public int available() {
    return end - pos;
  }

  @Override
  public void readFully(byte[] b) throws IOException {
    readFully(b, 0, b.length);
  }

  @Override
  public void readFully(byte[] b, int off, int len) throws IOException {
    if ((off | len) < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + b.length);
    }
    System.arraycopy(buf, take(len), b, off, len);
  }

  @Override
  public int skipBytes(int n) {
    return (int) skip(n);
  }

  @Override
  public boolean readBoolean() throws IOException {
    return buf[take(1)] != 0;
  }

  @Override
  public byte readByte() throws IOException {
    return buf[take(1)];
  }

  @Override
  public int readUnsignedByte() throws IOException {
    return buf[take(1)] & 0xFF;
  }

  @Override
  public short readShort() throws IOException {
    int at = take(2);
    return (short) ((buf[at] & 0xFF) << 8 | buf[at + 1] & 0xFF);
  }

  @Override
  public int readUnsignedShort() throws IOException {
    return readShort() & 0xFFFF;
  }

  @Override
  public char readChar() throws IOException {
    return (char) readShort();
  }

  @Override
  public int readInt() throws IOException {
    int at = take(4);
    return (buf[at] & 0xFF) << 24
        | (buf[at + 1] & 0xFF) << 16
        | (buf[at + 2] & 0xFF) << 8
        | buf[at + 3] & 0xFF;
  }

  @Override
  public long readLong() throws IOException {
    return (long) readInt() << 32 | readInt() & 0xFFFFFFFFL;
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat(readInt());
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(readLong());
  }

  /** Reads bytes as Latin-1 characters up to a line terminator, as {@link DataInput} specifies. */
  @Override
  public String readLine() {
    if (pos >= end) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    while (pos < end) {
      int c = buf[pos++] & 0xFF;
      if (c == '\n') {
        break;
      }
      if (c == '\r') {
        if (pos < end && buf[pos] == '\n') {
          pos++;
        }
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  @Override
  public String readUTF() throws IOException {
    return DataInputStream.readUTF(this);
  }
}
