package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With one backup, a member's death loses no acknowledged write and, once the others suspect it,
 * fails no operation: three JVMs write their own keys and read everyone's under a bounded load;
 * one is killed (SIGKILL); the survivors go on, then read back every key they wrote, a third of
 * them owned by the dead member, and find the last value each put returned for.
 */
class BackupFailoverTest {
  private static final Pattern STOPPED = Pattern.compile("ops (\\d+) failed (\\d+) failed-since (\\d+).*");
  private static final Pattern CHECKED = Pattern.compile("checked (\\d+) lost (\\d+).*");
  private static final int KEYS = 300;

  private CacheCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killingAMemberLosesNoAcknowledgedWriteAndFailsNothingOnceSuspected() throws InterruptedException {
    cluster = new CacheCluster(3, List.of("-Dgroupcache.caches.chaos.backups=1", "-Dgroupcache.failure-timeout=2s"));
    for (int m = 0; m < 3; m++) {
      // 4 threads, an op each 2 ms, at most 120 s or 120,000 ops: bounded whatever happens
      assertEquals("started", cluster.call(m, "acked-start w " + m + " 3 " + KEYS + " 4 2000 120000 120000"));
    }
    for (int m = 0; m < 3; m++) {
      awaitOps(m, 600); // every member has written and backed up a share of its keys
    }

    cluster.node(2).kill();
    long suspected = awaitSuspected(2, Duration.ofSeconds(30));
    for (int m = 0; m < 2; m++) {
      // the survivors go on writing, a third of their keys at the dead member's backup
      awaitOps(m, Long.parseLong(cluster.call(m, "acked-ops")) + 600);
    }

    for (int m = 0; m < 2; m++) {
      String stopped = cluster.call(m, "acked-stop " + suspected);
      Matcher s = STOPPED.matcher(stopped);
      assertTrue(s.matches(), stopped);
      assertEquals("0", s.group(3), "member " + m + " had operations fail after it suspected the dead one: " + stopped);

      String checked = cluster.call(m, "acked-check");
      Matcher c = CHECKED.matcher(checked);
      assertTrue(c.matches(), checked);
      assertTrue(Integer.parseInt(c.group(1)) > KEYS / 3, "member " + m + " wrote few keys: " + checked);
      assertEquals("0", c.group(2), "member " + m + " lost acknowledged writes: " + checked);
    }
    int deadOwned = 0;
    for (int i = 0; i < KEYS; i++) {
      deadOwned += cluster.owner("w0-" + i) == 2 ? 1 : 0;
    }
    assertTrue(deadOwned > KEYS / 5, "the dead member owned too few of the keys checked: " + deadOwned);
  }

  /**
   * A putAll and a removeAll made just after a member died, before anyone suspects it, reach every
   * key: their writes to the dead member's keys, begun with the others, fail over to its keys'
   * backup when awaited. Another member then reads each key as they left it.
   */
  @Test
  void aPutAllAndRemoveAllJustAfterAMemberDiedReachEveryKey() {
    cluster = new CacheCluster(3, List.of("-Dgroupcache.caches.chaos.backups=1", "-Dgroupcache.failure-timeout=2s"));
    int n = 300;
    int deadOwned = 0;
    for (int i = 0; i < n; i++) {
      deadOwned += cluster.owner("all-" + i) == 2 ? 1 : 0;
    }
    assertTrue(deadOwned > n / 5, "the member to kill owns too few of the keys: " + deadOwned);
    cluster.node(2).kill();

    assertEquals("ok", cluster.call(0, "chaos-put-all all- " + n));
    for (int i = 0; i < n; i++) {
      assertEquals("value all-" + i, cluster.call(1, "chaos-get all-" + i), "after putAll, key all-" + i);
    }
    assertEquals("ok", cluster.call(0, "chaos-remove-all all- " + n));
    for (int i = 0; i < n; i++) {
      assertEquals("value null", cluster.call(1, "chaos-get all-" + i), "after removeAll, key all-" + i);
    }
  }

