package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.ChildJvm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JCache semantics across three JVMs on loopback, beyond what the TCK checks. */
class DistributedCacheTest {
  private static final Duration WAIT = CacheCluster.WAIT;

  private CacheCluster cluster;
  private List<ChildJvm> nodes;

  @BeforeEach
  void start() {
    // No backups: these tests show what a dead owner costs without them (BackupFailoverTest with)
    cluster = new CacheCluster(3, List.of("-Dgroupcache.peer-timeout=3s", "-Dgroupcache.caches.c.near-ttl=60s",
        "-Dgroupcache.caches.c.backups=0"));
    nodes = List.of(cluster.node(0), cluster.node(1), cluster.node(2));
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private String call(int node, String command) {
    return cluster.call(node, command);
  }

  private int owner(String key) {
    return cluster.owner(key);
  }

  private String keyOwnedBy(int owner, String prefix) {
    return cluster.keyOwnedBy(owner, prefix);
  }

  private long ownerRequests(int node) {
    return cluster.ownerRequests(node);
  }

  @Test
  void everyMemberNamesTheOwnerTheRingGives() {
    for (int i = 0; i < 30; i++) {
      String key = "owned-" + i;
      String expected = "owner " + cluster.address(owner(key));
      for (int node = 0; node < 3; node++) {
        assertEquals(expected, call(node, "owner-of " + key), "member " + node + " on " + key);
      }
    }
  }

  @Test
  void aPutOnOneNodeIsSeenOnTheOthers() {
    for (int i = 0; i < 20; i++) {
      assertEquals("ok", call(0, "put k" + i + " v" + i));
    }
    for (int node = 1; node < 3; node++) {
      for (int i = 0; i < 20; i++) {
        assertEquals("value v" + i, call(node, "get k" + i));
      }
    }
  }

  @Test
  void aCopyOnCIsGoneBeforeAPutOnAReturns() {
    String key = keyOwnedBy(1, "hot");
    assertEquals("ok", call(0, "put " + key + " first"));
    assertEquals("value first", call(2, "get " + key)); // C asks B, keeps a copy
    long asked = ownerRequests(1);
    assertEquals("value first", call(2, "get " + key));
    assertEquals(asked, ownerRequests(1), "C answered from its copy");
    assertEquals("ok", call(0, "put " + key + " second")); // acknowledged only once C dropped its copy
    assertEquals("value second", call(2, "get " + key));
    assertTrue(ownerRequests(1) > asked + 1, "C asked B again");
  }

  @Test
  void listenersOnEveryNodeHearChangesMadeAnywhere() {
    String key = keyOwnedBy(1, "ev");
    call(0, "put " + key + " a");
    call(0, "put " + key + " b");
    call(0, "remove " + key);
    for (int node = 0; node < 3; node++) {
      assertEquals("1 1 1", call(node, "events"), "created, updated, removed heard on node " + node);
    }
  }

  @Test
  void clearEmptiesEveryNode() {
    for (int i = 0; i < 30; i++) {
      call(0, "put c" + i + " v");
    }
    assertEquals("ok", call(2, "clear"));
    for (int node = 0; node < 3; node++) {
      for (int i = 0; i < 30; i += 7) {
        assertEquals("value loaded:c" + i, call(node, "get c" + i), "read through again after the clear");
      }
    }
  }

  @Test
  void aReadThroughHerdOnThreeNodesLoadsOnce() {
    for (ChildJvm node : nodes) {
      node.send("herd herd-key 30");
    }
    for (ChildJvm node : nodes) {
      assertEquals("30 of 30", node.await("herd", WAIT));
    }
    long loads = 0;
    for (int node = 0; node < 3; node++) {
      loads += Long.parseLong(call(node, "loads"));
    }
    assertEquals(1, loads, "loader calls in the whole cluster");
  }

  /**
   * Gets made on the member that is loading their key under its owner's lease wait for that load
   * instead of asking the owner again: twenty of them, begun while a 3 s load of its own key runs on
   * member 1, cost it no read of their own, and return what the load stored.
   */
  @Test
  void getsOnTheLoadingMemberJoinItsLoadWithoutAskingTheOwner() {
    String slow = keyOwnedBy(1, "slow-join-"); // loads for 3 s
    long asked = ownerRequests(1);
    assertEquals("started", call(1, "get-later " + slow));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!call(1, "loads").equals("1")) { // member 1 holds its own lease and runs the loader
      assertTrue(System.nanoTime() - deadline < 0, "member 1 never started loading " + slow);
    }
    long loading = ownerRequests(1);
    nodes.get(1).send("herd " + slow + " 20");
    // the herd's answer and the loading get's come as they finish, in either order
    List<String> answers = List.of(nodes.get(1).await("the herd", WAIT), nodes.get(1).await("the loading get", WAIT));
    assertTrue(answers.contains("20 of 20") && answers.contains("later value loaded:" + slow), answers.toString());
    // the lease read, then the load's report: the herd's gets asked nothing of their own
    assertEquals(2, ownerRequests(1) - asked, "requests member 1 answered (the herd's began at "
        + (loading - asked) + ")");
    assertEquals("1", call(1, "loads"));
  }

