package dev.groupcache.jcache.integration;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * A cache's write-through: its writer, called before the owner is asked to change an entry, so
 * that a failing writer leaves the cache as it was. A cache that does not write through has the
 * {@link DisabledCacheWriter}. Whatever the writer throws reaches the caller as a
 * {@link CacheWriterException}.
 *
 * @param <K> the cache's key type
 * @param <V> the cache's value type
 */
public final class WriteThrough<K, V> {
  private final CacheWriter<? super K, ? super V> writer;
  private final Object created; // the factory's writer, even if unused: the cache closes it

  private WriteThrough(CacheWriter<? super K, ? super V> writer, Object created) {
    this.writer = writer;
    this.created = created;
  }

  /** The configured writer if the cache writes through, else the disabled one. */
  @SuppressWarnings("unchecked")
  public static <K, V> WriteThrough<K, V> of(CompleteConfiguration<K, V> configuration) {
    CacheWriter<? super K, ? super V> created = configuration.getCacheWriterFactory() == null ? null
        : configuration.getCacheWriterFactory().create();
    CacheWriter<? super K, ? super V> writer = configuration.isWriteThrough() && created != null ? created
        : (CacheWriter<? super K, ? super V>) (CacheWriter<?, ?>) DisabledCacheWriter.INSTANCE;
    return new WriteThrough<>(writer, created);
  }

  /** Whether there is a writer to call. */
  public boolean isEnabled() {
    return writer != DisabledCacheWriter.INSTANCE;
  }

  /** The writer the configuration's factory made, or null: the cache closes it. */
  public Object created() {
    return created;
  }

  public void write(K key, V value) {
    try {
      writer.write(new CacheEntry<>(key, value));
    } catch (CacheWriterException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheWriterException("the cache writer failed for " + key, e);
    }
  }

  public void delete(K key) {
    try {
      writer.delete(key);
    } catch (CacheWriterException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheWriterException("the cache writer failed to delete " + key, e);
    }
  }

  /**
   * What a batch write-through did: every key ({@code done} null), or the keys the writer handled
   * before it failed, with the failure to throw once those are stored.
   */
  public record Batch(Set<Object> done, CacheWriterException failure) {
    static final Batch ALL = new Batch(null, null);
    /** Writes of one batch in flight at once: far below what an owner allows a peer (10,000). */
    static final int MAX_BEGUN = 256;

    public boolean done(Object key) {
      return done == null || done.contains(key);
    }

    /**
     * The owner's half of the batch: one write per key the writer handled, windows of {@value
     * #MAX_BEGUN} begun before the first of each is awaited, so that writes to one owner travel
     * together while no caller holds more than that in flight at the owners; then {@code recorded} hears
     * how many took effect, and the writer's failure, if any, or the first listener's is thrown.
     *
     * @param begin begins the write of a key and returns what awaits its answer
     */
    public <K> void apply(Collection<ByteView> keys, Function<ByteView, K> keyOf,
        Function<ByteView, Supplier<OwnerResponse>> begin, Predicate<OwnerResponse> tookEffect, LongConsumer recorded) {
      ArrayDeque<Supplier<OwnerResponse>> begun = new ArrayDeque<>();
      String listenerFailure = null;
      long took = 0;
      Iterator<ByteView> next = keys.iterator();
      boolean filling = true;
      while (next.hasNext() || !begun.isEmpty()) {
        if (next.hasNext() && (begun.isEmpty() || filling)) { // a window at a time: begun writes travel together
          ByteView k = next.next();
          if (done(keyOf.apply(k))) { // else the writer failed for it: the cache keeps what it had
            begun.add(begin.apply(k));
          }
          filling = begun.size() < MAX_BEGUN;
          continue;
        }
        filling = false;
        OwnerResponse r = begun.poll().get();
        took += tookEffect.test(r) ? 1 : 0;
        if (listenerFailure == null && !r.getListenerFailure().isEmpty()) {
          listenerFailure = r.getListenerFailure();
        }
      }
      recorded.accept(took);
      if (failure != null) {
        throw failure;
      }
      if (listenerFailure != null) {
        throw new CacheEntryListenerException(listenerFailure);
      }
    }
  }

  /** Writes all entries; the writer removes each entry it wrote from the batch it is handed. */
  public Batch writeAll(Map<? extends K, ? extends V> map) {
    if (map.isEmpty()) {
      return Batch.ALL;
    }
    List<Cache.Entry<? extends K, ? extends V>> pending = new ArrayList<>();
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      pending.add(new CacheEntry<>(e.getKey(), e.getValue()));
    }
    try {
      @SuppressWarnings("unchecked") // the writer accepts supertypes of K and V: these entries are fine
      CacheWriter<K, V> w = (CacheWriter<K, V>) writer;
      w.writeAll(pending);
      return Batch.ALL;
    } catch (Exception e) {
      Set<Object> written = new HashSet<>(map.keySet());
      for (Cache.Entry<? extends K, ? extends V> left : pending) {
        written.remove(left.getKey());
      }
      return new Batch(written, failure(e));
    }
  }

  /** Deletes all keys; as {@link #writeAll}. */
  public Batch deleteAll(Collection<K> keys) {
    if (keys.isEmpty()) {
      return Batch.ALL;
    }
    List<Object> pending = new ArrayList<>(keys);
    try {
      writer.deleteAll(pending);
      return Batch.ALL;
    } catch (Exception e) {
      Set<Object> deleted = new HashSet<>(keys);
      deleted.removeAll(pending);
      return new Batch(deleted, failure(e));
    }
  }

  private static CacheWriterException failure(Exception e) {
    return e instanceof CacheWriterException ? (CacheWriterException) e
        : new CacheWriterException("the cache writer failed", e);
  }
}
