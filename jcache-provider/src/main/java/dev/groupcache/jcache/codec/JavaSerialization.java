package dev.groupcache.jcache.codec;

import dev.groupcache.jcache.Codec;
import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter.FilterInfo;
import java.io.ObjectInputFilter.Status;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Java serialization restricted to an allowlist: the fallback for {@link Serializable} types that
 * no codec covers, used only when the allowlist is set.
 *
 * <p>The allowlist is written as the setting takes it, entries separated by commas (or, as {@link
 * ObjectInputFilter.Config#createFilter} separates them, semicolons), such as {@code
 * hibernate,com.example.**,java.util.*}. Each entry is a pattern in the syntax of {@code
 * createFilter}, a preset's name ({@link SerializationPresets}), or an array type {@code Type[]},
 * which means {@code Type}: the filter matches an array by its element type, so allowing a class
 * allows its arrays. It becomes one filter: the default limits, then the patterns, then a few inert
 * {@code java.lang} classes (the boxes, {@code Number}, {@code Enum}, and {@code Object} for {@code
 * Object[]}), then {@code !*}, which rejects every other class. The patterns may set their own
 * limits ({@code maxdepth=20}), which replace the defaults.
 *
 * <p>Every refusal says how to write the setting to admit the class: the list as given, comma
 * separated, with the class (its element type for an array, its preset's name for a preset's
 * class) added.
 *
 * <p>Decoding runs the filter on every class named in the stream, before any instance exists, so a
 * refused class is loaded at most (never initialized or instantiated) and its {@code readObject}
 * never runs. Encoding applies the same filter to every object written, so a value other nodes
 * would refuse fails on the caller, before it is sent.
 *
 * <p>Long (over 400 lines) because the allowlist's filter and every check it needs are one piece
 * of security code, read and reviewed as one.
 */
public final class JavaSerialization {
  private static final System.Logger LOG = System.getLogger(JavaSerialization.class.getName());

  /**
   * Classes always allowed: inert, and needed by almost any serialized graph. {@code Object} is
   * never serialized itself; it stands for {@code Object[]}, which collections read into.
   */
  private static final String ALWAYS_ALLOWED =
      "java.lang.Object;java.lang.Number;java.lang.Enum;java.lang.Boolean;java.lang.Byte;"
          + "java.lang.Short;java.lang.Character;java.lang.Integer;java.lang.Long;java.lang.Float;"
          + "java.lang.Double";

  static final int DEFAULT_MAX_DEPTH = 100;
  static final int DEFAULT_MAX_REFS = 1_000_000;

  private final String allowlist; // as written, comma-separated: for messages
  private final ObjectInputFilter filter;
  private final ClassLoader loader;
  private final ClassValue<String> refusals; // "" when a class may be written, else why not
  private final Set<String> reported = ConcurrentHashMap.newKeySet(); // refusals logged

  private JavaSerialization(String allowlist, ObjectInputFilter filter, ClassLoader loader) {
    this.allowlist = allowlist;
    this.filter = filter;
    this.loader = loader;
    this.refusals =
        new ClassValue<>() {
          @Override
          protected String computeValue(Class<?> type) {
            return refusal(type);
          }
        };
  }

  /**
   * Returns serialization limited to {@code allowlist}, or null when the allowlist is blank.
   *
   * @param maxBytes the largest stream accepted, and the longest array
   * @throws IllegalArgumentException if the allowlist is not valid filter syntax
   */
  public static JavaSerialization create(String allowlist, ClassLoader loader, int maxBytes) {
    List<String> entries = new ArrayList<>();
    for (String p : allowlist.split("[,;]")) {
      if (!p.isBlank()) {
        entries.add(p.strip());
      }
    }
    if (entries.isEmpty()) {
      return null;
    }
    String written = String.join(",", entries);
    List<String> patterns = SerializationPresets.expand(entries);
    SerializationPresets.checkPresent(entries, loader, LOG);
    if (patterns.contains("*") || patterns.contains("**")) {
      LOG.log(
          System.Logger.Level.WARNING,
          "{0}={1} allows every class: deserializing bytes from peers can then run arbitrary code",
          Codecs.SERIALIZATION_ALLOWLIST,
          written);
    }
    String spec =
        new StringJoiner(";")
            .add("maxdepth=" + DEFAULT_MAX_DEPTH)
            .add("maxrefs=" + DEFAULT_MAX_REFS)
            .add("maxbytes=" + maxBytes)
            .add("maxarray=" + maxBytes)
            .add(String.join(";", patterns))
            .add(ALWAYS_ALLOWED)
            .add("!*")
            .toString();
    ObjectInputFilter filter;
    try {
      filter = ObjectInputFilter.Config.createFilter(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Invalid " + Codecs.SERIALIZATION_ALLOWLIST + "=" + written + ": " + e.getMessage(), e);
    }
    return new JavaSerialization(written, filter, loader);
  }

  /** The allowlist as written, comma-separated, presets not expanded: for messages. */
  String allowlist() {
    return allowlist;
  }

  /**
   * The entry that admits {@code type}: its preset's name if a preset lists it, else its name, an
   * array's element type's name for an array.
   */
  static String entryFor(Class<?> type) {
    Class<?> element = type;
    while (element.isArray()) {
      element = element.getComponentType();
    }
    String preset = SerializationPresets.presetOf(element);
    return preset != null ? preset : element.getName();
  }

  /** How to admit {@code type}: the setting as it must be written, this list with its entry added. */
  private String remedy(Class<?> type) {
    return "set "
        + Codecs.SERIALIZATION_ALLOWLIST
        + "="
        + allowlist
        + ","
        + entryFor(type)
        + " on every node";
  }

  /**
   * Throws unless instances of {@code type} may be serialized: it is {@link Serializable} and it
   * and its serializable superclasses pass the allowlist.
   *
   * @throws IllegalArgumentException naming the class and the setting to change
   */
  public void checkWritable(Class<?> type) {
    String refusal = refusals.get(type);
    if (!refusal.isEmpty()) {
      throw refused(refusal, "");
    }
  }

  /**
   * Serializes {@code value} into {@code out}.
   *
   * @throws IllegalArgumentException if the value's graph holds a class that is not serializable or
   *     not allowed
   * @throws IOException if the output fills up, or a {@code writeObject} method fails
   */
  void write(Object value, CodecOutput out) throws IOException {
    checkWritable(streamClass(value));
    try (CheckedOutput oos = new CheckedOutput(out, this)) {
      try {
        oos.writeObject(value);
      } catch (IOException e) {
        // After a failure the stream writes the exception itself, which the check then refuses:
        // that refusal is not the cause.
        if (e instanceof CodecOutput.LimitExceededException
            || oos.refusal == null
            || oos.refusedObject instanceof Throwable) {
          throw e;
        }
      }
      if (oos.refusal != null) {
        throw refused(oos.refusal, " (reached from a value of " + value.getClass().getTypeName() + ")");
      }
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException(
          "Cannot serialize "
              + value.getClass().getName()
              + ": it holds a "
              + e.getMessage()
              + ", which is not Serializable",
          e);
    }
  }

  /**
   * Deserializes {@code length} bytes of {@code b} from {@code offset}, refusing what the allowlist
   * does not admit.
   *
   * @throws CodecException if the stream is malformed or names a refused or unknown class
   */
  Object read(byte[] b, int offset, int length) {
    Rejection rejection = new Rejection();
    CodecInput in = new CodecInput(b, offset, length);
    try (FilteredInput ois = new FilteredInput(in, loader)) {
      ois.setObjectInputFilter(
          info -> {
            Status status = filter.checkInput(info);
            if (status == Status.REJECTED) {
              rejection.record(info);
            }
            return status;
          });
      Object value = ois.readObject();
      if (rejection.refused()) {
        throw rejection.failure(null); // a readObject method swallowed the refusal
      }
      if (in.remaining() > 0) {
        throw new CodecException(
            "Malformed serialized value: " + in.remaining() + " bytes after the object");
      }
      return value;
    } catch (CodecException e) {
      throw e;
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      throw rejection.refused() ? rejection.failure(e) : unreadable(e);
    }
  }

  /**
   * The exception for a refused class, logged the first time: frameworks that cache after their
   * transaction commits (Hibernate) may report it far from its cause, or only as a failed commit.
   */
  private IllegalArgumentException refused(String refusal, String context) {
    if (reported.add(refusal)) {
      LOG.log(System.Logger.Level.WARNING, refusal);
    }
    return new IllegalArgumentException(refusal + context);
  }

  private static CodecException unreadable(Exception e) {
    if (e instanceof ClassNotFoundException) {
      return new CodecException(
          "Cannot deserialize: class " + e.getMessage() + " is not visible to the cache's loader",
          e);
    }
    if (e instanceof InvalidClassException || e instanceof InvalidObjectException) {
      return new CodecException("Cannot deserialize: " + e.getMessage(), e);
    }
    if (e instanceof EOFException) {
      return new CodecException("Malformed serialized value: truncated", e);
    }
    if (e instanceof IOException) {
      return new CodecException("Malformed serialized value: " + e, e);
    }
    return new CodecException("Cannot deserialize: a readObject method failed: " + e, e);
  }

  /** The class a stream names for {@code value}: an enum constant's body names its enum. */
  static Class<?> streamClass(Object value) {
    return value instanceof Enum<?> e ? e.getDeclaringClass() : value.getClass();
  }

  private String refusal(Class<?> type) {
    if (!Serializable.class.isAssignableFrom(type)) {
      return "Cannot encode "
          + type.getTypeName()
          + ": no codec covers it and it is not Serializable; register a "
          + Codec.class.getName()
          + " for it";
    }
    // The stream names the class and each serializable superclass; an array names only itself
    // (the filter checks its element type).
    for (Class<?> c = type;
        c != null && Serializable.class.isAssignableFrom(c);
        c = c.isArray() ? null : c.getSuperclass()) {
      if (refuses(c)) {
        return "Cannot encode "
            + type.getTypeName()
            + ": "
            + (c != type ? "its superclass " + c.getName() : type.isArray() ? "its element type" : "it")
            + " is not on "
            + Codecs.SERIALIZATION_ALLOWLIST
            + "="
            + allowlist
            + "; "
            + remedy(c)
            + ", or register a "
            + Codec.class.getName()
            + " for it";
      }
    }
    return "";
  }

  /** Whether the filter refuses {@code type} itself, whatever the limits. */
  private boolean refuses(Class<?> type) {
    return filter.checkInput(new ClassOnly(type)) == Status.REJECTED;
  }

  /** The filter's view of one class, outside any stream. */
  private record ClassOnly(Class<?> serialClass) implements FilterInfo {
    @Override
    public long arrayLength() {
      return -1;
    }

    @Override
    public long depth() {
      return 1;
    }

    @Override
    public long references() {
      return 0;
    }

    @Override
    public long streamBytes() {
      return 0;
    }
  }

  /** What the filter refused in one stream, for the message. */
  private final class Rejection {
    Class<?> type;
    String limits;

    boolean refused() {
      return type != null || limits != null;
    }

    CodecException failure(Exception cause) {
      if (type != null) {
        return new CodecException(
            "Refused to deserialize "
                + type.getTypeName()
                + ": "
                + (type.isArray() ? "its element type" : "it")
                + " is not on "
                + Codecs.SERIALIZATION_ALLOWLIST
                + "="
                + allowlist
                + "; to cache it, "
                + remedy(type),
            cause);
      }
      return new CodecException(
          "Refused to deserialize a value beyond the limits: " + limits, cause);
    }

    void record(FilterInfo info) {
      if (refused()) {
        return;
      }
      if (info.serialClass() != null && refuses(info.serialClass())) {
        type = info.serialClass();
      } else {
        limits =
            "depth "
                + info.depth()
                + ", references "
                + info.references()
                + ", stream bytes "
                + info.streamBytes()
                + ", array length "
                + info.arrayLength()
                + (info.serialClass() == null ? "" : " of " + info.serialClass().getTypeName());
      }
    }
  }

  /**
   * Checks every object written against the allowlist, as the reading side will. A refused object
   * is written as null and remembered: throwing from here would make the stream write the
   * exception, which the check refuses in turn, hiding the first refusal.
   */
  private static final class CheckedOutput extends ObjectOutputStream {
    private final JavaSerialization serialization;
    String refusal;
    Object refusedObject;

    CheckedOutput(CodecOutput out, JavaSerialization serialization) throws IOException {
      super(out);
      this.serialization = serialization;
      enableReplaceObject(true);
    }

    @Override
    protected Object replaceObject(Object obj) {
      if (obj instanceof String) {
        return obj;
      }
      String why = serialization.refusals.get(streamClass(obj));
      if (why.isEmpty()) {
        return obj;
      }
      if (refusal == null) {
        refusal = why;
        refusedObject = obj;
      }
      return null;
    }
  }

  /** Resolves classes through the cache's loader and refuses dynamic proxies outright. */
  private static final class FilteredInput extends ObjectInputStream {
    private final ClassLoader loader;

    FilteredInput(CodecInput in, ClassLoader loader) throws IOException {
      super(in);
      this.loader = loader;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      String name = desc.getName();
      switch (name) {
        case "boolean":
          return boolean.class;
        case "byte":
          return byte.class;
        case "char":
          return char.class;
        case "short":
          return short.class;
        case "int":
          return int.class;
        case "long":
          return long.class;
        case "float":
          return float.class;
        case "double":
          return double.class;
        case "void":
          return void.class;
        default:
          return Class.forName(name, false, loader);
      }
    }

    @Override
    protected Class<?> resolveProxyClass(String[] interfaces) throws IOException {
      throw new InvalidClassException(
          "dynamic proxy", "serialized dynamic proxies are not accepted");
    }
  }
}
