package dev.groupcache.bench.node;

import java.util.Map;
import java.util.Set;

/**
 * One cache of the system under test, on one node, as the workloads see it. Keys are made once,
 * before a timed loop, so that the loop measures the cache and not key encoding.
 *
 * @param <K> the system's key type: {@code ByteView} for groupcache, {@code String} for JCache
 */
public interface BenchCache<K> {
  /** The system's key for {@code key}. */
  K key(String key);

  /**
   * Gets the value of {@code key}, loading it if the cache is read-through, and returns one of its
   * bytes so that timed loops can consume the result.
   *
   * @throws IllegalStateException if a cache without loader has no value for the key
   */
  int get(K key);

  /** Makes {@code key} present with its value: a put, or for groupcache a get that loads it. */
  void preload(K key, String keyText);

  /**
   * Writes {@code value} under {@code key}, as the system's own put does (W6).
   *
   * @throws UnsupportedOperationException if the system has no put (groupcache's engine)
   */
  void put(K key, byte[] value);

  /**
   * Replaces the value of {@code key} if it has one, as JCache's {@code replace} does (J5).
   *
   * @throws UnsupportedOperationException if the system has no replace (groupcache's engine)
   */
  default boolean replace(K key, byte[] value) {
    throw new UnsupportedOperationException("no replace in " + getClass().getSimpleName());
  }

  /**
   * Writes every entry in one call, as JCache's {@code putAll} does (J6).
   *
   * @throws UnsupportedOperationException if the system has no bulk put (groupcache's engine)
   */
  default void putAll(Map<K, byte[]> entries) {
    throw new UnsupportedOperationException("no putAll in " + getClass().getSimpleName());
  }

  /**
   * Removes every given key in one call, as JCache's {@code removeAll(Set)} does (J6's warm-up).
   *
   * @throws UnsupportedOperationException if the system has no bulk removal (groupcache's engine)
   */
  default void removeAll(Set<K> keys) {
    throw new UnsupportedOperationException("no removeAll in " + getClass().getSimpleName());
  }

  /** The id of the node that owns {@code key}, in the form {@link BenchNode#id()} uses. */
  String owner(K key);

  /** Counters of the system's own for this cache on this node, named; empty if it keeps none. */
  Map<String, Long> stats();
}
