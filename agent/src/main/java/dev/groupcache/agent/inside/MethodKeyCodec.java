package dev.groupcache.agent.inside;

import dev.groupcache.agent.annotations.MethodKey;
import dev.groupcache.jcache.Codec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The codec of {@link MethodKey}, the default key of the JSR-107 caching annotations: the number
 * of parameters, then each parameter as a one-byte tag and its payload.
 *
 * <pre>
 *   tag  type       payload
 *   0    null       none
 *   1    String     its length in chars (int), then chunks of at most 21845 chars, each in the
 *                   modified UTF-8 of DataOutput.writeUTF: lossless, unpaired surrogates included
 *   2    byte[]     its length (int), the bytes
 *   3    Boolean    1 byte, 0 or 1
 *   4    Byte       1 byte
 *   5    Short      2 bytes
 *   6    Character  2 bytes
 *   7    Integer    4 bytes
 *   8    Long       8 bytes
 *   9    Float      4 bytes, Float.floatToIntBits
 *   10   Double     8 bytes, Double.doubleToLongBits
 * </pre>
 *
 * Every type here has one encoding per value as {@code equals} sees it, so equal keys give equal
 * bytes and unequal keys unequal bytes. Keys with parameters of other types cannot be encoded: such
 * methods need a {@link javax.cache.annotation.CacheKeyGenerator} of their own.
 */
public final class MethodKeyCodec implements Codec<MethodKey> {
  static final String ID = "dev.groupcache.method-key.v1";

  private static final int NULL = 0;
  private static final int STRING = 1;
  private static final int BYTES = 2;
  private static final int BOOLEAN = 3;
  private static final int BYTE = 4;
  private static final int SHORT = 5;
  private static final int CHARACTER = 6;
  private static final int INTEGER = 7;
  private static final int LONG = 8;
  private static final int FLOAT = 9;
  private static final int DOUBLE = 10;

  /** The most chars whose modified UTF-8 (at most 3 bytes each) fits one writeUTF. */
  private static final int CHUNK = 65535 / 3;

  public MethodKeyCodec() {}

  @Override
  public Class<MethodKey> type() {
    return MethodKey.class;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void encode(MethodKey key, DataOutput out) throws IOException {
    int size = key.size();
    out.writeInt(size);
    for (int i = 0; i < size; i++) { // not key.parameters(): no copy of the array on every encoding
      write(key.parameter(i), i, out);
    }
  }

  private static void write(Object p, int position, DataOutput out) throws IOException {
    if (p == null) {
      out.writeByte(NULL);
    } else if (p instanceof String s) {
      out.writeByte(STRING);
      out.writeInt(s.length());
      for (int start = 0; start < s.length(); start += CHUNK) {
        out.writeUTF(s.substring(start, Math.min(s.length(), start + CHUNK)));
      }
    } else if (p instanceof byte[] b) {
      out.writeByte(BYTES);
      out.writeInt(b.length);
      out.write(b);
    } else if (p instanceof Boolean v) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(v);
    } else if (p instanceof Byte v) {
      out.writeByte(BYTE);
      out.writeByte(v);
    } else if (p instanceof Short v) {
      out.writeByte(SHORT);
      out.writeShort(v);
    } else if (p instanceof Character v) {
      out.writeByte(CHARACTER);
      out.writeChar(v);
    } else if (p instanceof Integer v) {
      out.writeByte(INTEGER);
      out.writeInt(v);
    } else if (p instanceof Long v) {
      out.writeByte(LONG);
      out.writeLong(v);
    } else if (p instanceof Float v) {
      out.writeByte(FLOAT);
      out.writeInt(Float.floatToIntBits(v)); // the bits equals compares: one NaN, 0.0 != -0.0
    } else if (p instanceof Double v) {
      out.writeByte(DOUBLE);
      out.writeLong(Double.doubleToLongBits(v));
    } else {
      throw new IOException("Key parameter " + position + " is a " + p.getClass().getName()
          + ", which the default key of the caching annotations cannot encode: only null, String, byte[]"
          + " and the primitive wrappers. Give the method a CacheKeyGenerator (cacheKeyGenerator = ...) whose"
          + " keys have a dev.groupcache.jcache.Codec, or are Serializable and admitted by"
          + " groupcache.serialization.allowlist");
    }
  }

  @Override
  public MethodKey decode(DataInput in, int length) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > length) { // each parameter takes at least its tag
      throw new IOException("Malformed MethodKey: " + count + " parameters in " + length + " bytes");
    }
    Object[] parameters = new Object[count];
    for (int i = 0; i < count; i++) {
      parameters[i] = read(in, length);
    }
    return MethodKey.of(parameters);
  }

  private static Object read(DataInput in, int length) throws IOException {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case NULL:
        return null;
      case STRING: {
        int chars = checkedLength(in.readInt(), length, "String");
        StringBuilder s = new StringBuilder(chars);
        while (s.length() < chars) {
          s.append(in.readUTF());
        }
        if (s.length() != chars) {
          throw new IOException("Malformed MethodKey: a String of " + s.length() + " chars, not " + chars);
        }
        return s.toString();
      }
      case BYTES: {
        byte[] b = new byte[checkedLength(in.readInt(), length, "byte[]")];
        in.readFully(b);
        return b;
      }
      case BOOLEAN: {
        int v = in.readUnsignedByte();
        if (v > 1) {
          throw new IOException("Malformed MethodKey: a Boolean of " + v);
        }
        return v == 1;
      }
      case BYTE:
        return in.readByte();
      case SHORT:
        return in.readShort();
      case CHARACTER:
        return in.readChar();
      case INTEGER:
        return in.readInt();
      case LONG:
        return in.readLong();
      case FLOAT:
        return Float.intBitsToFloat(in.readInt());
      case DOUBLE:
        return Double.longBitsToDouble(in.readLong());
      default:
        throw new IOException("Malformed MethodKey: unknown parameter tag " + tag);
    }
  }

  /** A length read from the input, which cannot exceed the whole input's. */
  private static int checkedLength(int n, int length, String type) throws IOException {
    if (n < 0 || n > length) {
      throw new IOException("Malformed MethodKey: a " + type + " of length " + n + " in " + length + " bytes");
    }
    return n;
  }
}
