package dev.groupcache.bench.node;

import dev.groupcache.jcache.GroupcacheCacheManager;
import dev.groupcache.jcache.NodeStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

/**
 * A member of our JCache provider's cluster in its own JVM, used only through {@code javax.cache},
 * as an application uses it: static discovery on 127.0.0.1, every member given the full peer list
 * at start, each cache with the provider's default settings.
 *
 * <p>Arguments: the comma-separated {@code host:port} of all members, and this member's index in
 * that list.
 */
public final class OursJCacheNode implements BenchNode {
  private static final String PROVIDER = "dev.groupcache.jcache.GroupcacheCachingProvider";
  private static final long JOIN_TIMEOUT_MILLIS = 60_000;
  private static final long POLL_MILLIS = 50;

  private final String self;
  private final CachingProvider provider;
  private final CacheManager manager;

  private OursJCacheNode(List<String> peers, int index) {
    self = peers.get(index);
    Properties settings = new Properties();
    settings.setProperty("groupcache.discovery", "static");
    settings.setProperty("groupcache.static.peers", String.join(",", peers));
    settings.setProperty("groupcache.self", self);
    settings.setProperty("groupcache.port", self.substring(self.lastIndexOf(':') + 1));
    settings.setProperty("groupcache.bind-host", "127.0.0.1");
    // W6 compares writes without backups (Hazelcast's configured with none); every other cache has
    // the provider's default, one backup, as the backups workload's and the TLS mix's
    settings.setProperty("groupcache.caches.w6.backups", "0");
    String tls = System.getProperty(OursNode.TLS_DIR);
    if (tls != null) {
      settings.setProperty("groupcache.tls.cert", tls + "/cert.pem");
      settings.setProperty("groupcache.tls.key", tls + "/key.pem");
      settings.setProperty("groupcache.tls.ca", tls + "/ca.pem");
    }
    provider = Caching.getCachingProvider(PROVIDER);
    // the node starts, and listens, before this member reports itself to the driver
    manager = provider.getCacheManager(provider.getDefaultURI(), provider.getDefaultClassLoader(), settings);
  }

  /** The child JVM's entry point; speaks {@link CommandLoop}'s protocol. */
  public static void main(String[] args) {
    CommandLoop.serve(() -> new OursJCacheNode(List.of(args[0].split(",")), Integer.parseInt(args[1])));
  }

  @Override
  public String id() {
    return self;
  }

  /** Waits until the ring holds exactly the given members and the node says it is ready. */
  @Override
  public void join(List<String> ids) throws InterruptedException {
    GroupcacheCacheManager m = manager.unwrap(GroupcacheCacheManager.class);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MILLIS);
    for (long i = 0; i < JOIN_TIMEOUT_MILLIS / POLL_MILLIS; i++) {
      NodeStatistics s = m.nodeStatistics();
      if (s.ready() && s.peers().size() == ids.size() && s.peers().containsAll(ids)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IllegalStateException("ring of " + ids + " not formed within " + JOIN_TIMEOUT_MILLIS
        + " ms: " + m.nodeStatistics());
  }

  /**
   * Creates the cache on this member. Only puts and gets of caches filled by puts are supported:
   * the spec's byte budget and hot share are left to the provider's defaults (64 MiB, 1/8).
   */
  @Override
  public BenchCache<String> open(CacheSpec spec) {
    if (spec.readThrough()) {
      throw new IllegalArgumentException("OursJCacheNode opens caches filled by puts only: " + spec);
    }
    if (!spec.byValue()) {
      throw new IllegalArgumentException("our provider stores by value only: " + spec);
    }
    Cache<String, byte[]> cache = manager.createCache(spec.name(),
        new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class));
    GroupcacheCacheManager m = manager.unwrap(GroupcacheCacheManager.class);
    return new JCacheAdapter(cache, key -> {
      throw new UnsupportedOperationException("the JCache provider does not tell a key's owner");
    }, () -> {
      NodeStatistics s = m.nodeStatistics();
      Map<String, Long> stats = new LinkedHashMap<>();
      stats.put("owner_requests", s.ownerRequests());
      stats.put("late_invalidations", s.lateInvalidations());
      return stats;
    });
  }

  @Override
  public void close() {
    manager.close();
    provider.close();
  }
}
