package dev.groupcache.jcache;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.Condition;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/**
 * A JSR-107 cache whose entries live on the cluster: each key at its owner on the ring.
 *
 * <p>Every operation on a key is decided by the key's owner, which keeps the entry as bytes with
 * a version and an expiry time on its own clock. This node runs everything the application
 * configured: it encodes keys and values, asks the expiry policy, calls the loader and the writer,
 * runs entry processors, and delivers events to its listeners. Compound operations
 * ({@code replace(k, old, new)}, {@code invoke}, ...) read the entry and then write it on the
 * condition that its version has not changed, and start over if it has. A change is acknowledged
 * only after every member has dropped its copies and run its synchronous listeners (or the
 * invalidation timeout passed; see {@link CacheService}).
 *
 * <p>Stores by value: callers always get their own copies. The writer is called before the owner
 * is asked to change the entry, so a failing writer leaves the cache as it was; under concurrent
 * writes to one key, a writer may be called for a write that then loses the race and is retried.
 */
public final class GroupcacheCache<K, V> implements Cache<K, V> {
  private static final int MAX_ATTEMPTS = 1_000;
  // the reads that carry no expiry, built once: most gets send one of these
  private static final Read PLAIN = Read.getDefaultInstance();
  private static final Read LEASE = Read.newBuilder().setLease(true).build();
  private static final Read QUIET = Read.newBuilder().setQuiet(true).build();

  private final GroupcacheCacheManager manager;
  private final String name;
  private final String id;
  private final MutableConfiguration<K, V> configuration;
  private final ClusterNode cluster;
  private final Codecs codecs;
  private final OwnerClient owners;
  private final CacheEvents<K, V> events;
  private final CacheStatistics statistics;
  private final CacheConfigurationBean configurationBean;
  private final Ttl ttl;
  private final javax.cache.expiry.ExpiryPolicy expiryPolicy;
  private final CacheLoader<K, V> loader;
  private final CacheWriter<? super K, ? super V> writer;
  /** What a get sends its owner, fixed by the configuration: for most caches a constant message. */
  private final Read getRead;
  /** Whether a near copy may answer a get: only for a read that changes nothing at the owner. */
  private final boolean nearReads;
  private volatile boolean statisticsEnabled;
  private volatile boolean closed;

