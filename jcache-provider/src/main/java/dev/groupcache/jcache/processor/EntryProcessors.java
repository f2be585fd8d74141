package dev.groupcache.jcache.processor;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.cluster.OwnerClient;
import dev.groupcache.jcache.codec.CacheCodec;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.integration.WriteThrough;
import dev.groupcache.jcache.management.CacheStatistics;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.cache.CacheException;
import javax.cache.integration.CacheLoader;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/**
 * A cache's {@code invoke}: the processor runs here, on a {@link ProcessorEntry} over the entry as
 * the owner held it, and what it did is written back on the condition that the entry's version has
 * not changed meanwhile; if it has, the processor runs again on the new entry.
 *
 * @param <K> the cache's key type
 * @param <V> the cache's value type
 */
public final class EntryProcessors<K, V> {
  private final OwnerClient owners;
  private final CacheCodec<K, V> codec;
  private final Ttl ttl;
  private final WriteThrough<K, V> writeThrough;
  private final CacheStatistics statistics;
  private final CacheLoader<K, V> loader; // null unless the cache reads through

  /**
   * @param loader the loader a processor's {@code getValue} may call: the cache's, if it reads
   *     through, else null
   */
  public EntryProcessors(OwnerClient owners, CacheCodec<K, V> codec, Ttl ttl, WriteThrough<K, V> writeThrough,
      CacheStatistics statistics, CacheLoader<K, V> loader) {
    this.owners = owners;
    this.codec = codec;
    this.ttl = ttl;
    this.writeThrough = writeThrough;
    this.statistics = statistics;
    this.loader = loader;
  }

  /** Runs {@code processor} on the entry of {@code key}, whose bytes are {@code k}. */
  public <T> T invoke(K key, ByteView k, EntryProcessor<K, V, T> processor, Object... arguments) {
    for (int attempt = 0; attempt < OwnerClient.MAX_ATTEMPTS; attempt++) {
      long start = statistics.start();
      OwnerResponse snapshot = owners.peek(k);
      statistics.recordLookup(snapshot.getPresent());
      statistics.recordGetTime(start);
      start = statistics.start();
      ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, snapshot.getPresent(),
          x -> codec.decodeValue(snapshot.getValue()), loader);
      T result;
      try {
        result = processor.process(entry, arguments);
      } catch (CacheException e) {
        throw e;
      } catch (Exception e) {
        throw new EntryProcessorException(e);
      }
      OwnerResponse r = apply(key, k, entry, snapshot.getVersion());
      if (r == null) {
        return result;
      }
      boolean removedNothing = entry.outcome() == ProcessorEntry.Outcome.REMOVE && !r.getPresent();
      if (r.getApplied() || removedNothing) {
        switch (entry.outcome()) {
          case CREATE, UPDATE -> statistics.recordPut(start);
          case REMOVE -> statistics.recordRemoval(start);
          default -> { }
        }
        OwnerClient.listenerFailure(r);
        return result;
      }
    }
    throw owners.contended(key);
  }

  /**
   * Applies what a processor did, if the entry is still the version it saw; returns the owner's
   * answer, or null when there was nothing to write.
   */
  private OwnerResponse apply(K key, ByteView k, ProcessorEntry<K, V> entry, long version) {
    switch (entry.outcome()) {
      case NONE -> {
        return null;
      }
      case ACCESS -> {
        owners.touch(k, ttl.access());
        return null;
      }
      case CREATE, LOAD -> {
        if (entry.outcome() == ProcessorEntry.Outcome.CREATE) {
          writeThrough.write(key, entry.value());
        }
        return owners.putIfVersion(k, codec.value(entry.value()), version, ttl.creation(), Ttl.UNCHANGED, false);
      }
      case UPDATE -> {
        writeThrough.write(key, entry.value());
        return owners.putIfVersion(k, codec.value(entry.value()), version, Ttl.UNCHANGED, ttl.update(), false);
      }
      case REMOVE -> {
        writeThrough.delete(key);
        return owners.removeIfVersion(k, version);
      }
      default -> throw new AssertionError(entry.outcome());
    }
  }

  /**
   * {@code invokeAll}: {@code invoke} runs for each key; a failure becomes that key's result, as
   * an {@link EntryProcessorException}, and the other keys go on.
   */
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, Function<K, T> invoke) {
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      try {
        T result = invoke.apply(key);
        if (result != null) {
          results.put(key, () -> result);
        }
      } catch (EntryProcessorException e) {
        results.put(key, () -> {
          throw e;
        });
      } catch (CacheException e) {
        EntryProcessorException wrapped = new EntryProcessorException(e);
        results.put(key, () -> {
          throw wrapped;
        });
      }
    }
    return results;
  }
}
