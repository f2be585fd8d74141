package dev.groupcache.jcache.cluster;

import java.net.URI;

/**
 * A cache's identity across the cluster: its CacheManager's URI and its name. Caches of different
 * managers are different caches, in JCache as on the wire; the same manager URI on every node names
 * the same caches.
 */
public final class CacheIds {
  private static final char SEPARATOR = '\n'; // never in a URI

  private CacheIds() {}

  public static String of(URI manager, String cache) {
    return manager.toString() + SEPARATOR + cache;
  }

  /** The cache's name, for per-cache settings and messages. */
  public static String name(String id) {
    return id.substring(id.indexOf(SEPARATOR) + 1);
  }
}
