package dev.groupcache.agent.annotations;

import dev.groupcache.agent.inside.AnnotationWeaving;
import dev.groupcache.testing.FreePorts;
import java.lang.instrument.Instrumentation;
import java.util.List;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Weaves the fixtures of this JVM's tests, once, and points the real provider at a single local
 * node. Tests refer to fixture classes in method bodies only, never in fields, signatures or
 * lambdas' captures, which test discovery would load before the weaving.
 */
final class Woven {
  static final String FIXTURES = "dev.groupcache.agent.annotations.fixtures.";
  static final String PRELOADED = FIXTURES + "Preloaded";

  private static boolean installed;

  private Woven() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    Instrumentation instrumentation = ByteBuddyAgent.install();
    // woven by retransformation; the other fixtures are woven as they load, unless test discovery
    // loads them first, as it does when a -Dtest pattern matches the fixtures' package
    try {
      Class.forName(PRELOADED, false, Woven.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
    AnnotationWeaving.install(instrumentation, List.of(FIXTURES));
    int port = FreePorts.take();
    setIfAbsent("groupcache.discovery", "static");
    setIfAbsent("groupcache.port", Integer.toString(port));
    setIfAbsent("groupcache.self", "127.0.0.1:" + port);
    setIfAbsent("groupcache.static.peers", "127.0.0.1:" + port);
    setIfAbsent("groupcache.bind-host", "127.0.0.1");
    // the exception caches hold exceptions, which only Java serialization encodes
    setIfAbsent("groupcache.serialization.allowlist", "java.lang.*,java.util.*,java.io.*");
    installed = true;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  static CacheManager manager() {
    return Caching.getCachingProvider().getCacheManager();
  }

  /** The cache, which must exist. */
  static Cache<Object, Object> cache(String name) {
    Cache<Object, Object> cache = manager().getCache(name);
    if (cache == null) {
      throw new AssertionError("no cache " + name);
    }
    return cache;
  }

  static void clear(String... names) {
    for (String name : names) {
      Cache<Object, Object> cache = manager().getCache(name);
      if (cache != null) {
        cache.clear();
      }
    }
  }
}
