package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a paused member costs the others, step by step on three JVMs: a write of a key it holds a
 * copy of waits for its copy lease to run out (and no longer), a write of a key it holds none of
 * tells it nothing, and once it runs again it serves none of the copies it held.
 */
class PausedHolderTest {
  private static final int A = 0;
  private static final int B = 1;
  private static final int C = 2;
  private static final Duration LEASE = Duration.ofSeconds(2);

  private CacheCluster cluster;

  @BeforeEach
  void start() {
    // no backups: a paused backup delays the writes it backs up until it is suspected, which would
    // blur what this measures, the wait for a holder's copy lease
    cluster = new CacheCluster(3, List.of("-D" + CacheNodeMain.CHAOS_CACHE + "=true",
        "-Dgroupcache.caches.chaos.backups=0"));
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.signal(C, "CONT");
      cluster.close();
    }
  }

  /** A member's counters: changes, sent, late, expiries, suspicions. */
  private Map<String, Long> stats(int node) {
    String[] w = cluster.call(node, "node-stats").split(" ");
    Map<String, Long> stats = new TreeMap<>();
    for (int i = 0; i + 1 < w.length; i += 2) {
      stats.put(w[i], Long.parseLong(w[i + 1]));
    }
    return stats;
  }

  private long putMillis(int node, String key, String value) {
    long start = System.nanoTime();
    assertEquals("ok", cluster.call(node, "chaos-put " + key + " " + value));
    return Duration.ofNanos(System.nanoTime() - start).toMillis();
  }

  @Test
  void aPausedHolderDelaysOnlyWritesOfWhatItHoldsAndByTheLeaseAtMost() {
    String held = cluster.keyOwnedBy(B, "held");
    String free = cluster.keyOwnedBy(B, "free");
    putMillis(A, held, "v1");
    putMillis(A, free, "f1");
    assertEquals("value v1", cluster.call(C, "chaos-get " + held)); // C keeps a copy, B knows it
    Map<String, Long> before = stats(B);

    cluster.signal(C, "STOP");
    putMillis(A, free, "f2");
    Map<String, Long> afterFree = stats(B);
    long heldMillis = putMillis(A, held, "v2");
    Map<String, Long> afterHeld = stats(B);

    assertEquals(before.get("sent"), afterFree.get("sent"), "a key C holds no copy of: C is not asked");
    assertEquals(before.get("late"), afterFree.get("late"));
    assertEquals(before.get("sent") + 1, afterHeld.get("sent"), "C holds a copy of this one: asked to drop it");
    assertEquals(before.get("late") + 1, afterHeld.get("late"), "C did not confirm: the write went on without it");
    // C's lease was renewed at most a quarter lease before it stopped: the write waited most of a lease.
    assertTrue(heldMillis >= LEASE.toMillis() / 2, "waited for C's lease to run out, took " + heldMillis + " ms");
    assertTrue(heldMillis <= LEASE.toMillis() + 1_000, "but not much longer than a lease: " + heldMillis + " ms");

    cluster.signal(C, "CONT");
    assertEquals("value v2", cluster.call(C, "chaos-get " + held), "C's copy died with its lease");
    // counted at the first answer from B after the lease ran out: that get's, if it kept a copy, or
    // else the renewal on C's timer (every quarter lease, once C finds B available again)
    long deadline = System.nanoTime() + CacheCluster.WAIT.toNanos();
    while (stats(C).get("expiries") < 1 && System.nanoTime() - deadline < 0) {
      sleep(50);
    }
    assertTrue(stats(C).get("expiries") >= 1, "C counted its lease running out while it held copies");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