  @SuppressWarnings("unchecked")
  GroupcacheCache(GroupcacheCacheManager manager, String name, CompleteConfiguration<K, V> configuration,
      ClusterNode cluster, Codecs codecs, Settings.CacheSettings settings) {
    this.manager = manager;
    this.name = name;
    this.id = CacheIds.of(manager.getURI(), name);
    this.configuration = new MutableConfiguration<>(configuration);
    this.cluster = cluster;
    this.codecs = codecs;
    this.owners = new OwnerClient(cluster.node(), cluster.service(), id, cluster.peerTimeout(),
        (long) (settings.maxBytes() * settings.hotShare()), settings.nearTtl());
    this.expiryPolicy = configuration.getExpiryPolicyFactory() == null
        ? new javax.cache.expiry.EternalExpiryPolicy()
        : configuration.getExpiryPolicyFactory().create();
    this.ttl = new Ttl(expiryPolicy);
    this.loader = configuration.getCacheLoaderFactory() == null ? null
        : configuration.getCacheLoaderFactory().create();
    long access = ttl.pure() ? ttl.access() : Ttl.UNCHANGED;
    boolean readThrough = configuration.isReadThrough() && loader != null;
    this.nearReads = ttl.pure() && access == Ttl.UNCHANGED;
    this.getRead = access == Ttl.UNCHANGED ? (readThrough ? LEASE : PLAIN)
        : Read.newBuilder().setLease(readThrough).setAccessTtlMillis(access).build();
    this.writer = configuration.getCacheWriterFactory() == null ? null
        : configuration.getCacheWriterFactory().create();
    this.statistics = new CacheStatistics(() -> cluster.service().evictions(id));
    this.configurationBean = new CacheConfigurationBean(this.configuration);
    this.events = new CacheEvents<>(this, codecs::decode, owners::drop, owners::dropAll, cluster.events());
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      events.register(listener);
    }
    cluster.service().receive(id, events);
    this.statisticsEnabled = configuration.isStatisticsEnabled();
    if (configuration.isStatisticsEnabled()) {
      setStatisticsEnabled(true);
    }
    if (configuration.isManagementEnabled()) {
      setManagementEnabled(true);
    }
  }

  // ---- reads ----

  @Override
  public V get(K key) {
    ensureOpen();
    ByteView k = key(key);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    V value = getValue(key, k);
    if (statisticsEnabled) {
      statistics.getTime(start);
    }
    return value;
  }

  private V getValue(K key, ByteView k) {
    if (nearReads) {
      ByteView copy = owners.nearCopy(k);
      if (copy != null) {
        if (statisticsEnabled) {
          statistics.hit();
        }
        return decodeValue(copy);
      }
    }
    OwnerResponse r = owners.read(k, getRead, nearReads);
    while (r.getRetry()) {
      r = owners.read(k, getRead, false);
    }
    if (r.getPresent()) {
      if (statisticsEnabled) {
        statistics.hit();
      }
      if (!ttl.pure()) {
        accessed(k);
      }
      return value(r);
    }
    if (statisticsEnabled) {
      statistics.miss();
    }
    if (!r.getLoadFailure().isEmpty()) {
      throw new CacheLoaderException(r.getLoadFailure());
    }
    return r.getLease() == 0 ? null : load(key, k, r.getLease());
  }

  /** Asks the policy for an access expiry and applies it to an entry just read. */
  private void accessed(ByteView k) {
    long access = ttl.access();
    if (access != Ttl.UNCHANGED) {
      owners.read(k, Read.newBuilder().setAccessTtlMillis(access).build(), false);
    }
  }

  /** Runs the loader for a key this node holds the lease of, and stores what it returns. */
  private V load(K key, ByteView k, long lease) {
    V value;
    try {
      value = loader.load(key);
    } catch (Exception e) {
      owners.loaded(k, Loaded.newBuilder().setLease(lease).setFailure(String.valueOf(e)).build());
      throw e instanceof CacheLoaderException ? (CacheLoaderException) e
          : new CacheLoaderException("the cache loader failed for " + key, e);
    }
    if (value == null) {
      owners.loaded(k, Loaded.newBuilder().setLease(lease).build());
      return null;
    }
    long creation = ttl.creation();
    OwnerResponse r = owners.loaded(k, Loaded.newBuilder().setLease(lease).setHasValue(true)
        .setValue(OwnerStore.bytes(encodeValue(value))).setCreateTtlMillis(creation).build());
    listenerFailure(r);
    if (!r.getApplied() && r.getPresent()) {
      return value(r); // someone put while we loaded: theirs stands
    }
    return creation == 0 ? null : value;
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key is null");
    }
    Map<K, V> result = new LinkedHashMap<>();
    for (K key : keys) {
      V value = get(key);
      if (value != null) {
        result.put(key, value);
      }
    }
    return result;
  }

  @Override
  public boolean containsKey(K key) {
    ensureOpen();
    return owners.read(key(key), QUIET, false).getPresent();
  }

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener listener) {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key is null");
    }
    if (loader == null) {
      if (listener != null) {
        listener.onCompletion();
      }
      return;
    }
    List<K> toLoad = new ArrayList<>(keys);
    cluster.events().execute(() -> {
      try {
        List<K> missing = new ArrayList<>();
        for (K key : toLoad) {
          if (replaceExistingValues || !containsKey(key)) {
            missing.add(key);
          }
        }
        Map<K, V> loaded = loader.loadAll(missing);
        if (loaded != null) {
          for (Map.Entry<K, V> e : loaded.entrySet()) {
            if (e.getKey() != null && e.getValue() != null) {
              store(e.getKey(), e.getValue(), replaceExistingValues ? Condition.ANY : Condition.ABSENT);
            }
          }
        }
        if (listener != null) {
          listener.onCompletion();
        }
      } catch (Exception e) {
        if (listener != null) {
          listener.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
        }
      }
    });
  }

  /** Stores a loaded value: no writer, no put statistics. */
  private void store(K key, V value, Condition condition) {
    ByteView k = key(key);
    ByteView v = encodeValue(value);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      OwnerResponse snapshot = peek(k);
      if (snapshot.getPresent() && condition == Condition.ABSENT) {
        return;
      }
      OwnerResponse r = writeOver(k, v, snapshot, false);
      if (r.getApplied()) {
        listenerFailure(r);
        return;
      }
    }
    throw contended(key);
  }

  // ---- writes ----

  @Override
  public void put(K key, V value) {
    ensureOpen();
    ByteView k = key(key);
    ByteView v = value(value);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    write(key, value);
    OwnerResponse r = putValue(k, v, false, key);
    if (statisticsEnabled && r.getVersion() != 0) { // an entry that expires on arrival is not a put
      statistics.put(start);
    }
    listenerFailure(r);
  }

  /**
   * Puts unconditionally, asking the expiry policy only what applies: a pure policy ahead, for both
   * cases, in one request; any other after a read tells whether this is a creation or an update.
   */
  private OwnerResponse putValue(ByteView k, ByteView v, boolean returnOld, K key) {
    if (ttl.pure()) {
      Write.Builder write = Write.newBuilder().setCondition(Condition.ANY).setValue(OwnerStore.bytes(v))
          .setReturnOld(returnOld);
      return owners.write(k, expiring(expiring(write, false), true).build()); // a pure policy: ask both
    }
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      OwnerResponse r = writeOver(k, v, peek(k), returnOld);
      if (r.getApplied()) {
        return r;
      }
    }
    throw contended(key);
  }

  @Override
  public V getAndPut(K key, V value) {
    ensureOpen();
    ByteView k = key(key);
    ByteView v = value(value);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    write(key, value);
    OwnerResponse r = putValue(k, v, true, key);
    if (statisticsEnabled) {
      if (r.getPresent()) {
        statistics.hit();
      } else {
        statistics.miss();
      }
      statistics.put(start);
    }
    listenerFailure(r);
    return r.getPresent() ? value(r) : null;
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    ensureOpen();
    Objects.requireNonNull(map, "map");
    Map<ByteView, ByteView> encoded = new LinkedHashMap<>();
    Map<ByteView, K> keys = new HashMap<>();
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      ByteView k = key(e.getKey());
      encoded.put(k, value(e.getValue()));
      keys.put(k, e.getKey());
    }
    long start = statisticsEnabled ? System.nanoTime() : 0;
    applyEach(encoded.keySet(), keys::get, writeAll(map), k -> putValue(k, encoded.get(k), false, keys.get(k)),
        r -> r.getVersion() != 0, statistics::put, () -> statistics.putTime(start));
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    ensureOpen();
    ByteView k = key(key);
    ByteView v = value(value);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    if (writer != null || !ttl.pure()) {
      if (peek(k).getPresent()) {
        if (statisticsEnabled) {
          statistics.hit();
        }
        return false;
      }
      write(key, value);
    }
    OwnerResponse r = owners.write(k, Write.newBuilder().setCondition(Condition.ABSENT)
        .setValue(OwnerStore.bytes(v)).setCreateTtlMillis(ttl.creation()).build());
    if (statisticsEnabled) {
      if (r.getApplied()) {
        statistics.put(start);
        statistics.miss();
      } else {
        statistics.hit();
      }
    }
    listenerFailure(r);
    return r.getApplied();
  }

  @Override
  public boolean remove(K key) {
    ensureOpen();
    ByteView k = key(key);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    delete(key);
    OwnerResponse r = owners.write(k, Write.newBuilder().setCondition(Condition.ANY).setRemove(true).build());
    if (statisticsEnabled && r.getApplied()) {
      statistics.removal(start);
    }
    listenerFailure(r);
    return r.getApplied();
  }

  @Override
  public boolean remove(K key, V oldValue) {
    ensureOpen();
    ByteView k = key(key);
    value(oldValue);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      OwnerResponse snapshot = holding(k, oldValue);
      if (snapshot == null) {
        return false;
      }
      delete(key);
      OwnerResponse r = owners.write(k, Write.newBuilder().setCondition(Condition.VERSION)
          .setExpectedVersion(snapshot.getVersion()).setRemove(true).build());
      if (r.getApplied()) {
        if (statisticsEnabled) {
          statistics.hit();
          statistics.removal(start);
        }
        listenerFailure(r);
        return true;
      }
    }
    throw contended(key);
  }

  @Override
  public V getAndRemove(K key) {
    ensureOpen();
    ByteView k = key(key);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    delete(key);
    OwnerResponse r = owners.write(k, Write.newBuilder().setCondition(Condition.ANY).setRemove(true)
        .setReturnOld(true).build());
    if (statisticsEnabled) {
      if (r.getApplied()) {
        statistics.hit();
        statistics.removal(start);
      } else {
        statistics.miss();
      }
    }
    listenerFailure(r);
    return r.getApplied() ? value(r) : null;
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    return replaceValue(key, true, oldValue, newValue, false) != null;
  }

  @Override
  public boolean replace(K key, V value) {
    return replaceValue(key, false, null, value, false) != null;
  }

  @Override
  public V getAndReplace(K key, V value) {
    OwnerResponse r = replaceValue(key, false, null, value, true);
    return r == null ? null : value(r);
  }

  /**
   * Replaces an entry that exists and, if {@code conditional}, holds {@code expected}; returns the
   * owner's answer, or null if there was no such entry.
   */
  private OwnerResponse replaceValue(K key, boolean conditional, V expected, V value, boolean returnOld) {
    ensureOpen();
    ByteView k = key(key);
    if (conditional) {
      value(expected); // null, or of a type the cache does not hold, fails as a new value would
    }
    ByteView v = value(value);
    long start = statisticsEnabled ? System.nanoTime() : 0;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      OwnerResponse snapshot = holding(k, conditional ? expected : null);
      if (snapshot == null) {
        return null;
      }
      write(key, value);
      OwnerResponse r = writeOver(k, v, snapshot, returnOld);
      if (r.getApplied()) {
        if (statisticsEnabled) {
          statistics.hit();
          statistics.put(start);
        }
        listenerFailure(r);
        return r;
      }
    }
    throw contended(key);
  }

  /** Adds the one expiry that applies, asking the policy only that: an update's, or a creation's. */
  private Write.Builder expiring(Write.Builder write, boolean update) {
    if (update) {
      long expiry = ttl.update();
      return expiry == Ttl.UNCHANGED ? write : write.setUpdateTtlMillis(expiry);
    }
    return write.setCreateTtlMillis(ttl.creation());
  }

  /**
   * Writes {@code v} if the entry is still as {@code snapshot} saw it (absent, or of its version),
   * with the expiry of a creation or of an update accordingly.
   */
  private OwnerResponse writeOver(ByteView k, ByteView v, OwnerResponse snapshot, boolean returnOld) {
    return owners.write(k, expiring(Write.newBuilder().setCondition(Condition.VERSION)
        .setExpectedVersion(snapshot.getVersion()).setValue(OwnerStore.bytes(v)).setReturnOld(returnOld),
        snapshot.getPresent()).build());
  }

  /**
   * The entry as the owner holds it, for a write on the condition that it exists and holds {@code
   * expected} (any value if null); null, counted as a miss or a hit, if it does not.
   */
  private OwnerResponse holding(ByteView k, V expected) {
    OwnerResponse snapshot = peek(k);
    if (!snapshot.getPresent()) {
      if (statisticsEnabled) {
        statistics.miss();
      }
      return null;
    }
    if (expected != null && !expected.equals(value(snapshot))) {
      if (statisticsEnabled) {
        statistics.hit();
      }
      accessed(k);
      return null;
    }
    return snapshot;
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    Map<ByteView, K> encoded = new LinkedHashMap<>();
    for (K key : keys) {
      encoded.put(key(key), key);
    }
    removeEach(encoded);
  }

  @Override
  public void removeAll() {
    ensureOpen();
    Map<ByteView, K> all = new LinkedHashMap<>();
    for (Iterator<dev.groupcache.jcache.proto.Entry> it = owners.entries(); it.hasNext(); ) {
      dev.groupcache.jcache.proto.Entry e = it.next();
      ByteView k = ByteView.copyOf(e.getKey());
      all.put(k, decodeKey(k));
    }
    removeEach(all);
  }

  /** Deletes through the writer, then removes what the writer deleted. */
  private void removeEach(Map<ByteView, K> keys) {
    long start = statisticsEnabled ? System.nanoTime() : 0;
    Write remove = Write.newBuilder().setCondition(Condition.ANY).setRemove(true).build();
    applyEach(keys.keySet(), keys::get, deleteAll(keys.values()), k -> owners.write(k, remove),
        OwnerResponse::getApplied, statistics::removal, () -> statistics.removeTime(start));
  }

  /**
   * The owner's half of a batch: one write per key the writer handled, counted when it took
   * effect; then the writer's failure, if any, or the first listener's.
   */
  private void applyEach(Collection<ByteView> keys, Function<ByteView, K> keyOf, WriteThrough through,
      Function<ByteView, OwnerResponse> write, Predicate<OwnerResponse> tookEffect, Runnable count, Runnable time) {
    String listenerFailure = null;
    for (ByteView k : keys) {
      if (!through.done(keyOf.apply(k))) {
        continue; // the writer failed for it: the cache keeps what it had
      }
      OwnerResponse r = write.apply(k);
      if (statisticsEnabled && tookEffect.test(r)) {
        count.run();
      }
      if (listenerFailure == null && !r.getListenerFailure().isEmpty()) {
        listenerFailure = r.getListenerFailure();
      }
    }
    if (statisticsEnabled) {
      time.run();
    }
    through.rethrow();
    if (listenerFailure != null) {
      throw new CacheEntryListenerException(listenerFailure);
    }
  }

  @Override
  public void clear() {
    ensureOpen();
    owners.clearEverywhere();
  }

  // ---- entry processors ----

  @Override
  public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
    ensureOpen();
    ByteView k = key(key);
    Objects.requireNonNull(processor, "processor");
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      long start = statisticsEnabled ? System.nanoTime() : 0;
      OwnerResponse snapshot = peek(k);
      if (statisticsEnabled) {
        if (snapshot.getPresent()) {
          statistics.hit();
        } else {
          statistics.miss();
        }
        statistics.getTime(start);
      }
      start = statisticsEnabled ? System.nanoTime() : 0;
      ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, snapshot.getPresent(), x -> value(snapshot),
          configuration.isReadThrough() ? loader : null);
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
        if (statisticsEnabled) {
          switch (entry.outcome()) {
            case CREATE, UPDATE -> {
              statistics.put(start);
            }
            case REMOVE -> {
              statistics.removal(start);
            }
            default -> { }
          }
        }
        listenerFailure(r);
        return result;
      }
    }
    throw contended(key);
  }

  /**
   * Applies what a processor did, if the entry is still the version it saw; returns the owner's
   * answer, or null when there was nothing to write.
   */
  private OwnerResponse apply(K key, ByteView k, ProcessorEntry<K, V> entry, long version) {
    Write.Builder write = Write.newBuilder().setCondition(Condition.VERSION).setExpectedVersion(version);
    switch (entry.outcome()) {
      case NONE -> {
        return null;
      }
      case ACCESS -> {
        accessed(k);
        return null;
      }
      case CREATE, LOAD -> {
        if (entry.outcome() == ProcessorEntry.Outcome.CREATE) {
          write(key, entry.value());
        }
        return owners.write(k, expiring(write.setValue(OwnerStore.bytes(value(entry.value()))), false).build());
      }
      case UPDATE -> {
        write(key, entry.value());
        return owners.write(k, expiring(write.setValue(OwnerStore.bytes(value(entry.value()))), true).build());
      }
      case REMOVE -> {
        delete(key);
        return owners.write(k, write.setRemove(true).build());
      }
      default -> throw new AssertionError(entry.outcome());
    }
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> processor,
      Object... arguments) {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(processor, "processor");
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      Objects.requireNonNull(key, "a key is null");
    }
    for (K key : keys) {
      try {
        T result = invoke(key, processor, arguments);
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

  // ---- iteration ----

  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    ensureOpen();
    Iterator<dev.groupcache.jcache.proto.Entry> entries = owners.entries();
    return new Iterator<>() {
      private K last;

      @Override
      public boolean hasNext() {
        ensureOpen();
        return entries.hasNext();
      }

      @Override
      public Cache.Entry<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        dev.groupcache.jcache.proto.Entry e = entries.next();
        ByteView k = ByteView.copyOf(e.getKey());
        last = decodeKey(k);
        if (statisticsEnabled) {
          statistics.hit();
        }
        accessed(k);
        @SuppressWarnings("unchecked")
        V value = (V) codecs.decode(e.getValue());
        return new CacheEntry<>(last, value);
      }

      @Override
      public void remove() {
        if (last == null) {
          throw new IllegalStateException("next() has not been called");
        }
        GroupcacheCache.this.remove(last);
        last = null;
      }
    };
  }

  // ---- listeners, configuration, lifecycle ----

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    ensureOpen();
    Objects.requireNonNull(listener, "listener");
    events.register(listener);
    configuration.addCacheEntryListenerConfiguration(listener);
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    ensureOpen();
    Objects.requireNonNull(listener, "listener");
    if (events.deregister(listener)) {
      configuration.removeCacheEntryListenerConfiguration(listener);
    }
  }

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> type) {
    if (type.isInstance(configuration)) {
      return type.cast(new MutableConfiguration<>(configuration)); // a copy: changing it changes nothing
    }
    throw new IllegalArgumentException("the configuration is not a " + type.getName());
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cluster.service().stopReceiving(id, events);
    events.close();
    Closeables.close(loader, writer, expiryPolicy);
    if (configuration.isManagementEnabled()) {
      Management.unregister(manager.getURI().toString(), name, Management.Type.CacheConfiguration);
    }
    if (statisticsEnabled) {
      Management.unregister(manager.getURI().toString(), name, Management.Type.CacheStatistics);
    }
    manager.closed(this);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cannot unwrap cache " + name + " to " + clazz.getName());
  }

  /** This cache's requests to owners and its near copies; for tests that interleave with them. */
  OwnerClient owners() {
    return owners;
  }

  /** Turns statistics on or off, registering or removing their MXBean. */
  void setStatisticsEnabled(boolean enabled) {
    statisticsEnabled = enabled;
    configuration.setStatisticsEnabled(enabled);
    if (enabled) {
      Management.register(statistics, manager.getURI().toString(), name, Management.Type.CacheStatistics);
    } else {
      Management.unregister(manager.getURI().toString(), name, Management.Type.CacheStatistics);
    }
  }

  /** Registers or removes the configuration MXBean. */
  void setManagementEnabled(boolean enabled) {
    configuration.setManagementEnabled(enabled);
    if (enabled) {
      Management.register(configurationBean, manager.getURI().toString(), name, Management.Type.CacheConfiguration);
    } else {
      Management.unregister(manager.getURI().toString(), name, Management.Type.CacheConfiguration);
    }
  }

  /** Drops the cache's entries everywhere, for a destroyed cache. */
  void destroy() {
    try {
      owners.clearEverywhere();
    } finally {
      close();
    }
  }

  @Override
  public String toString() {
    return "GroupcacheCache[" + name + " of " + manager.getURI() + "]";
  }

  // ---- helpers ----

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("cache " + name + " is closed");
    }
  }

  private OwnerResponse peek(ByteView k) {
    return owners.read(k, QUIET, false);
  }

  private ByteView key(K key) {
    Objects.requireNonNull(key, "key");
    Class<K> type = configuration.getKeyType();
    if (type != Object.class && !type.isInstance(key)) {
      throw new ClassCastException("key " + key + " is not a " + type.getName());
    }
    return codecs.encode(key);
  }

  private ByteView value(V value) {
    Objects.requireNonNull(value, "value");
    return encodeValue(value);
  }

  private ByteView encodeValue(V value) {
    Class<V> type = configuration.getValueType();
    if (type != Object.class && !type.isInstance(value)) {
      throw new ClassCastException("value " + value + " is not a " + type.getName());
    }
    return codecs.encode(value);
  }

  @SuppressWarnings("unchecked")
  private V value(OwnerResponse r) {
    return (V) codecs.decode(r.getValue());
  }

  @SuppressWarnings("unchecked")
  private V decodeValue(ByteView v) {
    return (V) codecs.decode(v);
  }

  @SuppressWarnings("unchecked")
  private K decodeKey(ByteView k) {
    return (K) codecs.decode(k);
  }

  private void write(K key, V value) {
    if (writer == null || !configuration.isWriteThrough()) {
      return;
    }
    try {
      writer.write(new CacheEntry<>(key, value));
    } catch (CacheWriterException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheWriterException("the cache writer failed for " + key, e);
    }
  }

  private void delete(K key) {
    if (writer == null || !configuration.isWriteThrough()) {
      return;
    }
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
  private record WriteThrough(Set<Object> done, CacheWriterException failure) {
    static final WriteThrough ALL = new WriteThrough(null, null);

    boolean done(Object key) {
      return done == null || done.contains(key);
    }

    void rethrow() {
      if (failure != null) {
        throw failure;
      }
    }
  }

  /** Writes all entries through the writer; the writer removes each entry it wrote from the batch. */
  private WriteThrough writeAll(Map<? extends K, ? extends V> map) {
    if (writer == null || !configuration.isWriteThrough() || map.isEmpty()) {
      return WriteThrough.ALL;
    }
    List<Cache.Entry<? extends K, ? extends V>> pending = new ArrayList<>();
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      pending.add(new CacheEntry<>(e.getKey(), e.getValue()));
    }
    try {
      @SuppressWarnings("unchecked") // the writer accepts supertypes of K and V: these entries are fine
      CacheWriter<K, V> w = (CacheWriter<K, V>) writer;
      w.writeAll(pending);
      return WriteThrough.ALL;
    } catch (Exception e) {
      Set<Object> written = new HashSet<>(map.keySet());
      for (Cache.Entry<? extends K, ? extends V> left : pending) {
        written.remove(left.getKey());
      }
      return new WriteThrough(written, writerFailure(e));
    }
  }

  /** Deletes all keys through the writer; as {@link #writeAll}. */
  private WriteThrough deleteAll(Collection<K> keys) {
    if (writer == null || !configuration.isWriteThrough() || keys.isEmpty()) {
      return WriteThrough.ALL;
    }
    List<Object> pending = new ArrayList<>(keys);
    try {
      writer.deleteAll(pending);
      return WriteThrough.ALL;
    } catch (Exception e) {
      Set<Object> deleted = new HashSet<>(keys);
      deleted.removeAll(pending);
      return new WriteThrough(deleted, writerFailure(e));
    }
  }

  private static CacheWriterException writerFailure(Exception e) {
    return e instanceof CacheWriterException ? (CacheWriterException) e
        : new CacheWriterException("the cache writer failed", e);
  }

  private static void listenerFailure(OwnerResponse r) {
    if (!r.getListenerFailure().isEmpty()) {
      throw new CacheEntryListenerException(r.getListenerFailure());
    }
  }

  private CacheException contended(K key) {
    return new CacheException("key " + key + " of cache " + name + " kept changing under " + MAX_ATTEMPTS
        + " attempts to change it");
  }

}
