package dev.groupcache.jcache;

import dev.groupcache.jcache.cluster.ClusterNode;
import dev.groupcache.jcache.configuration.Settings;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * The JSR-107 provider that {@code Caching.getCachingProvider()} finds: caches shared by every node
 * of the cluster, configured through MicroProfile Config ({@code groupcache.*}).
 *
 * <p>Store-by-reference is not supported: entries live at their owners as bytes, so every read is
 * a copy.
 */
public final class GroupcacheCachingProvider implements CachingProvider {
  /** The URI of the default cache manager; the same on every node. */
  public static final URI DEFAULT_URI = URI.create("groupcache://default");

  /** The settings {@link #startNode} was given: below a manager's own, above every other source. */
  private static volatile Map<String, String> nodeSettings = Map.of();

  private final Map<ClassLoader, Map<URI, GroupcacheCacheManager>> managers = new WeakHashMap<>(); // guarded by this

  @Override
  public synchronized CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
    URI u = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<URI, GroupcacheCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
    GroupcacheCacheManager manager = byUri.get(u);
    if (manager == null || manager.isClosed()) {
      Properties p = properties == null ? new Properties() : properties;
      Settings settings = Settings.load(loader, overrides(p), nodeSettings);
      ClusterNode cluster = ClusterNode.acquire(settings, false);
      try {
        manager = new GroupcacheCacheManager(this, u, loader, p, settings, cluster);
      } catch (RuntimeException e) {
        ClusterNode.release(cluster);
        throw e;
      }
      byUri.put(u, manager);
    }
    return manager;
  }

  /** The {@code groupcache.*} properties given to a manager, which win over every other source. */
  private static Map<String, String> overrides(Properties properties) {
    Map<String, String> overrides = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      if (name.startsWith("groupcache.")) {
        overrides.put(name, properties.getProperty(name));
      }
    }
    return overrides;
  }

  /**
   * Starts this JVM's node now, before any CacheManager: for agents and embedders that want the
   * node up (serving peers, in the ring) before the application asks for caches. Settings come from
   * {@code settings} (keys as in the configuration table), then system properties, the environment
   * and the {@code microprofile-config.properties} files of {@code loader}; MicroProfile Config is
   * not consulted, so the application's own implementation is not started early. Managers created
   * later share the node, with their per-cache settings read through MicroProfile Config as usual,
   * below {@code settings} and the properties given to the manager.
   *
   * @param failOpen whether a node that cannot start (a port taken, no API access) is replaced by a
   *     local-only one, not ready and shared with no one, instead of throwing
   * @return closes the node once no manager uses it either
   * @throws IllegalArgumentException for a wrong setting, naming the key, even with failOpen
   */
  public static AutoCloseable startNode(Map<String, String> settings, ClassLoader loader, boolean failOpen) {
    Settings s = Settings.loadWithoutMicroProfile(loader, settings);
    nodeSettings = Map.copyOf(settings);
    ClusterNode node = ClusterNode.acquire(s, failOpen);
    return () -> ClusterNode.release(node);
  }

  @Override
  public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, getDefaultProperties());
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(getDefaultURI(), getDefaultClassLoader(), getDefaultProperties());
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : GroupcacheCachingProvider.class.getClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    return DEFAULT_URI;
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public void close() {
    for (GroupcacheCacheManager m : all(null, null)) {
      m.close();
    }
  }

  @Override
  public void close(ClassLoader classLoader) {
    for (GroupcacheCacheManager m : all(classLoader == null ? getDefaultClassLoader() : classLoader, null)) {
      m.close();
    }
  }

  @Override
  public void close(URI uri, ClassLoader classLoader) {
    for (GroupcacheCacheManager m : all(classLoader == null ? getDefaultClassLoader() : classLoader,
        uri == null ? getDefaultURI() : uri)) {
      m.close();
    }
  }

  private synchronized List<GroupcacheCacheManager> all(ClassLoader loader, URI uri) {
    List<GroupcacheCacheManager> found = new ArrayList<>();
    for (Map.Entry<ClassLoader, Map<URI, GroupcacheCacheManager>> e : managers.entrySet()) {
      if (loader == null || e.getKey() == loader) {
        for (Map.Entry<URI, GroupcacheCacheManager> m : e.getValue().entrySet()) {
          if (uri == null || m.getKey().equals(uri)) {
            found.add(m.getValue());
          }
        }
      }
    }
    return found;
  }

  /** A manager closed: it is forgotten, and the next request for its URI makes a new one. */
  synchronized void closed(GroupcacheCacheManager manager) {
    Map<URI, GroupcacheCacheManager> byUri = managers.get(manager.getClassLoader());
    if (byUri != null) {
      byUri.remove(manager.getURI(), manager);
    }
  }

  @Override
  public boolean isSupported(OptionalFeature feature) {
    return false;
  }
}
