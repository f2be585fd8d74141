package dev.groupcache.jcache.event;

import dev.groupcache.ByteView;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.function.Function;
import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

/**
 * A change, as a listener sees it. Its values stay bytes until the listener (or its filter) reads
 * them: a listener that never asks for a value never deserializes one, and a listener that did
 * not ask for old values is never handed one to decode. Each is decoded once, on first read, and
 * a value that does not decode fails that read with the codec's exception. The key, which every
 * listener is given, is decoded before.
 */
public final class EntryEvent<K, V> extends CacheEntryEvent<K, V> {
  private static final long serialVersionUID = 2L;

  private transient Function<ByteView, Object> decode; // null once serialized: everything decoded
  private transient ByteView valueBytes; // null: no value
  private transient ByteView oldValueBytes; // null: no old value
  private final boolean oldValueAvailable;
  private final K key;
  private V value;
  private V oldValue;
  private boolean decoded; // the value
  private boolean oldDecoded;

  EntryEvent(Cache<K, V> source, EventType type, Function<ByteView, Object> decode, K key, ByteView value,
      ByteView oldValue, boolean oldValueAvailable) {
    super(source, type);
    this.decode = decode;
    this.key = key;
    this.valueBytes = value;
    this.oldValueBytes = oldValue;
    this.oldValueAvailable = oldValueAvailable;
  }

  /** The same event for a listener that did not ask for old values. */
  @SuppressWarnings("unchecked")
  EntryEvent<K, V> withoutOldValue() {
    return oldValueAvailable && getEventType() == EventType.UPDATED
        ? new EntryEvent<>((Cache<K, V>) getSource(), getEventType(), decode, key, valueBytes, null, false)
        : this;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public synchronized V getValue() {
    decode();
    return value;
  }

  @Override
  @SuppressWarnings("unchecked")
  public synchronized V getOldValue() {
    if (!oldValueAvailable) {
      return null;
    }
    if (!oldDecoded) {
      oldValue = oldValueBytes == null ? null : (V) decode.apply(oldValueBytes);
      oldDecoded = true;
    }
    return oldValue;
  }

  @SuppressWarnings("unchecked")
  private void decode() {
    if (!decoded) {
      // removals and expiries carry the old value as their value
      value = valueBytes != null ? (V) decode.apply(valueBytes) : oldValueBytes != null ? getOldValueAnyway() : null;
      decoded = true;
    }
  }

  /** The old value as a removal's or expiry's value, whether or not the listener asked for old values. */
  @SuppressWarnings("unchecked")
  private V getOldValueAnyway() {
    return oldDecoded ? oldValue : (V) decode.apply(oldValueBytes);
  }

  @Override
  public boolean isOldValueAvailable() {
    return oldValueAvailable;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cannot unwrap a cache entry event to " + clazz.getName());
  }

  /** A serialized event carries its decoded values: the bytes need this node's codecs. */
  private synchronized void writeObject(ObjectOutputStream out) throws IOException {
    decode();
    getOldValue();
    out.defaultWriteObject();
  }
}
