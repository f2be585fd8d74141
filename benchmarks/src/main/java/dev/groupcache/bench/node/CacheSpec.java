package dev.groupcache.bench.node;

import java.util.HashMap;
import java.util.Map;

/**
 * What a workload needs of a cache, in terms every system can map to its own configuration;
 * settings a system has no use for are ignored by it.
 *
 * @param name unique per run: each workload starts from an empty cache
 * @param loaderMillis the loader's simulated latency; negative for a cache filled by puts (JCache)
 *     or, for groupcache, loaded without delay
 * @param maxBytes this node's memory budget in bytes; 0 for unbounded
 * @param hotShare groupcache's share of the budget for hot copies of other nodes' keys
 * @param admission groupcache's hot-cache admission: {@code POPULAR} or {@code RANDOM_ONE_IN_TEN}
 * @param byValue JCache store-by-value (true) or store-by-reference
 */
public record CacheSpec(String name, long loaderMillis, long maxBytes, double hotShare,
    String admission, boolean byValue, int backups) {

  /** A spec with no backups, as groupcache keeps none. */
  public CacheSpec(String name, long loaderMillis, long maxBytes, double hotShare, String admission, boolean byValue) {
    this(name, loaderMillis, maxBytes, hotShare, admission, byValue, 0);
  }

  /** Whether the cache loads missing keys itself (JCache read-through). */
  public boolean readThrough() {
    return loaderMillis >= 0;
  }

  /** The command-line form, {@code name key=value ...}, parsed by {@link #parse}. */
  public String format() {
    return name + " loaderMillis=" + loaderMillis + " maxBytes=" + maxBytes + " hotShare="
        + hotShare + " admission=" + admission + " byValue=" + byValue + " backups=" + backups;
  }

  /** Parses {@link #format()}'s output split on spaces, starting at {@code from}. */
  public static CacheSpec parse(String[] words, int from) {
    Map<String, String> kv = new HashMap<>();
    for (int i = from + 1; i < words.length; i++) {
      int eq = words[i].indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected key=value: " + words[i]);
      }
      kv.put(words[i].substring(0, eq), words[i].substring(eq + 1));
    }
    return new CacheSpec(words[from], Long.parseLong(kv.getOrDefault("loaderMillis", "-1")),
        Long.parseLong(kv.getOrDefault("maxBytes", "0")),
        Double.parseDouble(kv.getOrDefault("hotShare", "0")),
        kv.getOrDefault("admission", "POPULAR"),
        Boolean.parseBoolean(kv.getOrDefault("byValue", "true")),
        Integer.parseInt(kv.getOrDefault("backups", "0")));
  }
}
