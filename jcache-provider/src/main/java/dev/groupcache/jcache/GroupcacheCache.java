package dev.groupcache.jcache;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.cluster.CacheIds;
import dev.groupcache.jcache.cluster.CacheService;
import dev.groupcache.jcache.cluster.ClusterNode;
import dev.groupcache.jcache.cluster.OwnerClient;
import dev.groupcache.jcache.cluster.OwnerLoads;
import dev.groupcache.jcache.cluster.OwnerUnavailableException;
import dev.groupcache.jcache.cluster.WriteBatch;
import dev.groupcache.jcache.codec.CacheCodec;
import dev.groupcache.jcache.codec.CodecException;
import dev.groupcache.jcache.codec.Codecs;
import dev.groupcache.jcache.configuration.Settings;
import dev.groupcache.jcache.event.CacheEvents;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.integration.Closeables;
import dev.groupcache.jcache.integration.ReadThrough;
import dev.groupcache.jcache.integration.WriteThrough;
import dev.groupcache.jcache.management.CacheConfigurationBean;
import dev.groupcache.jcache.management.CacheStatistics;
import dev.groupcache.jcache.management.Management;
import dev.groupcache.jcache.processor.EntryProcessors;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
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
 * only after every member that holds a copy of the key has dropped it or its copy lease has run
 * out, and every member with synchronous listeners has run them (or the invalidation timeout
 * passed; see {@code cluster.ChangeDelivery}).
 *
 * <p>Stores by value: callers always get their own copies. The writer is called before the owner
 * is asked to change the entry, so a failing writer leaves the cache as it was; under concurrent
 * writes to one key, a writer may be called for a write that then loses the race and is retried.
 *
 * <p>Long (over 400 lines) because it is the face of JSR-107's {@code Cache}: a method for each of
 * its operations, checking arguments and calling the concerns that do the work.
 */
public final class GroupcacheCache<K, V> implements Cache<K, V> {
  private final GroupcacheCacheManager manager;
  private final String name;
  private final String id;
  private final MutableConfiguration<K, V> configuration;
  private final ClusterNode cluster;
  private final CacheCodec<K, V> codec;
  private final OwnerClient owners;
  private final CacheEvents<K, V> events;
  private final CacheStatistics statistics;
  private final UndecodableEntries undecodable;
  private final CacheConfigurationBean configurationBean;
  private final Ttl ttl;
  private final ExpiryPolicy expiryPolicy;
  private final CacheLoader<K, V> loader;
  private final WriteThrough<K, V> writeThrough;
  private final ConditionalWrites<K, V> writes;
  private final EntryProcessors<K, V> processors;
  private final ReadThrough<K, V> readThrough;
  private final OwnerLoads ownerLoads; // null without read-through
  /** What a get asks the owner: a lease to load if it reads through, an access expiry if a standard policy has one. */
  private final OwnerClient.GetRead getRead;
  /** Whether a near copy may answer a get: only for a read that changes nothing at the owner. */
  private final boolean nearReads;
  private volatile boolean closed;

