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

  @SuppressWarnings("unchecked")
  public K decodeKey(ByteView bytes) {
    return (K) codecs.decode(bytes);
  }

  @SuppressWarnings("unchecked")
  public V decodeValue(ByteView bytes) {
    return (V) codecs.decode(bytes);
  }

  @SuppressWarnings("unchecked")
  public V decodeValue(ByteString bytes) {
    return (V) codecs.decode(bytes);
  }
}
