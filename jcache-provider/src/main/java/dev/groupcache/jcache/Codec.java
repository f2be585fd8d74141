package dev.groupcache.jcache;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Turns instances of one class into bytes and back, so that they can be cached by value and sent
 * between cache nodes.
 *
 * <p>Keys and values of types that no built-in codec covers ({@code String}, {@code byte[]} and the
 * primitive boxes) need a codec, or else Java serialization turned on for them. A codec is found
 * through {@link java.util.ServiceLoader} (list the class in {@code
 * META-INF/services/dev.groupcache.jcache.Codec}; it needs a public no-argument constructor). A
 * codec applies to instances of exactly {@link #type()}: subclasses are not covered, since they
 * would come back as the codec's type.
 *
 * <p>A codec takes precedence over Java serialization for its type. It never replaces a built-in
 * one: a jar on the class path must not silently change how strings are keyed.
 *
 * <p>Every node must have the same codecs. Encoded bytes name their codec by {@link #id()}, and a
 * codec used for keys must encode equal keys to equal bytes, on every JVM: keys are placed on the
 * consistent-hash ring and compared by their bytes.
 *
 * <pre>{@code
 * public final class PointCodec implements Codec<Point> {
 *   public Class<Point> type() { return Point.class; }
 *   public String id() { return "com.example.point.v1"; }
 *   public void encode(Point p, DataOutput out) throws IOException {
 *     out.writeInt(p.x());
 *     out.writeInt(p.y());
 *   }
 *   public Point decode(DataInput in, int length) throws IOException {
 *     return new Point(in.readInt(), in.readInt());
 *   }
 * }
 * }</pre>
 *
 * <p>Implementations must be thread-safe; a stateless codec is.
 *
 * @param <T> the type encoded
 */
public interface Codec<T> {

  /** The class whose instances this codec encodes: exactly this class, not its subclasses. */
  Class<T> type();

  /**
   * A name for this codec and its encoding, written before every value it encodes: 1 to 127
   * printable ASCII characters without spaces, such as {@code com.example.point.v1}. Never change
   * it while nodes still hold values encoded under it; give a new encoding a new id.
   */
  String id();

  /**
   * Writes {@code value}. Writing beyond the maximum value size fails the encoding; the caller then
   * gets an {@link IllegalArgumentException}.
   *
   * @param value the value, never null
   * @param out where to write; valid only during this call
   * @throws IOException if the value cannot be encoded
   */
  void encode(T value, DataOutput out) throws IOException;

  /**
   * Reads back a value that {@link #encode} wrote. Must return a new instance for a mutable type,
   * since the cache hands it to its caller.
   *
   * @param in the encoded bytes; valid only during this call
   * @param length how many bytes {@code in} holds, all of which must be read
   * @return the value, never null
   * @throws IOException if the bytes are not a valid encoding
   */
  T decode(DataInput in, int length) throws IOException;
}