  /**
   * A member's get that misses a key whose owner has the cache open with its loader waits while the
   * owner loads it: one request (no lease for the member, no report from it), the loader called once
   * and at the owner, and
   * the owner's store holds the value for the next get from anywhere.
   */
  @Test
  void aPeersMissIsLoadedByTheOwnerInOneRequest() {
    String key = keyOwnedBy(1, "owner-load-");
    long asked = ownerRequests(1);
    long[] loads = {Long.parseLong(call(0, "loads")), Long.parseLong(call(1, "loads")), Long.parseLong(call(2, "loads"))};
    assertEquals("value loaded:" + key, call(0, "get " + key));
    // member 0's read, and the owner's report of its own load to its store (no lease, no report from member 0)
    assertEquals(2, ownerRequests(1) - asked, "requests member 1 answered for member 0's get");
    assertEquals(loads[0], Long.parseLong(call(0, "loads")), "loads at the caller");
    assertEquals(loads[1] + 1, Long.parseLong(call(1, "loads")), "loads at the owner");
    assertEquals("value loaded:" + key, call(2, "get " + key));
    assertEquals("value loaded:" + key, call(1, "get " + key));
    assertEquals(loads[1] + 1, Long.parseLong(call(1, "loads")), "loaded once in the cluster");
    assertEquals(loads[2], Long.parseLong(call(2, "loads")), "loads at the other member");
  }

  @Test
  void readsOfADeadOwnersKeysAreMissesLoadedHereOnce() {
    assertEquals("ok", call(0, "fill r 30 100"));
    nodes.get(1).kill();
    List<String> deadOwners = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      if (owner("r" + i) == 1) {
        deadOwners.add("r" + i);
      }
    }
    assertTrue(!deadOwners.isEmpty() && deadOwners.size() < 30, deadOwners.toString());
    for (int node : new int[] {0, 2}) {
      long loads = Long.parseLong(call(node, "loads"));
      for (String key : deadOwners) {
        assertEquals("value loaded:" + key, call(node, "get " + key), "node " + node);
        assertEquals("contains false", call(node, "contains " + key), "node " + node);
      }
      for (String key : deadOwners) {
        assertEquals("value loaded:" + key, call(node, "get " + key), "node " + node + ", again");
      }
      assertEquals(loads + deadOwners.size(), Long.parseLong(call(node, "loads")),
          "each of the dead owner's keys loaded once on node " + node);
      int live = 30 - deadOwners.size();
      assertEquals(live + " " + live, call(node, "iterate"), "the live members' entries, from node " + node);
      // removeAll() is a write: it refuses rather than leave the dead owner's entries behind unsaid
      String removeAll = call(node, "remove-all");
      assertTrue(removeAll.startsWith("error OwnerUnavailableException"), removeAll);
      assertEquals(live + " " + live, call(node, "iterate"), "removed nothing, from node " + node);
    }
  }

  @Test
  void aWriteToAnOwnerKilledMidWayEitherSucceedsOrThrows() throws Exception {
    nodes.get(0).send("puts before 400");
    Thread.sleep(300);
    nodes.get(1).kill();
    String outcomes = nodes.get(0).await("puts", WAIT);
    assertEquals(400, outcomes.length());
    int failed = 0;
    for (int i = 0; i < outcomes.length(); i++) {
      String key = "k" + i;
      if (owner(key) == 1) {
        failed += outcomes.charAt(i) == 'x' ? 1 : 0;
        // The owner is gone: a read of its keys is a miss, read through here (200 ms each: a few suffice).
        if (i % 10 == 0) {
          assertEquals("value loaded:" + key, call(0, "get " + key), key);
        }
        continue;
      }
      String value = call(0, "get " + key);
      if (outcomes.charAt(i) == 'o') {
        assertEquals("value before" + i, value, key + " was acknowledged, so it must be there");
      } else {
        assertTrue(false, key + " failed though its owner lives: " + outcomes);
      }
    }
    assertTrue(failed > 0, "the kill came too late to test anything: " + outcomes);
  }
}