  /**
   * A paused owner (SIGSTOP for 5 s) is acted for by its keys' backups; when it runs again it gets
   * back what they wrote, and its own writes taken meanwhile are refused rather than put over
   * theirs: every member, the paused one too, reads back the last value each of its puts returned
   * for.
   */
  @Test
  void aPausedOwnerGetsBackWhatItsBackupsWroteAndLosesNoAcknowledgedWrite() throws InterruptedException {
    cluster = new CacheCluster(3, List.of("-Dgroupcache.caches.chaos.backups=1", "-Dgroupcache.failure-timeout=2s"));
    for (int m = 0; m < 3; m++) {
      assertEquals("started", cluster.call(m, "acked-start p " + m + " 3 " + KEYS + " 4 2000 120000 60000"));
    }
    for (int m = 0; m < 3; m++) {
      awaitOps(m, 600);
    }

    cluster.signal(2, "STOP");
    awaitSuspected(2, Duration.ofSeconds(30));
    for (int m = 0; m < 2; m++) {
      awaitOps(m, Long.parseLong(cluster.call(m, "acked-ops")) + 300); // the others write its keys at their backups
    }
    cluster.signal(2, "CONT");
    cluster.awaitAvailable(2, Duration.ofSeconds(30));
    for (int m = 0; m < 3; m++) {
      awaitOps(m, Long.parseLong(cluster.call(m, "acked-ops")) + 300); // and at it, once it has them back
    }

    for (int m = 0; m < 3; m++) {
      String stopped = cluster.call(m, "acked-stop " + Long.MAX_VALUE);
      assertTrue(STOPPED.matcher(stopped).matches(), stopped);
      String checked = cluster.call(m, "acked-check");
      Matcher c = CHECKED.matcher(checked);
      assertTrue(c.matches(), checked);
      assertEquals("0", c.group(2), "member " + m + " lost acknowledged writes: " + checked);
    }
  }

  /**
   * A member restarted at its address gets the backups it missed while it was down: an owner backed
   * its changes up to the member after it meanwhile, and sends them to the restarted one once it
   * answers, so that when the owner then dies the restarted member, its keys' first backup, acts
   * with them rather than with nothing.
   */
  @Test
  void aMemberRestartedAtItsAddressGetsTheBackupsItMissedAndActsWithThem() throws InterruptedException {
    cluster = new CacheCluster(3, List.of("-Dgroupcache.caches.chaos.backups=1", "-Dgroupcache.failure-timeout=2s"));
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; keys.size() < 20; i++) {
      if (cluster.replicas("rb-" + i, 2).equals(List.of(0, 1))) { // owned by 0, first backup 1
        keys.add("rb-" + i);
      }
    }
    cluster.node(1).kill();
    awaitSuspected(1, Duration.ofSeconds(30));
    for (String key : keys) {
      assertEquals("ok", cluster.call(0, "chaos-put " + key + " while-down"));
    }

    cluster.restart(1);
    cluster.awaitAvailable(1, Duration.ofSeconds(30));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (Long.parseLong(cluster.call(1, "backup-entries")) < keys.size()) {
      assertTrue(System.nanoTime() - deadline < 0, "the restarted member was not sent the backups it missed: it holds "
          + cluster.call(1, "backup-entries"));
      Thread.sleep(20);
    }

    cluster.node(0).kill();
    awaitSuspected(0, Duration.ofSeconds(30));
    for (String key : keys) {
      assertEquals("value while-down", cluster.call(2, "chaos-get " + key), "key " + key + " after its owner died");
    }
  }

  /** A clear reaches the backups too: an owner's death after it brings back none of what it cleared. */
  @Test
  void aClearedEntryStaysClearedWhenItsOwnerDies() throws InterruptedException {
    cluster = new CacheCluster(3, List.of("-Dgroupcache.failure-timeout=2s"));
    String key = cluster.keyOwnedBy(2, "cleared");
    assertEquals("ok", cluster.call(0, "put " + key + " before"));
    assertEquals("value before", cluster.call(1, "get " + key));
    assertEquals("ok", cluster.call(0, "clear"));

    cluster.node(2).kill();
    awaitSuspected(2, Duration.ofSeconds(30));
    // cache c loads what it misses: a miss shows as the loader's value
    assertEquals("value loaded:" + key, cluster.call(0, "get " + key));
    assertEquals("value loaded:" + key, cluster.call(1, "get " + key));
  }

  /** Waits until member {@code m}'s load has done {@code ops} operations, within a minute. */
  private void awaitOps(int m, long ops) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (Long.parseLong(cluster.call(m, "acked-ops")) < ops) {
      assertTrue(System.nanoTime() - deadline < 0, "member " + m + " did not reach " + ops + " operations");
      Thread.sleep(50);
    }
  }

  /** Waits until both survivors suspect member {@code dead}; the wall-clock time they both did. */
  private long awaitSuspected(int dead, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int m = 0; m < 3; m++) {
      if (m == dead) {
        continue;
      }
      while (!cluster.call(m, "peer-available " + cluster.address(dead)).equals("peer-available false")) {
        assertTrue(System.nanoTime() - deadline < 0, "member " + m + " never suspected member " + dead);
        Thread.sleep(20);
      }
    }
    return Long.parseLong(cluster.call(dead == 0 ? 1 : 0, "now"));
  }
}
