package dev.groupcache.jcache;

import dev.groupcache.jcache.cluster.ClusterNode;
import dev.groupcache.jcache.codec.Codecs;
import dev.groupcache.jcache.configuration.Settings;
import io.grpc.BindableService;
import io.grpc.ServerCredentials;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

/**
 * The caches of one URI and class loader. Every manager in a JVM shares the JVM's cluster node;
 * the caches of a URI are the same caches on every node that uses that URI.
 *
 * <p>Per-cache settings ({@code groupcache.caches.<name>.*}) apply when a cache is created:
 * statistics or management turned on there are on whatever the configuration says.
 */
public final class GroupcacheCacheManager implements CacheManager {
  private final GroupcacheCachingProvider provider;
  private final URI uri;
  private final ClassLoader classLoader;
  private final Properties properties;
  private final Settings settings;
  private final ClusterNode cluster;
  private final Codecs codecs;
  private final Map<String, GroupcacheCache<?, ?>> caches = new LinkedHashMap<>(); // guarded by this
  private volatile boolean closed;

  GroupcacheCacheManager(GroupcacheCachingProvider provider, URI uri, ClassLoader classLoader,
      Properties properties, Settings settings, ClusterNode cluster) {
    this.provider = provider;
    this.uri = uri;
    this.classLoader = classLoader;
    this.properties = properties;
    this.settings = settings;
    this.cluster = cluster;
    OPEN.add(this);
    this.codecs = Codecs.create(classLoader, String.join(";", settings.serializationAllowlist()),
        settings.maxValueBytes());
  }

