package dev.groupcache.bench.node;

import dev.groupcache.jcache.GroupcacheCache;
import dev.groupcache.jcache.GroupcacheCacheManager;
import dev.groupcache.jcache.GroupcacheMetrics;
import dev.groupcache.jcache.NodeStatistics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
  /** The largest share of a cache's budget the provider gives its near copies. */
  private static final double MAX_HOT_SHARE = 0.125;

  private final String self;
  private final CachingProvider provider;
  private final CacheManager manager;
  /** The provider's meters, read for the per-node detail lines (gets by where they were answered). */
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private OursJCacheNode(List<String> peers, int index) {
    self = peers.get(index);
    Properties settings = new Properties();
    settings.setProperty("groupcache.discovery", "static");
    settings.setProperty("groupcache.static.peers", String.join(",", peers));
    settings.setProperty("groupcache.self", self);
    settings.setProperty("groupcache.port", self.substring(self.lastIndexOf(':') + 1));
    settings.setProperty("groupcache.bind-host", "127.0.0.1");
    String tls = System.getProperty(OursNode.TLS_DIR);
    if (tls != null) {
      settings.setProperty("groupcache.tls.cert", tls + "/cert.pem");
      settings.setProperty("groupcache.tls.key", tls + "/key.pem");
      settings.setProperty("groupcache.tls.ca", tls + "/ca.pem");
    }
    provider = Caching.getCachingProvider(PROVIDER);
    // the node starts, and listens, before this member reports itself to the driver
    manager = provider.getCacheManager(provider.getDefaultURI(), provider.getDefaultClassLoader(), settings);
    new GroupcacheMetrics(manager).bindTo(meters);
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
   * Creates the cache on this member with the spec's settings, given as the system properties the
   * provider reads when a cache is created ({@code groupcache.caches.<name>.*}): its byte budget,
   * its share for near copies (capped at the provider's 1/8) and its backups; read-through with the
   * spec's loader if it has one.
   */
  @Override
  public BenchCache<String> open(CacheSpec spec) {
    if (!spec.byValue()) {
      throw new IllegalArgumentException("our provider stores by value only: " + spec);
    }
    String prefix = "groupcache.caches." + spec.name() + ".";
    if (spec.maxBytes() > 0) {
      System.setProperty(prefix + "max-bytes", Long.toString(spec.maxBytes()));
    }
    System.setProperty(prefix + "hot-share", Double.toString(Math.min(MAX_HOT_SHARE, spec.hotShare())));
    System.setProperty(prefix + "backups", Integer.toString(spec.backups()));
    MutableConfiguration<String, byte[]> config = new MutableConfiguration<String, byte[]>()
        .setTypes(String.class, byte[].class);
    if (spec.readThrough()) {
      config.setReadThrough(true).setCacheLoaderFactory(new SleepingLoaderFactory(spec.loaderMillis()));
    }
    Cache<String, byte[]> cache = manager.createCache(spec.name(), config);
    @SuppressWarnings("unchecked") // unwrap takes a raw class; the cache is typed above
    GroupcacheCache<String, byte[]> ours = cache.unwrap(GroupcacheCache.class);
    GroupcacheCacheManager m = manager.unwrap(GroupcacheCacheManager.class);
    return new JCacheAdapter(cache, ours::ownerOf, () -> {
      NodeStatistics s = m.nodeStatistics();
      Map<String, Long> stats = new LinkedHashMap<>();
      stats.put("owner_requests", s.ownerRequests());
      stats.put("late_invalidations", s.lateInvalidations());
      for (FunctionCounter c : meters.find("groupcache.jcache.gets").tag("cache", spec.name()).functionCounters()) {
        stats.put(c.getId().getTag("outcome"), (long) c.count());
      }
      return stats;
    });
  }

  @Override
  public void close() {
    manager.close();
    provider.close();
  }
}
