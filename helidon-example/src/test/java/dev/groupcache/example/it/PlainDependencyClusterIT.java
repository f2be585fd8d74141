package dev.groupcache.example.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.example.testing.ExampleNode;
import dev.groupcache.example.testing.ExampleNode.Quote;
import dev.groupcache.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three instances of the example on 127.0.0.1 with static peers and the provider as a plain
 * dependency: the peer protocol is served by Helidon's own gRPC server, the node opens none.
 */
class PlainDependencyClusterIT {
  private static final Path EXAMPLE = Path.of(System.getProperty("example.dir", "target"));
  private static final Path LOGS = EXAMPLE.resolve("processes-logs");

  @Test
  void threeInstancesLoadEachSymbolOnceThroughHelidonsGrpcServer() throws Exception {
    int[] ports = FreePorts.take(6); // REST 0-2, peers 3-5: held together, so none twice
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add("127.0.0.1:" + ports[3 + i]);
    }
    List<ExampleNode> nodes = new ArrayList<>();
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(ExampleNode.start("plain-" + i, List.of(), EXAMPLE, null, "127.0.0.1", ports[i], Map.of(
            "server.host", "127.0.0.1",
            "groupcache.port", String.valueOf(ports[3 + i]),
            "grpc.port", String.valueOf(ports[3 + i]),
            "groupcache.discovery", "static",
            "groupcache.static.peers", String.join(",", peers),
            "groupcache.self", peers.get(i)), Map.of(), LOGS));
      }
      for (ExampleNode node : nodes) {
        assertTrue(node.awaitReady(Duration.ofSeconds(120)), node.tail());
        String log = Files.readString(LOGS.resolve(node.name() + ".log"));
        assertTrue(log.contains("registered service [groupcache.v1.Peer]"), "Helidon's gRPC server serves the peers\n" + log);
      }

      // every symbol asked at the three nodes at once: one load in the cluster, one entry everywhere
      List<String> symbols = new ArrayList<>();
      for (int s = 0; s < 30; s++) {
        symbols.add("P" + s);
      }
      for (String symbol : symbols) {
        List<Future<Quote>> answers = new ArrayList<>();
        for (ExampleNode node : nodes) {
          answers.add(callers.submit(() -> node.quote(symbol)));
        }
        Set<String> entries = new HashSet<>();
        for (Future<Quote> answer : answers) {
          Quote q = answer.get(30, TimeUnit.SECONDS);
          entries.add(q.loadedBy() + " " + q.loadedAt() + " " + q.price());
        }
        assertEquals(1, entries.size(), symbol + ": " + entries);
      }
      NetnsClusterIT.assertLoadedOnce(symbols, ExampleNode.loads(nodes));
      long ownerRequests = 0;
      for (ExampleNode node : nodes) {
        ownerRequests += node.stats().getAsJsonObject("node").get("ownerRequests").getAsLong();
        assertTrue(node.stats().getAsJsonObject("cache").get("CacheHits").getAsLong() > 0, node.name());
      }
      assertTrue(ownerRequests >= symbols.size(), "owners answered: " + ownerRequests);
      // the service's own /metrics: the same figures the agent serves, through the provider's binder
      String page = nodes.get(0).text("/metrics");
      MetricsPage metrics = MetricsPage.parse(nodes.get(0).name(), page);
      assertTrue(metrics.sum("groupcache_jcache_gets_total", l -> "quotes".equals(l.get("cache"))) > 0, page);
      assertEquals(3, metrics.sum("groupcache_ring_members"), page);

      // a removal at one node is seen at the others: the next read loads anew
      Quote before = nodes.get(1).quote("P0");
      assertEquals(204, nodes.get(0).remove("P0"));
      Quote after = nodes.get(2).quote("P0");
      assertNotEquals(before.loadedAt(), after.loadedAt(), "P0 was loaded again after its removal");
      assertEquals(after.loadedAt(), nodes.get(1).quote("P0").loadedAt());
      assertEquals(2L, ExampleNode.loads(nodes).get("P0"));

      // bad input is refused, the service goes on
      assertEquals(400, nodes.get(0).status("/quotes/no%20spaces"));
      assertEquals(200, nodes.get(0).status("/health/live"));
      assertEquals(before.price(), nodes.get(0).quote("P0").price());
    } finally {
      callers.shutdownNow();
      for (ExampleNode node : nodes) {
        node.terminate(Duration.ofSeconds(20));
        node.close();
      }
    }
  }

  /**
   * With the provider as a dependency, client-java runs on the application's class path, next to
   * Helidon's libraries: its discovery must still sync, or the node would never be ready.
   */
  @Test
  void discoversThroughEndpointSlicesOnHelidonsClassPath(@TempDir Path dir) throws Exception {
    int[] ports = FreePorts.take(2);
    int http = ports[0];
    int peer = ports[1];
    try (FakeApiServer api = FakeApiServer.startHttp()) {
      new EndpointController(api, "shop", peer, http).set("quotes-0", "127.0.0.1", EndpointController.Phase.READY);
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "shop", "quotes-token");
      try (ExampleNode node = ExampleNode.start("plain-slices", List.of(), EXAMPLE, null, "127.0.0.1", http,
          Map.of("server.host", "127.0.0.1", "groupcache.port", String.valueOf(peer), "grpc.port", String.valueOf(peer)),
          Map.of("POD_IP", "127.0.0.1", "KUBECONFIG", kubeconfig.toString()), LOGS)) {
        assertTrue(node.awaitReady(Duration.ofSeconds(120)), node.tail());
        assertEquals(List.of("127.0.0.1:" + peer), node.peers());
        assertEquals("127.0.0.1:" + peer, node.quote("S1").loadedBy());
      }
    }
  }
}