  GroupcacheCache(GroupcacheCacheManager manager, String name, CompleteConfiguration<K, V> configuration,
      ClusterNode cluster, Codecs codecs, Settings.CacheSettings settings) {
    this.manager = manager;
    this.name = name;
    this.id = CacheIds.of(manager.getURI(), name);
    this.configuration = new MutableConfiguration<>(configuration);
    this.cluster = cluster;
    this.codec = new CacheCodec<>(codecs, configuration.getKeyType(), configuration.getValueType());
    this.owners = new OwnerClient(cluster.node(), cluster.service(), id, cluster.peerTimeout(),
        (long) (settings.maxBytes() * settings.hotShare()), settings.nearTtl(), settings.backups(), cluster.ticker());
    this.expiryPolicy = configuration.getExpiryPolicyFactory() == null
        ? new EternalExpiryPolicy()
        : configuration.getExpiryPolicyFactory().create();
    this.ttl = new Ttl(expiryPolicy);
    this.loader = configuration.getCacheLoaderFactory() == null ? null
        : configuration.getCacheLoaderFactory().create();
    long access = ttl.pure() ? ttl.access() : Ttl.UNCHANGED;
    this.getRead = owners.getRead(configuration.isReadThrough() && loader != null, access);
    this.nearReads = ttl.pure() && access == Ttl.UNCHANGED;
    this.writeThrough = WriteThrough.of(configuration);
    this.statistics = new CacheStatistics(() -> cluster.service().evictions(id));
    this.undecodable = new UndecodableEntries(name);
    this.writes = new ConditionalWrites<>(owners, codec, ttl, writeThrough, statistics);
    this.readThrough = new ReadThrough<>(loader, configuration.isReadThrough(), owners, codec, ttl, cluster.events(),
        cluster.peerTimeout());
    this.configurationBean = new CacheConfigurationBean(this.configuration);
    this.processors = new EntryProcessors<>(owners, codec, ttl, writeThrough, statistics,
        configuration.isReadThrough() ? loader : null);
    this.events = new CacheEvents<>(this, codecs::decode, owners::drop, owners::dropAll, cluster.events());
    for (CacheEntryListenerConfiguration<K, V> listener : configuration.getCacheEntryListenerConfigurations()) {
      events.register(listener);
    }
    cluster.service().receive(id, events);
    cluster.service().listenersChanged(id); // and learns the other members' listeners
    this.ownerLoads = readThrough.ownerLoads();
    if (ownerLoads != null) {
      cluster.service().loadHere(id, ownerLoads);
    }
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
    ByteView k = codec.key(key);
    long start = statistics.start();
    V value = getValue(key, k);
    statistics.recordGetTime(start);
    return value;
  }

