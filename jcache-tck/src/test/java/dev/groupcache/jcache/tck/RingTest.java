package dev.groupcache.jcache.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.GroupcacheCacheManager;
import dev.groupcache.testing.ChildJvm;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Shows that the ring execution is a ring: this JVM's caches send the keys the peers own to the
 * peers, so the TCK's results in this execution cover remote owners.
 */
class RingTest {
  @Test
  void keysOwnedByThePeersAreServedByThePeers() {
    Assumptions.assumeFalse(RingPeers.PEERS.isEmpty(), "not the ring execution");
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    GroupcacheCacheManager groupcache = manager.unwrap(GroupcacheCacheManager.class);
    assertEquals(3, groupcache.nodeStatistics().peers().size(), groupcache.nodeStatistics().toString());
    long[] before = ownerRequests();
    Cache<String, String> cache = manager.createCache("ring-check", new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class));
    for (int i = 0; i < 300; i++) {
      cache.put("k" + i, "v" + i);
      assertEquals("v" + i, cache.get("k" + i));
    }
    long[] after = ownerRequests();
    for (int p = 0; p < after.length; p++) {
      long served = after[p] - before[p];
      assertTrue(served >= 100, "peer " + p + " answered " + served + " owner requests for 600 operations");
    }
    manager.destroyCache("ring-check");
  }

  private static long[] ownerRequests() {
    long[] counts = new long[RingPeers.PEERS.size()];
    for (int p = 0; p < counts.length; p++) {
      ChildJvm peer = RingPeers.PEERS.get(p);
      counts[p] = Long.parseLong(peer.call("owner-requests", Duration.ofSeconds(30)));
    }
    return counts;
  }
}