  @Override
  public synchronized <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String name, C configuration) {
    ensureOpen();
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(configuration, "configuration");
    if (caches.containsKey(name)) {
      throw new CacheException("cache " + name + " already exists in " + uri);
    }
    MutableConfiguration<K, V> complete = complete(configuration);
    Settings.CacheSettings cacheSettings = settings.cache(name);
    complete.setStatisticsEnabled(complete.isStatisticsEnabled() || cacheSettings.statistics());
    complete.setManagementEnabled(complete.isManagementEnabled() || cacheSettings.management());
    GroupcacheCache<K, V> cache = new GroupcacheCache<>(this, name, complete, cluster, codecs, cacheSettings);
    caches.put(name, cache);
    EVERY_CACHE_WATCHERS.forEach(w -> w.opened().accept(cache));
    return cache;
  }

  private static <K, V> MutableConfiguration<K, V> complete(Configuration<K, V> configuration) {
    if (configuration instanceof CompleteConfiguration) {
      return new MutableConfiguration<>((CompleteConfiguration<K, V>) configuration);
    }
    return new MutableConfiguration<K, V>()
        .setTypes(configuration.getKeyType(), configuration.getValueType())
        .setStoreByValue(configuration.isStoreByValue());
  }

  @Override
  public synchronized <K, V> Cache<K, V> getCache(String name, Class<K> keyType, Class<V> valueType) {
    ensureOpen();
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(valueType, "valueType");
    GroupcacheCache<K, V> cache = cache(name);
    if (cache == null) {
      return null;
    }
    @SuppressWarnings("unchecked")
    CompleteConfiguration<K, V> c = cache.getConfiguration(CompleteConfiguration.class);
    if (!c.getKeyType().equals(keyType) || !c.getValueType().equals(valueType)) {
      throw new ClassCastException("cache " + name + " holds " + c.getKeyType().getName() + " to "
          + c.getValueType().getName() + ", not " + keyType.getName() + " to " + valueType.getName());
    }
    return cache;
  }

  @Override
  public synchronized <K, V> Cache<K, V> getCache(String name) {
    ensureOpen();
    return cache(name);
  }

  @SuppressWarnings("unchecked")
  private <K, V> GroupcacheCache<K, V> cache(String name) {
    Objects.requireNonNull(name, "name");
    return (GroupcacheCache<K, V>) caches.get(name);
  }

  @Override
  public synchronized Iterable<String> getCacheNames() {
    ensureOpen();
    return Set.copyOf(caches.keySet());
  }

  @Override
  public void destroyCache(String name) {
    GroupcacheCache<?, ?> cache;
    synchronized (this) {
      ensureOpen();
      cache = cache(name);
    }
    if (cache != null) {
      cache.destroy();
    }
  }

  @Override
  public synchronized void enableManagement(String name, boolean enabled) {
    ensureOpen();
    GroupcacheCache<?, ?> cache = cache(name);
    if (cache != null) {
      cache.setManagementEnabled(enabled);
    }
  }

  @Override
  public synchronized void enableStatistics(String name, boolean enabled) {
    ensureOpen();
    GroupcacheCache<?, ?> cache = cache(name);
    if (cache != null) {
      cache.setStatisticsEnabled(enabled);
    }
  }

  /** A cache closed itself: it leaves the manager. */
  synchronized void closed(GroupcacheCache<?, ?> cache) {
    if (caches.remove(cache.getName(), cache)) {
      EVERY_CACHE_WATCHERS.forEach(w -> w.closed().accept(cache));
    }
  }

  /** Who hears of caches opened and closed here: {@link GroupcacheMetrics}. */
  private record CacheWatcher(Consumer<GroupcacheCache<?, ?>> opened, Consumer<GroupcacheCache<?, ?>> closed) {}

  private static final List<CacheWatcher> EVERY_CACHE_WATCHERS = new CopyOnWriteArrayList<>();
  private static final Set<GroupcacheCacheManager> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Tells {@code opened} of every cache of every manager of this provider in the JVM, open now and
   * later, and {@code closed} of each that closes: {@link GroupcacheMetrics}.
   */
  static void onAnyCacheOpened(Consumer<GroupcacheCache<?, ?>> opened, Consumer<GroupcacheCache<?, ?>> closed) {
    EVERY_CACHE_WATCHERS.add(new CacheWatcher(opened, closed));
    for (GroupcacheCacheManager m : OPEN) {
      List<GroupcacheCache<?, ?>> open;
      synchronized (m) {
        open = new ArrayList<>(m.caches.values());
      }
      open.forEach(opened);
    }
  }

  /** The JVM's cluster node these caches share. */
  ClusterNode cluster() {
    return cluster;
  }

  @Override
  public void close() {
    ArrayList<GroupcacheCache<?, ?>> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = new ArrayList<>(caches.values());
    }
    for (GroupcacheCache<?, ?> cache : open) {
      cache.close();
    }
    provider.closed(this);
    OPEN.remove(this);
    ClusterNode.release(cluster);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public CachingProvider getCachingProvider() {
    return provider;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader;
  }

  @Override
  public Properties getProperties() {
    return properties;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cannot unwrap the cache manager to " + clazz.getName());
  }

  /** Whether the JVM's cluster node is ready: discovery synced and not refused. */
  public boolean isNodeReady() {
    return cluster.isReady();
  }

  /**
   * The peer protocol of the JVM's cluster node as a gRPC service, for an application that serves
   * it from its own gRPC server on {@code groupcache.port} with {@code groupcache.serve=false}. It
   * answers while the node runs. Its handlers never block, so a server's direct executor suits it.
   */
  public BindableService peerService() {
    return cluster.node().peerService();
  }

  /**
   * The credentials the application's server of {@link #peerService()} must use: mutual TLS from
   * {@code groupcache.tls.*} (a client certificate required and checked as the node's own server
   * checks it), or plaintext when those keys are not set. They follow the files as they are read
   * again. With {@code groupcache.serve=false}:
   *
   * <pre>{@code
   * Server server = Grpc.newServerBuilderForPort(7600, manager.peerServerCredentials())
   *     .addService(manager.peerService())
   *     .build()
   *     .start();
   * }</pre>
   *
   * <p>A server with these credentials refuses clients without a member's certificate: serve the
   * application's other services on another server if their clients have none. The node's own
   * links to its peers use TLS whether or not it serves.
   */
  public ServerCredentials peerServerCredentials() {
    return cluster.serverCredentials();
  }

  /** The figures of the JVM's cluster node. */
  public NodeStatistics nodeStatistics() {
    return cluster.statistics();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the cache manager " + uri + " is closed");
    }
  }
}
