package dev.groupcache.jcache.codec;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import java.util.Objects;

/**
 * One cache's keys and values through the {@link Codecs}: checked against the cache's configured
 * types on the way in, as JSR-107 requires, and cast on the way out.
 *
 * @param <K> the cache's key type
 * @param <V> the cache's value type
 */
public final class CacheCodec<K, V> {
  private final Codecs codecs;
  private final Class<K> keyType;
  private final Class<V> valueType;

  public CacheCodec(Codecs codecs, Class<K> keyType, Class<V> valueType) {
    this.codecs = codecs;
    this.keyType = keyType;
    this.valueType = valueType;
  }

  /** A key's bytes; null or a key of another type fails. */
  public ByteView key(K key) {
    Objects.requireNonNull(key, "key");
    if (keyType != Object.class && !keyType.isInstance(key)) {
      throw new ClassCastException("key " + key + " is not a " + keyType.getName());
    }
    return codecs.encode(key);
  }

  /** A value's bytes; null or a value of another type fails. */
  public ByteView value(V value) {
    Objects.requireNonNull(value, "value");
    if (valueType != Object.class && !valueType.isInstance(value)) {
      throw new ClassCastException("value " + value + " is not a " + valueType.getName());
    }
    return codecs.encode(value);
  }

  /**
   * A key from its bytes.
   *
   * @throws CodecException if the bytes do not decode, or decode to another type than the cache's
   *     keys (another member's, or a planted entry): to this cache they are no key
   */
  public K decodeKey(ByteView bytes) {
    return typed(codecs.decode(bytes), keyType, "key");
  }

  /** A value from its bytes; throws as {@link #decodeKey} does. */
  public V decodeValue(ByteView bytes) {
    return typed(codecs.decode(bytes), valueType, "value");
  }

  /** A value from its bytes; throws as {@link #decodeKey} does. */
  public V decodeValue(ByteString bytes) {
    return typed(codecs.decode(bytes), valueType, "value");
  }

  @SuppressWarnings("unchecked")
  private static <T> T typed(Object decoded, Class<T> type, String what) {
    if (type != Object.class && decoded != null && !type.isInstance(decoded)) {
      throw new CodecException("a " + what + " of this cache decoded to a " + decoded.getClass().getName()
          + ", not a " + type.getName());
    }
    return (T) decoded;
  }
}
