package dev.groupcache.jcache.tck;

import dev.groupcache.testing.ChildJvm;
import dev.groupcache.jcache.GroupcacheCacheManager;
import javax.cache.CacheManager;
import javax.cache.Caching;

/**
 * A member of the TCK's ring: opens the default CacheManager, which starts this JVM's node, and
 * keeps it open until stdin closes. It owns a third of every cache's keys; the tests never call
 * it directly.
 */
public final class RingPeer {
  private RingPeer() {}

  public static void main(String[] args) throws Exception {
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    System.out.println(ChildJvm.ANSWER + "ready " + manager.getURI());
    System.out.flush();
    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
    for (String line; (line = in.readLine()) != null; ) { // until the test JVM goes away
      if (line.equals("owner-requests")) {
        System.out.println(ChildJvm.ANSWER + manager.unwrap(GroupcacheCacheManager.class).nodeStatistics().ownerRequests());
        System.out.flush();
      }
    }
    manager.close();
  }
}