  private V getValue(K key, ByteView k) {
    if (nearReads) { // a read that changes nothing at the owner: answered here if it can be
      ByteView local = owners.localValue(k);
      if (local != null) {
        statistics.recordHit();
        return codec.decodeValue(local);
      }
      CompletableFuture<ByteView> load = readThrough.loadToJoin(k); // a herd on this node asks once
      if (load != null) {
        V joined = readThrough.joined(key, load);
        if (joined != null) {
          statistics.recordHit();
        } else {
          statistics.recordMiss();
        }
        return joined;
      }
    }
    OwnerResponse r;
    try {
      r = owners.get(k, getRead, nearReads);
      while (r.getRetry()) {
        r = owners.get(k, getRead, false);
      }
    } catch (OwnerUnavailableException e) { // a cache prefers a miss to an exception
      cluster.service().unavailableRead();
      owners.counters().miss();
      statistics.recordMiss();
      return readThrough.isEnabled() ? readThrough.loadHere(key, k) : null;
    }
    if (r.getPresent() && r.getLoadedForRead()) { // the owner loaded it for this get: a miss
      statistics.recordMiss();
      return codec.decodeValue(r.getValue());
    }
    if (r.getPresent()) {
      statistics.recordHit();
      if (!ttl.pure()) {
        owners.touch(k, ttl.access());
      }
      return codec.decodeValue(r.getValue());
    }
    statistics.recordMiss();
    if (!r.getLoadFailure().isEmpty()) {
      throw new CacheLoaderException(r.getLoadFailure());
    }
    return r.getLease() == 0 ? null : readThrough.load(key, k, r.getLease());
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    ensureOpen();
    requireKeys(keys);
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
    try {
      return owners.peek(codec.key(key)).getPresent();
    } catch (OwnerUnavailableException e) {
      cluster.service().unavailableRead();
      return false;
    }
  }

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener listener) {
    ensureOpen();
    requireKeys(keys);
    readThrough.loadAll(keys, replaceExistingValues, this::containsKey, listener);
  }

  // ---- writes ----

  @Override
  public void put(K key, V value) {
    ensureOpen();
    ByteView k = codec.key(key);
    ByteView v = codec.value(value);
    long start = statistics.start();
    writeThrough.write(key, value);
    OwnerResponse r = writes.put(key, k, v, false);
    if (r.getVersion() != 0) { // an entry that expires on arrival is not a put
      statistics.recordPut(start);
    }
    OwnerClient.listenerFailure(r);
  }

  @Override
  public V getAndPut(K key, V value) {
    ensureOpen();
    ByteView k = codec.key(key);
    ByteView v = codec.value(value);
    long start = statistics.start();
    writeThrough.write(key, value);
    OwnerResponse r = writes.put(key, k, v, true);
    statistics.recordLookup(r.getPresent());
    statistics.recordPut(start);
    OwnerClient.listenerFailure(r);
    return r.getPresent() ? codec.decodeValue(r.getValue()) : null;
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    ensureOpen();
    Objects.requireNonNull(map, "map");
    Map<ByteView, ByteView> encoded = new LinkedHashMap<>();
    Map<ByteView, K> keys = new LinkedHashMap<>();
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      ByteView k = codec.key(e.getKey());
      encoded.put(k, codec.value(e.getValue()));
      keys.put(k, e.getKey());
    }
    long start = statistics.start();
    WriteBatch batch = owners.batch();
    writeThrough.writeAll(map).apply(encoded.keySet(), keys::get, k -> writes.beginPut(batch, keys.get(k), k, encoded.get(k)),
        r -> r.getVersion() != 0, took -> statistics.recordPuts(took, start));
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    ensureOpen();
    ByteView k = codec.key(key);
    ByteView v = codec.value(value);
    long start = statistics.start();
    if (writeThrough.isEnabled() || !ttl.pure()) { // the writer, and any other policy, only for a creation
      if (owners.peek(k).getPresent()) {
        statistics.recordHit();
        return false;
      }
      writeThrough.write(key, value);
    }
    OwnerResponse r = owners.putIfAbsent(k, v, ttl.creation());
    if (r.getApplied()) {
      statistics.recordPut(start);
      statistics.recordMiss();
    } else {
      statistics.recordHit();
    }
    OwnerClient.listenerFailure(r);
    return r.getApplied();
  }

  @Override
  public boolean remove(K key) {
    ensureOpen();
    ByteView k = codec.key(key);
    long start = statistics.start();
    writeThrough.delete(key);
    OwnerResponse r = owners.remove(k, false);
    if (r.getApplied()) {
      statistics.recordRemoval(start);
    }
    OwnerClient.listenerFailure(r);
    return r.getApplied();
  }

  @Override
  public boolean remove(K key, V oldValue) {
    ensureOpen();
    ByteView k = codec.key(key);
    codec.value(oldValue);
    return writes.remove(key, k, oldValue);
  }

  @Override
  public V getAndRemove(K key) {
    ensureOpen();
    ByteView k = codec.key(key);
    long start = statistics.start();
    writeThrough.delete(key);
    OwnerResponse r = owners.remove(k, true);
    statistics.recordLookup(r.getApplied());
    if (r.getApplied()) {
      statistics.recordRemoval(start);
    }
    OwnerClient.listenerFailure(r);
    return r.getApplied() ? codec.decodeValue(r.getValue()) : null;
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
    return r == null ? null : codec.decodeValue(r.getValue());
  }

  private OwnerResponse replaceValue(K key, boolean conditional, V expected, V value, boolean returnOld) {
    ensureOpen();
    ByteView k = codec.key(key);
    if (conditional) {
      codec.value(expected); // null, or of a type the cache does not hold, fails as a new value would
    }
    return writes.replace(key, k, conditional ? expected : null, value, codec.value(value), returnOld);
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    ensureOpen();
    Objects.requireNonNull(keys, "keys");
    Map<ByteView, K> encoded = new LinkedHashMap<>();
    for (K key : keys) {
      encoded.put(codec.key(key), key);
    }
    removeEach(encoded);
  }

  @Override
  public void removeAll() {
    ensureOpen();
    Map<ByteView, K> all = new LinkedHashMap<>();
    List<ByteView> unreadable = new ArrayList<>();
    for (Iterator<dev.groupcache.jcache.proto.Entry> it = owners.entries(false); it.hasNext(); ) {
      ByteView k = ByteView.copyOf(it.next().getKey());
      try {
        all.put(k, codec.decodeKey(k));
      } catch (CodecException e) {
        undecodable.skipped(e);
        unreadable.add(k);
      }
    }
    removeEach(all);
    for (ByteView k : unreadable) { // removed too, but no writer can be told of a key it cannot read
      owners.remove(k, false);
    }
  }

  /** Entries skipped by iteration, or removed unread by {@link #removeAll()}, as no codec here decodes them. */
  public long undecodableEntries() {
    return undecodable.count();
  }

  /** Deletes through the writer, then removes what the writer deleted. */
  private void removeEach(Map<ByteView, K> keys) {
    long start = statistics.start();
    writeThrough.deleteAll(keys.values()).apply(keys.keySet(), keys::get, owners.batch()::remove,
        OwnerResponse::getApplied, took -> statistics.recordRemovals(took, start));
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
    ByteView k = codec.key(key);
    Objects.requireNonNull(processor, "processor");
    return processors.invoke(key, k, processor, arguments);
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> processor,
      Object... arguments) {
    ensureOpen();
    requireKeys(keys);
    Objects.requireNonNull(processor, "processor");
    return processors.invokeAll(keys, key -> invoke(key, processor, arguments));
  }

  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    ensureOpen();
    return new CacheIterator<>(owners, codec, ttl, statistics, undecodable, this::ensureOpen, this::remove);
  }

  // ---- listeners, configuration, lifecycle ----

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    ensureOpen();
    Objects.requireNonNull(listener, "listener");
    events.register(listener);
    configuration.addCacheEntryListenerConfiguration(listener);
    cluster.service().listenersChanged(id);
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    ensureOpen();
    Objects.requireNonNull(listener, "listener");
    if (events.deregister(listener)) {
      configuration.removeCacheEntryListenerConfiguration(listener);
      cluster.service().listenersChanged(id);
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
    owners.close();
    if (ownerLoads != null) {
      cluster.service().stopLoading(id, ownerLoads);
    }
    cluster.service().stopReceiving(id, events);
    boolean listened = events.listening() != CacheService.Listening.NONE;
    events.close();
    if (listened) {
      cluster.service().listenersChanged(id);
    }
    Closeables.close(loader, writeThrough.created(), expiryPolicy);
    if (configuration.isManagementEnabled()) {
      Management.unregister(manager.getURI().toString(), name, Management.Type.CacheConfiguration);
    }
    if (statistics.isEnabled()) {
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

  /**
   * The member that owns {@code key} on this node's current ring, as {@code host:port}: the one
   * that holds its entry and answers for it. For diagnostics and placement-aware tests; the answer
   * changes as members come and go.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalStateException if the cache is closed
   */
  public String ownerOf(K key) {
    ensureOpen();
    Objects.requireNonNull(key, "key");
    return owners.ownerOf(codec.key(key)).toString();
  }

  /** The cache's id in the cluster: its manager's URI and its name. */
  String id() {
    return id;
  }

  /** This cache's requests to owners and its near copies; for tests that interleave with them. */
  OwnerClient owners() {
    return owners;
  }

  /** Turns statistics on or off, registering or removing their MXBean. */
  void setStatisticsEnabled(boolean enabled) {
    statistics.setEnabled(enabled);
    configuration.setStatisticsEnabled(enabled);
    Management.registered(enabled, statistics, manager.getURI().toString(), name, Management.Type.CacheStatistics);
  }

  /** Registers or removes the configuration MXBean. */
  void setManagementEnabled(boolean enabled) {
    configuration.setManagementEnabled(enabled);
    Management.registered(enabled, configurationBean, manager.getURI().toString(), name,
        Management.Type.CacheConfiguration);
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

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("cache " + name + " is closed");
    }
  }

  private static void requireKeys(Set<?> keys) {
    Objects.requireNonNull(keys, "keys");
    for (Object key : keys) {
      Objects.requireNonNull(key, "a key is null");
    }
  }
}
