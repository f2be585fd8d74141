package dev.groupcache.bench.node;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;

/**
 * Caffeine's JCache provider in one JVM: the single-process baseline. Each cache is configured the
 * way Caffeine users do it, with Typesafe config: this node writes one {@code .conf} file per cache
 * into its work directory and opens a cache manager on that file's URI.
 */
public final class CaffeineNode implements BenchNode {
  private static final String PROVIDER = "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider";

  private final Path workDir;
  private final CachingProvider provider = Caching.getCachingProvider(PROVIDER);

  private CaffeineNode(Path workDir) throws IOException {
    this.workDir = Files.createDirectories(workDir);
  }

  /** The child JVM's entry point; the argument is a directory for the generated configuration. */
  public static void main(String[] args) {
    CommandLoop.serve(() -> new CaffeineNode(Path.of(args[0])));
  }

  @Override
  public String id() {
    return "caffeine";
  }

  /** A single JVM is its own cluster. */
  @Override
  public void join(List<String> ids) {
    if (ids.size() != 1 || !ids.get(0).equals(id())) {
      throw new IllegalArgumentException("Caffeine runs as one node: " + ids);
    }
  }

  @Override
  public BenchCache<String> open(CacheSpec spec) throws IOException {
    Path conf = workDir.resolve(spec.name() + ".conf");
    Files.writeString(conf, hocon(spec), StandardCharsets.UTF_8);
    URI uri = conf.toUri();
    CacheManager manager = provider.getCacheManager(uri, CaffeineNode.class.getClassLoader());
    Cache<String, byte[]> cache = manager.getCache(spec.name(), String.class, byte[].class);
    if (cache == null) {
      throw new IllegalStateException("Caffeine did not create " + spec.name() + " from " + conf);
    }
    return new JCacheAdapter(cache, key -> id(), Map::of);
  }

  /** The cache's Typesafe configuration; everything not named keeps Caffeine's reference.conf default. */
  static String hocon(CacheSpec spec) {
    StringBuilder c = new StringBuilder();
    c.append("caffeine.jcache {\n  \"").append(spec.name()).append("\" {\n")
        .append("    key-type = java.lang.String\n")
        .append("    value-type = \"[B\"\n")
        .append("    store-by-value.enabled = ").append(spec.byValue()).append('\n');
    if (spec.readThrough()) {
      if (spec.loaderMillis() != CaffeineLoader.LATENCY_MILLIS) {
        throw new IllegalArgumentException("Caffeine's loader sleeps " + CaffeineLoader.LATENCY_MILLIS
            + " ms, not " + spec.loaderMillis());
      }
      c.append("    read-through.enabled = true\n")
          .append("    read-through.loader = \"").append(CaffeineLoader.class.getName()).append("\"\n");
    }
    if (spec.maxBytes() > 0) {
      c.append("    policy.maximum.weight = ").append(spec.maxBytes()).append('\n')
          .append("    policy.maximum.weigher = \"").append(EntryWeigher.class.getName()).append("\"\n");
    }
    return c.append("  }\n}\n").toString();
  }

  @Override
  public void close() {
    provider.close();
  }
}
