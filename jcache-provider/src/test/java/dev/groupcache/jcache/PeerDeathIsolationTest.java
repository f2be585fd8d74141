package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.ChildJvm;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A member's death touches only the requests to it. Members A, B and C in three JVMs: B's link to
 * A is first used while B serves a request from C, then B waits at A for a load while C dies or
 * stops; B's request must complete as usual, and B's next reads at A too.
 */
class PeerDeathIsolationTest {
  private static final int A = 0;
  private static final int B = 1;
  private static final int C = 2;

  private CacheCluster cluster;

  @BeforeEach
  void start() {
    cluster = new CacheCluster(3, List.of("-Dgroupcache.peer-timeout=30s", "-Dgroupcache.invalidation-timeout=30s"));
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killingCFailsNoRequestBetweenAAndB() {
    requestAtAOutlives(ChildJvm::kill);
  }

  @Test
  void stoppingCGracefullyFailsNoRequestBetweenAAndB() {
    requestAtAOutlives(c -> assertTrue(c.terminate(CacheCluster.WAIT), "C did not stop on SIGTERM"));
  }

  private void requestAtAOutlives(Consumer<ChildJvm> endOfC) {
    // B owns this key: C's put reaches B, and B tells A of the change while serving C's request,
    // so B's stream to A starts inside C's call.
    assertEquals("ok", cluster.call(C, "put " + cluster.keyOwnedBy(B, "b") + " from-c"));

    String slow = cluster.keyOwnedBy(A, "slow"); // loads for 3 s
    long asked = cluster.ownerRequests(A);
    assertEquals("started", cluster.call(A, "get-later " + slow)); // A holds the load lease
    assertEquals("started", cluster.call(B, "get-later " + slow)); // B's read waits at A for that load
    long deadline = System.nanoTime() + CacheCluster.WAIT.toNanos();
    while (cluster.ownerRequests(A) < asked + 2) {
      assertTrue(System.nanoTime() - deadline < 0, "B's read never reached A");
    }

    endOfC.accept(cluster.node(C));

    assertEquals("later value loaded:" + slow, cluster.node(B).await("B's read", CacheCluster.WAIT));
    assertEquals("later value loaded:" + slow, cluster.node(A).await("A's read", CacheCluster.WAIT));
    for (int i = 0; i < 5; i++) {
      String key = cluster.keyOwnedBy(A, "after" + i + "-");
      assertEquals("value loaded:" + key, cluster.call(B, "get " + key), "B reads A's keys after C went");
    }
  }
}
