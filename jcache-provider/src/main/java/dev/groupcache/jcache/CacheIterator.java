package dev.groupcache.jcache;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.cluster.OwnerClient;
import dev.groupcache.jcache.codec.CacheCodec;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.integration.CacheEntry;
import dev.groupcache.jcache.management.CacheStatistics;
import dev.groupcache.jcache.proto.Entry;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import javax.cache.Cache;

/**
 * A cache's iterator: every member's entries, a page at a time. Each entry handed out counts as a
 * hit and an access; {@link #remove()} removes the last one through the cache.
 */
final class CacheIterator<K, V> implements Iterator<Cache.Entry<K, V>> {
  private final Iterator<Entry> entries;
  private final OwnerClient owners;
  private final CacheCodec<K, V> codec;
  private final Ttl ttl;
  private final CacheStatistics statistics;
  private final Runnable ensureOpen;
  private final Consumer<K> remove;
  private K last;

  CacheIterator(OwnerClient owners, CacheCodec<K, V> codec, Ttl ttl, CacheStatistics statistics, Runnable ensureOpen,
      Consumer<K> remove) {
    this.entries = owners.entries(true);
    this.owners = owners;
    this.codec = codec;
    this.ttl = ttl;
    this.statistics = statistics;
    this.ensureOpen = ensureOpen;
    this.remove = remove;
  }

  @Override
  public boolean hasNext() {
    ensureOpen.run();
    return entries.hasNext();
  }

  @Override
  public Cache.Entry<K, V> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Entry e = entries.next();
    ByteView k = ByteView.copyOf(e.getKey());
    last = codec.decodeKey(k);
    statistics.recordHit();
    owners.touch(k, ttl.access());
    return new CacheEntry<>(last, codec.decodeValue(e.getValue()));
  }

  @Override
  public void remove() {
    if (last == null) {
      throw new IllegalStateException("next() has not been called");
    }
    remove.accept(last);
    last = null;
  }
}
