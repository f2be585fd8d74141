package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import dev.groupcache.Group;
import dev.groupcache.Node;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.Serializable;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import java.util.Properties;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The binder's figures move as a cache is used, and a destroyed cache's meters go. */
class GroupcacheMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private CacheManager manager;

  /** Loads "value:" + key; fails for keys starting with "bad". */
  public static final class Loader implements CacheLoader<String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String load(String key) {
      if (key.startsWith("bad")) {
        throw new IllegalStateException("no " + key);
      }
      return "value:" + key;
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
      throw new UnsupportedOperationException();
    }
  }

  @AfterEach
  void close() {
    if (manager != null) {
      manager.close();
    }
  }

  private CacheManager manager() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Properties p = new Properties();
    p.setProperty("groupcache.discovery", "static");
    p.setProperty("groupcache.self", "127.0.0.1:" + port);
    p.setProperty("groupcache.static.peers", "127.0.0.1:" + port);
    p.setProperty("groupcache.port", String.valueOf(port));
    p.setProperty("groupcache.bind-host", "127.0.0.1");
    manager = new GroupcacheCachingProvider().getCacheManager(URI.create("urn:metrics-test"),
        getClass().getClassLoader(), p);
    return manager;
  }

  private double counter(String name, String... tags) {
    FunctionCounter c = registry.find(name).tags(tags).functionCounter();
    assertNotNull(c, name + " " + String.join(",", tags));
    return c.count();
  }

  private double gauge(String name, String... tags) {
    Gauge g = registry.find(name).tags(tags).gauge();
    assertNotNull(g, name + " " + String.join(",", tags));
    return g.value();
  }

  @Test
  void getsLoadsAndEntriesMoveAsTheCacheIsUsed() throws Exception {
    CacheManager m = manager();
    new GroupcacheMetrics(m).bindTo(registry);
    Cache<String, String> cache = m.createCache("metered", new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class).setReadThrough(true)
        .setCacheLoaderFactory(FactoryBuilder.factoryOf(Loader.class)));

    assertEquals("value:a", cache.get("a")); // a miss, loaded here (this node owns every key)
    assertEquals("value:a", cache.get("a")); // an owned hit
    assertThrows(CacheLoaderException.class, () -> cache.get("bad"));

    assertEquals(1, counter("groupcache.jcache.gets", "cache", "metered", "outcome", "owned_hit"));
    assertEquals(2, counter("groupcache.jcache.gets", "cache", "metered", "outcome", "miss"));
    assertEquals(0, counter("groupcache.jcache.gets", "cache", "metered", "outcome", "remote_hit"));
    assertEquals(2, counter("groupcache.jcache.loads", "cache", "metered"));
    assertEquals(1, counter("groupcache.jcache.load.errors", "cache", "metered"));
    Timer loads = registry.find("groupcache.jcache.load.duration").tags("cache", "metered").timer();
    assertNotNull(loads);
    assertEquals(2, loads.count());
    assertEquals(1, gauge("groupcache.jcache.entries", "cache", "metered"));
    assertTrue(gauge("groupcache.jcache.bytes", "cache", "metered") > "avalue:a".length());
    assertTrue(gauge("groupcache.ring.members") >= 1);
    assertEquals(1, gauge("groupcache.node.ready"));
    assertEquals(1, gauge("groupcache.discovery.ready"));
    assertTrue(counter("groupcache.owner.requests") >= 2);

    m.destroyCache("metered");
    assertNull(registry.find("groupcache.jcache.gets").tags("cache", "metered").functionCounter(),
        "a destroyed cache's meters are removed");
  }

  @Test
  void engineGroupsOfTheNodeAreBoundAsTheyAreMadeWithGolangGroupcachesNames() throws Exception {
    CacheManager m = manager();
    Node node = m.unwrap(GroupcacheCacheManager.class).cluster().node();
    Group before = node.newGroup("engine-before", 1 << 20, key -> ByteView.of("v"));
    new GroupcacheMetrics(m).bindTo(registry);
    Group after = node.newGroup("engine-after", 1 << 20, key -> {
      if (key.toStringUtf8().startsWith("bad")) {
        throw new IllegalStateException("refused");
      }
      return ByteView.of("v");
    });

    before.get(ByteView.of("k"));
    before.get(ByteView.of("k"));
    after.get(ByteView.of("k"));
    assertThrows(RuntimeException.class, () -> after.get(ByteView.of("bad")));

    assertEquals(2, counter("groupcache.gets", "group", "engine-before"));
    assertEquals(1, counter("groupcache.hits", "group", "engine-before", "cache", "main"));
    assertEquals(0, counter("groupcache.hits", "group", "engine-before", "cache", "hot"));
    assertEquals(1, counter("groupcache.loads", "group", "engine-before"));
    assertEquals(1, counter("groupcache.local.loads", "group", "engine-before"));
    assertEquals(1, gauge("groupcache.cache.items", "group", "engine-before", "cache", "main"));
    assertTrue(gauge("groupcache.cache.bytes", "group", "engine-before", "cache", "main") >= 2);
    assertEquals(0, counter("groupcache.cache.evictions", "group", "engine-before", "cache", "main"));
    assertEquals(2, counter("groupcache.gets", "group", "engine-after"), "a group made after binding");
    assertEquals(1, counter("groupcache.local.load.errs", "group", "engine-after"));
    assertEquals(0, counter("groupcache.peer.loads", "group", "engine-after"));
  }

  @Test
  void aCacheCreatedAfterBindingIsBoundTooAndSoIsEveryManagersWithTheNoArgumentBinder() throws Exception {
    CacheManager m = manager();
    m.createCache("before", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    new GroupcacheMetrics().bindTo(registry);
    Cache<String, String> later = m.createCache("after",
        new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    later.put("k", "v");
    later.get("k");
    assertNotNull(registry.find("groupcache.jcache.gets").tags("cache", "before").functionCounter());
    assertEquals(1, counter("groupcache.jcache.gets", "cache", "after", "outcome", "owned_hit"));
  }
}
