package dev.groupcache.jcache;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.cluster.OwnerClient;
import dev.groupcache.jcache.codec.CacheCodec;
import dev.groupcache.jcache.codec.CodecException;
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
 * hit and an access; {@link #remove()} removes the last one through the cache. An entry whose key
 * or value no codec here decodes is skipped ({@link UndecodableEntries}): it would otherwise end
 * every iteration of the cache there.
 */
final class CacheIterator<K, V> implements Iterator<Cache.Entry<K, V>> {
  private final Iterator<Entry> entries;
  private final OwnerClient owners;
  private final CacheCodec<K, V> codec;
  private final Ttl ttl;
  private final CacheStatistics statistics;
  private final Runnable ensureOpen;
  private final UndecodableEntries undecodable;
  private final Consumer<K> remove;
  private K last;
  private Entry upcoming; // read ahead by hasNext: the next entry that decodes
  private K upcomingKey;
  private V upcomingValue;

  CacheIterator(OwnerClient owners, CacheCodec<K, V> codec, Ttl ttl, CacheStatistics statistics,
      UndecodableEntries undecodable, Runnable ensureOpen, Consumer<K> remove) {
    this.entries = owners.entries(true);
    this.owners = owners;
    this.codec = codec;
    this.ttl = ttl;
    this.statistics = statistics;
    this.undecodable = undecodable;
    this.ensureOpen = ensureOpen;
    this.remove = remove;
  }

  @Override
  public boolean hasNext() {
    ensureOpen.run();
    while (upcoming == null && entries.hasNext()) {
      Entry e = entries.next();
      try {
        upcomingKey = codec.decodeKey(ByteView.copyOf(e.getKey()));
        upcomingValue = codec.decodeValue(e.getValue());
        upcoming = e;
      } catch (CodecException unreadable) {
        undecodable.skipped(unreadable);
      }
    }
    return upcoming != null;
  }

  @Override
  public Cache.Entry<K, V> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ByteView k = ByteView.copyOf(upcoming.getKey());
    last = upcomingKey;
    V value = upcomingValue;
    upcoming = null;
    upcomingKey = null;
    upcomingValue = null;
    statistics.recordHit();
    owners.touch(k, ttl.access());
    return new CacheEntry<>(last, value);
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
