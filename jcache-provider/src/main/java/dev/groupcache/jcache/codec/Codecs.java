package dev.groupcache.jcache.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.Codec;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Turns the keys and values of a cache into {@link ByteView}s and back: the built-in codecs, the
 * user's {@link Codec}s, and Java serialization when an allowlist turns it on. Immutable and
 * thread-safe; one per cache manager.
 *
 * <p>Every encoding starts with a one-byte tag, so an untyped cache can decode what it holds:
 *
 * <pre>
 *   tag   type        payload
 *   0x01  String      UTF-8 (an unpaired surrogate as its 3-byte form, see CodecUtf8)
 *   0x02  byte[]      the bytes
 *   0x03  Boolean     1 byte, 0 or 1
 *   0x04  Byte        1 byte
 *   0x05  Short       2 bytes, big-endian
 *   0x06  Character   2 bytes, big-endian
 *   0x07  Integer     4 bytes, big-endian
 *   0x08  Long        8 bytes, big-endian
 *   0x09  Float       4 bytes, big-endian Float.floatToIntBits
 *   0x0A  Double      8 bytes, big-endian Double.doubleToLongBits
 *   0x40  a Codec     id length n (1 byte, 1-127), n bytes of ASCII id, the codec's bytes
 *   0x41  serialized  an ObjectOutputStream stream
 * </pre>
 *
 * Floats and doubles are written as {@code floatToIntBits}/{@code doubleToLongBits}, the bits that
 * {@code equals} compares: every NaN encodes alike, and {@code 0.0} and {@code -0.0}, which are not
 * equal, encode differently. Equal keys of the built-in types therefore give equal bytes on every
 * JVM, and unequal keys give unequal bytes.
 *
 * <p>A value's codec is, in order: a codec discovered for exactly its class (one for a built-in
 * type is ignored with a warning), the built-in codec, then Java serialization if allowed. Anything else
 * fails on {@link #encode}, on the caller's thread, with an {@link IllegalArgumentException} that
 * names the class and the remedy.
 *
 * <p>Decoding failures (malformed bytes, an unknown codec id, a refused class) throw a {@link
 * CodecException}, a {@link javax.cache.CacheException}.
 *
 * <p>Long (over 400 lines) because it is the one wire format of values: every tag's encoding and
 * decoding side by side, so that the two cannot drift apart.
 */
public final class Codecs {
  /** The setting that turns Java serialization on, for the classes its patterns admit. */
  static final String SERIALIZATION_ALLOWLIST = "groupcache.serialization.allowlist";

  static final byte TAG_STRING = 0x01;
  static final byte TAG_BYTES = 0x02;
  static final byte TAG_BOOLEAN = 0x03;
  static final byte TAG_BYTE = 0x04;
  static final byte TAG_SHORT = 0x05;
  static final byte TAG_CHARACTER = 0x06;
  static final byte TAG_INTEGER = 0x07;
  static final byte TAG_LONG = 0x08;
  static final byte TAG_FLOAT = 0x09;
  static final byte TAG_DOUBLE = 0x0A;
  static final byte TAG_CODEC = 0x40;
  static final byte TAG_SERIALIZED = 0x41;

  static final int MAX_ID_LENGTH = 127;

  private static final System.Logger LOG = System.getLogger(Codecs.class.getName());
  private static final List<Class<?>> BUILT_IN_TYPES =
      List.of(
          String.class,
          byte[].class,
          Boolean.class,
          Byte.class,
          Short.class,
          Character.class,
          Integer.class,
          Long.class,
          Float.class,
          Double.class);

  /** A user codec, its id as validated, and its header: the tag, the id length, the id. */
  private record Entry(Codec<?> codec, String id, byte[] header) {}

  private final Map<Class<?>, Entry> byType;
  private final Map<String, Entry> byId;
  private final JavaSerialization serialization; // null when off
  private final int maxValueBytes;

  private Codecs(Map<Class<?>, Entry> byType, JavaSerialization serialization, int maxValueBytes) {
    this.byType = byType;
    this.byId = new HashMap<>();
    for (Entry e : byType.values()) {
      byId.put(e.id(), e);
    }
    this.serialization = serialization;
    this.maxValueBytes = maxValueBytes;
  }

  /**
   * Returns the codecs found through {@link ServiceLoader} in {@code loader}, with Java
   * serialization for the classes {@code serializationAllowlist} admits.
   *
   * @param serializationAllowlist the setting's entries, separated by commas or semicolons:
   *     patterns in {@link java.io.ObjectInputFilter.Config#createFilter} syntax, presets such as
   *     {@code hibernate}, array types (see {@link JavaSerialization}); empty turns Java
   *     serialization off
   * @param maxValueBytes the largest encoding; also the limit on serialized streams and arrays
   * @throws IllegalArgumentException if the allowlist is malformed or a codec is invalid
   * @throws IllegalStateException if a codec cannot be loaded, or two codecs share a type or id
   */
  public static Codecs create(ClassLoader loader, String serializationAllowlist, int maxValueBytes) {
    return create(loader, serializationAllowlist, maxValueBytes, List.of());
  }

  /**
   * As {@link #create(ClassLoader, String, int)}, plus {@code registered} codecs, which replace
   * discovered and built-in codecs for their types: for tests, which would otherwise need a service
   * file per codec. Applications have no way to register one; they list codecs for ServiceLoader.
   */
  public static Codecs create(
      ClassLoader loader,
      String serializationAllowlist,
      int maxValueBytes,
      Collection<? extends Codec<?>> registered) {
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(serializationAllowlist, "serializationAllowlist");
    if (maxValueBytes <= 0) {
      throw new IllegalArgumentException("maxValueBytes must be positive: " + maxValueBytes);
    }
    Map<Class<?>, Entry> byType = new LinkedHashMap<>();
    for (Codec<?> codec : discover(loader)) {
      Entry entry = entry(codec);
      Class<?> type = codec.type();
      if (BUILT_IN_TYPES.contains(type)) {
        LOG.log(
            Level.WARNING,
            "Ignoring discovered codec {0} for {1}: the built-in codec keeps that type",
            codec.getClass().getName(),
            type.getTypeName());
        continue;
      }
      Entry previous = byType.putIfAbsent(type, entry);
      if (previous != null) {
        throw new IllegalStateException(
            "Two discovered codecs for "
                + type.getTypeName()
                + ": "
                + previous.codec().getClass().getName()
                + " and "
                + codec.getClass().getName());
      }
    }
    Map<Class<?>, Entry> explicit = new HashMap<>();
    for (Codec<?> codec : registered) {
      Entry entry = entry(Objects.requireNonNull(codec, "registered codec"));
      Entry previous = explicit.put(codec.type(), entry);
      if (previous != null) {
        throw new IllegalStateException(
            "Two registered codecs for "
                + codec.type().getTypeName()
                + ": "
                + previous.codec().getClass().getName()
                + " and "
                + codec.getClass().getName());
      }
      Entry replaced = byType.put(codec.type(), entry);
      if (replaced != null) {
        LOG.log(
            Level.DEBUG,
            "Registered codec {0} replaces discovered codec {1} for {2}",
            codec.getClass().getName(),
            replaced.codec().getClass().getName(),
            codec.type().getTypeName());
      }
    }
    Map<String, Codec<?>> ids = new HashMap<>();
    for (Entry e : byType.values()) {
      Codec<?> other = ids.put(e.id(), e.codec());
      if (other != null) {
        throw new IllegalStateException(
            "Codecs "
                + other.getClass().getName()
                + " and "
                + e.codec().getClass().getName()
                + " share the id \""
                + e.id()
                + "\"; ids must be unique");
      }
    }
    JavaSerialization serialization =
        JavaSerialization.create(serializationAllowlist, loader, maxValueBytes);
    Codecs codecs = new Codecs(Map.copyOf(byType), serialization, maxValueBytes);
    LOG.log(Level.DEBUG, "Codecs: {0}", codecs);
    return codecs;
  }

  /**
   * The codecs listed in the services of {@code loader} and of the provider's own loader: the
   * latter differs when the provider is embedded with codecs of its own, as in the agent, whose
   * hidden loader the application's cannot see.
   */
  private static List<Codec<?>> discover(ClassLoader loader) {
    Map<Class<?>, Codec<?>> found = new LinkedHashMap<>();
    ClassLoader own = Codec.class.getClassLoader();
    for (ClassLoader l : own == null || own == loader ? List.of(loader) : List.of(loader, own)) {
      try {
        for (Codec<?> codec : ServiceLoader.load(Codec.class, l)) {
          found.putIfAbsent(codec.getClass(), codec);
        }
      } catch (ServiceConfigurationError e) {
        throw new IllegalStateException(
            "Cannot load a codec listed in META-INF/services/" + Codec.class.getName() + ": " + e, e);
      }
    }
    return new ArrayList<>(found.values());
  }

  private static Entry entry(Codec<?> codec) {
    Class<?> type = codec.type();
    String id = codec.id();
    String name = codec.getClass().getName();
    if (type == null || type.isPrimitive()) {
      throw new IllegalArgumentException("Codec " + name + " has no valid type(): " + type);
    }
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH || !printableAscii(id)) {
      throw new IllegalArgumentException(
          "Codec "
              + name
              + " has an invalid id() \""
              + id
              + "\": it must be 1 to "
              + MAX_ID_LENGTH
              + " printable ASCII characters without spaces");
    }
    byte[] header = new byte[2 + id.length()];
    header[0] = TAG_CODEC;
    header[1] = (byte) id.length();
    System.arraycopy(id.getBytes(StandardCharsets.US_ASCII), 0, header, 2, id.length());
    return new Entry(codec, id, header);
  }

  private static boolean printableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7F) {
        return false;
      }
    }
    return true;
  }

  /** Whether Java serialization is on. */
  boolean serializationEnabled() {
    return serialization != null;
  }

  /**
   * Encodes {@code value}.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if no codec covers the value's class, the encoding is larger
   *     than the maximum value size, or the codec fails
   */
  public ByteView encode(Object value) {
    Objects.requireNonNull(value, "value");
    Entry entry = codecFor(value);
    if (entry != null) {
      return encodeWith(entry, value).toByteView();
    }
    byte[] b;
    if (value instanceof String s) {
      b = CodecUtf8.tagged(TAG_STRING, s, maxValueBytes);
      if (b == null) {
        checkSize(1 + CodecUtf8.length(s), value);
      }
    } else if (value instanceof byte[] v) {
      checkSize(1L + v.length, value);
      b = new byte[1 + v.length];
      b[0] = TAG_BYTES;
      System.arraycopy(v, 0, b, 1, v.length);
    } else if (value instanceof Long v) {
      b = fixed(TAG_LONG, v, 8);
    } else if (value instanceof Integer v) {
      b = fixed(TAG_INTEGER, v, 4);
    } else if (value instanceof Double v) {
      b = fixed(TAG_DOUBLE, Double.doubleToLongBits(v), 8);
    } else if (value instanceof Float v) {
      b = fixed(TAG_FLOAT, Float.floatToIntBits(v), 4);
    } else if (value instanceof Boolean v) {
      b = fixed(TAG_BOOLEAN, v ? 1 : 0, 1);
    } else if (value instanceof Short v) {
      b = fixed(TAG_SHORT, v, 2);
    } else if (value instanceof Character v) {
      b = fixed(TAG_CHARACTER, v, 2);
    } else if (value instanceof Byte v) {
      b = fixed(TAG_BYTE, v, 1);
    } else {
      return encodeSerialized(value).toByteView();
    }
    return ByteView.wrap(b); // built here, handed over: no second copy
  }

  /**
   * Decodes bytes that {@link #encode} produced, here or on another node with the same codecs.
   * Returns a new object for every mutable type.
   *
   * @throws CodecException if the bytes are malformed, name a codec that is not here, or hold a
   *     class that serialization refuses
   */
  public Object decode(ByteView bytes) {
    int n = bytes.length();
    if (n > 0 && bytes.byteAt(0) == TAG_BYTES) {
      return bytes.copyOfRange(1, n); // the usual value of a cache of bytes: one copy, nothing wrapped
    }
    if (n > 0 && bytes.byteAt(0) == TAG_STRING) {
      return CodecUtf8.decode(bytes.toByteArray(), 1, n - 1);
    }
    return decode(UnsafeByteOperations.unsafeWrap(bytes.asReadOnlyBuffer()));
  }

  /**
   * As {@link #decode(ByteView)}, straight from a message's bytes: a value read from an owner is
   * copied once, into the object it decodes to.
   */
  public Object decode(ByteString bytes) {
    int n = bytes.size();
    if (n == 0) {
      throw new CodecException("Cannot decode an empty byte sequence: it has no type tag");
    }
    byte tag = bytes.byteAt(0);
    switch (tag) {
      case TAG_STRING:
        {
          byte[] b = bytes.toByteArray(); // the one copy; decoding starts past the tag
          return CodecUtf8.decode(b, 1, n - 1);
        }
      case TAG_BYTES:
        return bytes.substring(1).toByteArray();
      case TAG_BOOLEAN:
        {
          long v = fixed(bytes, 1, "Boolean");
          if (v != 0 && v != 1) {
            throw new CodecException("Malformed Boolean: payload neither 0 nor 1 in " + ByteView.copyOf(bytes));
          }
          return v == 1;
        }
      case TAG_BYTE:
        return (byte) fixed(bytes, 1, "Byte");
      case TAG_SHORT:
        return (short) fixed(bytes, 2, "Short");
      case TAG_CHARACTER:
        return (char) fixed(bytes, 2, "Character");
      case TAG_INTEGER:
        return (int) fixed(bytes, 4, "Integer");
      case TAG_LONG:
        return fixed(bytes, 8, "Long");
      case TAG_FLOAT:
        return Float.intBitsToFloat((int) fixed(bytes, 4, "Float"));
      case TAG_DOUBLE:
        return Double.longBitsToDouble(fixed(bytes, 8, "Double"));
      case TAG_CODEC:
      case TAG_SERIALIZED:
        {
          return decodeTagged(bytes.toByteArray());
        }
      default:
        throw new CodecException(
            String.format("Cannot decode %s: unknown type tag 0x%02x", ByteView.copyOf(bytes), tag & 0xFF));
    }
  }

  /** The user codec for exactly the value's class (for an enum constant, its enum), or null. */
  private Entry codecFor(Object value) {
    if (byType.isEmpty()) {
      return null;
    }
    Entry entry = byType.get(value.getClass());
    if (entry == null && value instanceof Enum<?> e) {
      entry = byType.get(e.getDeclaringClass());
    }
    return entry;
  }

  private CodecOutput encodeWith(Entry entry, Object value) {
    Codec<?> codec = entry.codec();
    CodecOutput out = new CodecOutput(Math.max(64, entry.header().length * 2), maxValueBytes);
    try {
      out.write(entry.header());
      writeTo(codec, value, out);
    } catch (CodecOutput.LimitExceededException e) {
      throw tooLarge(value, e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "Codec \""
              + entry.id()
              + "\" ("
              + codec.getClass().getName()
              + ") failed to encode a "
              + value.getClass().getName()
              + ": "
              + e,
          e);
    }
    return out;
  }

  private static <T> void writeTo(Codec<T> codec, Object value, CodecOutput out)
      throws IOException {
    codec.encode(codec.type().cast(value), out);
  }

  private CodecOutput encodeSerialized(Object value) {
    if (serialization == null) {
      throw new IllegalArgumentException(
          "Cannot encode "
              + value.getClass().getTypeName()
              + ": no codec covers it and Java serialization is off; register a "
              + Codec.class.getName()
              + " for it, or, if it is Serializable, allow it: set "
              + SERIALIZATION_ALLOWLIST
              + "="
              + JavaSerialization.entryFor(value.getClass())
              + " on every node");
    }
    CodecOutput out = new CodecOutput(256, maxValueBytes);
    try {
      out.write(TAG_SERIALIZED);
      serialization.write(value, out);
    } catch (CodecOutput.LimitExceededException e) {
      throw tooLarge(value, e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot serialize a " + value.getClass().getName() + ": " + e, e);
    }
    return out;
  }

  /** Decodes a codec's or serialization's bytes: {@code b[0]} is the tag. */
  private Object decodeTagged(byte[] b) {
    int length = b.length;
    if (b[0] == TAG_SERIALIZED) {
      if (serialization == null) {
        throw new CodecException(
            "Cannot decode a Java-serialized value: serialization is off on this node; set "
                + SERIALIZATION_ALLOWLIST
                + " alike on every node");
      }
      return serialization.read(b, 1, length - 1);
    }
    if (length < 2) {
      throw new CodecException("Malformed codec value: truncated before the codec id length");
    }
    int idLength = b[1];
    if (idLength < 1) {
      throw new CodecException("Malformed codec value: invalid codec id length " + (b[1] & 0xFF));
    }
    if (length < 2 + idLength) {
      throw new CodecException(
          "Malformed codec value: truncated inside the codec id ("
              + (length - 2)
              + " of "
              + idLength
              + " bytes)");
    }
    String id = new String(b, 2, idLength, StandardCharsets.ISO_8859_1);
    Entry entry = byId.get(id);
    if (entry == null) {
      throw new CodecException(
          "Cannot decode a value of codec \""
              + (printableAscii(id) ? id : "(not printable ASCII)")
              + "\": no such codec here; every node needs the same codecs");
    }
    int offset = 2 + idLength;
    int payload = length - offset;
    Codec<?> codec = entry.codec();
    CodecInput in = new CodecInput(b, offset, payload);
    Object value;
    try {
      value = codec.decode(in, payload);
    } catch (EOFException e) {
      throw new CodecException(
          "Malformed value for codec \"" + id + "\": truncated (" + e.getMessage() + ")", e);
    } catch (IOException | RuntimeException e) {
      throw new CodecException("Codec \"" + id + "\" failed to decode: " + e, e);
    }
    if (!codec.type().isInstance(value)) {
      throw new CodecException(
          "Codec \""
              + id
              + "\" decoded "
              + (value == null ? "null" : "a " + value.getClass().getName())
              + ", not a "
              + codec.type().getTypeName());
    }
    if (in.remaining() > 0) {
      throw new CodecException(
          "Malformed value for codec \""
              + id
              + "\": "
              + in.remaining()
              + " of "
              + payload
              + " bytes left unread");
    }
    return value;
  }

  private void checkSize(long length, Object value) {
    if (length > maxValueBytes) {
      throw new IllegalArgumentException(
          "A "
              + value.getClass().getSimpleName()
              + " of "
              + length
              + " encoded bytes exceeds the maximum value size of "
              + maxValueBytes
              + " bytes");
    }
  }

  private IllegalArgumentException tooLarge(Object value, CodecOutput.LimitExceededException e) {
    return new IllegalArgumentException(
        "Cannot encode a " + value.getClass().getName() + ": " + e.getMessage(), e);
  }

  private static byte[] fixed(byte tag, long v, int width) {
    byte[] b = new byte[1 + width];
    b[0] = tag;
    for (int i = width; i > 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  /** Reads the big-endian, sign-extended payload of a fixed-width built-in, checking its length. */
  private static long fixed(ByteString bytes, int width, String type) {
    if (bytes.size() != 1 + width) {
      throw new CodecException("Malformed " + type + ": " + (bytes.size() - 1) + " payload bytes where " + width
          + " belong, in " + ByteView.copyOf(bytes));
    }
    long v = bytes.byteAt(1); // sign-extends, so narrowing casts give the signed value
    for (int i = 2; i <= width; i++) {
      v = v << 8 | bytes.byteAt(i) & 0xFF;
    }
    return v;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Codecs[codecs=");
    StringBuilder list = new StringBuilder();
    for (Entry e : byType.values()) {
      if (list.length() > 0) {
        list.append(", ");
      }
      list.append(e.id()).append('=').append(e.codec().type().getTypeName());
    }
    sb.append('{').append(list).append('}');
    sb.append(", serialization=")
        .append(serialization == null ? "off" : '"' + serialization.allowlist() + '"')
        .append(", maxValueBytes=")
        .append(maxValueBytes)
        .append(']');
    return sb.toString();
  }
}
