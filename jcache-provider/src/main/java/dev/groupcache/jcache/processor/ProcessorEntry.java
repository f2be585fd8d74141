package dev.groupcache.jcache.processor;

import java.util.function.Function;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.processor.MutableEntry;

/**
 * The entry an {@link javax.cache.processor.EntryProcessor} works on: a snapshot of the owner's
 * entry, and a record of what the processor did to it, which the cache then applies at the owner
 * in one conditional write.
 */
public final class ProcessorEntry<K, V> implements MutableEntry<K, V> {
  /** What the processor did, in the end. */
  public enum Outcome {
    NONE,
    ACCESS,
    CREATE,
    LOAD,
    UPDATE,
    REMOVE
  }

  private final K key;
  private final boolean existed;
  private final Function<K, V> snapshotValue;
  private final CacheLoader<K, V> loader; // null unless read-through
  private V value;
  private Outcome outcome = Outcome.NONE;

  /**
   * @param existed whether the owner had the entry
   * @param snapshotValue decodes the owner's value, on first use only
   */
  public ProcessorEntry(K key, boolean existed, Function<K, V> snapshotValue, CacheLoader<K, V> loader) {
    this.key = key;
    this.existed = existed;
    this.snapshotValue = snapshotValue;
    this.loader = loader;
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public V getValue() {
    if (outcome == Outcome.NONE && existed && value == null) {
      value = snapshotValue.apply(key);
    }
    if (value != null) {
      if (outcome == Outcome.NONE) {
        outcome = Outcome.ACCESS;
      }
    } else if (loader != null) {
      try {
        value = loader.load(key);
      } catch (CacheLoaderException e) {
        throw e;
      } catch (Exception e) {
        throw new CacheLoaderException("the cache loader failed for " + key, e);
      }
      if (value != null) {
        outcome = Outcome.LOAD;
      }
    }
    return value;
  }

  @Override
  public boolean exists() {
    return (outcome == Outcome.NONE && existed) || value != null;
  }

  @Override
  public void remove() {
    outcome = outcome == Outcome.CREATE || outcome == Outcome.LOAD ? Outcome.NONE : Outcome.REMOVE;
    value = null;
  }

  @Override
  public void setValue(V newValue) {
    if (newValue == null) {
      throw new NullPointerException("value");
    }
    outcome = existed ? Outcome.UPDATE : Outcome.CREATE;
    value = newValue;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    throw new IllegalArgumentException("cannot unwrap an entry processor's entry");
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The value the processor left, for CREATE, LOAD and UPDATE. */
  public V value() {
    return value;
  }
}
