package dev.groupcache.example.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.example.it.EndpointController.Phase;
import dev.groupcache.example.testing.ExampleNode;
import dev.groupcache.example.testing.ExampleNode.Quote;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three "pods" of the example service, each in its own network namespace with its own address on
 * a bridge, each under {@code -javaagent:groupcache-agent.jar} and configured as the manifests do
 * ({@code POD_IP}, the {@code quotes} Service's EndpointSlices, ports 8080 and 7600 in every pod).
 * The fake API server on the host's bridge address plays the API server; the test plays the
 * kubelet, the endpoint controller and a Service's client. It drives bounded load, takes one pod
 * away as Kubernetes does (terminating, SIGTERM, gone) and brings it back.
 */
class NetnsClusterIT {
  private static final int HTTP = 8080;
  private static final int PEER = 7600;
  private static final String NAMESPACE = "shop";
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration CONVERGE = Duration.ofSeconds(20);
  /** The pod's preStop: how long it keeps running after its endpoint turned terminating. */
  private static final Duration PRE_STOP = Duration.ofSeconds(2);
  /**
   * How long a node may serve its copy of another node's entry ({@code near-ttl}, 10 s by
   * default): shortened so that the hand-over of a departed pod's keys shows within seconds.
   */
  private static final Duration NEAR_TTL = Duration.ofSeconds(2);

  private static final Path EXAMPLE = Path.of(System.getProperty("example.dir", "target"));
  private static final Path AGENT = Path.of(System.getProperty("agent.jar", "../agent/target/groupcache-agent.jar"));
  private static final Path LOGS = EXAMPLE.resolve("processes-logs");

  private final Map<String, ExampleNode> pods = new LinkedHashMap<>(); // pod IP -> pod

  @Test
  void threePodsShareTheCacheLoseOneWithoutAFailedRequestAndTakeItBack(@TempDir Path dir) throws Exception {
    assertEquals("root", System.getProperty("user.name"),
        "network namespaces need root: run the suite as root (CI does)");
    assertTrue(Files.isRegularFile(AGENT), "the agent jar is built first: " + AGENT.toAbsolutePath());
    try (Netns net = Netns.create(3);
        FakeApiServer api = FakeApiServer.startHttp(InetAddress.getByName(net.hostAddress()))) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), NAMESPACE, "quotes-token");
      EndpointController endpoints = new EndpointController(api, NAMESPACE, PEER, HTTP);
      List<String> ns = net.namespaces();
      String a = net.address(ns.get(0));
      String b = net.address(ns.get(1));
      String c = net.address(ns.get(2));
      try {
        // -- start: the pods come up, pass their readiness probes, and join each other's rings
        long startNanos = System.nanoTime();
        for (String n : ns) {
          start(net, n, kubeconfig, endpoints);
        }
        for (String n : ns) {
          awaitReady(n, net.address(n), endpoints);
        }
        long ringMs = awaitRings(List.of(a, b, c), List.of(a, b, c));
        figure("e2e.start_to_ready_ms", (System.nanoTime() - startNanos) / 1e6, "ms");
        figure("e2e.ring_converge_start_ms", ringMs, "ms");

        // -- load: every symbol asked at every pod, each loaded once in the cluster
        List<String> symbols = symbols("A", 60);
        LoadRun first = new LoadRun(endpoints::ready, this::pod, symbols, 6, 600, Duration.ofSeconds(60));
        first.run();
        first.assertNoFailures();
        Map<String, Long> loads = loads(List.of(a, b, c));
        assertLoadedOnce(symbols, loads);
        Map<String, String> loadedBy = first.loadedBy(); // one entry per symbol, served everywhere
        assertEquals(new TreeSet<>(List.of(a + ":" + PEER, b + ":" + PEER, c + ":" + PEER)),
            new TreeSet<>(loadedBy.values()), "every pod ran some of the 60 loads (read-through: the first asker loads)");
        figure("e2e.first.requests", first.requests(), "requests");
        figure("e2e.first.failed", first.failures().size(), "requests");
        figure("e2e.first.loads_per_key_max", loads.values().stream().mapToLong(Long::longValue).max().orElse(0), "loads");

        // -- leave: pod c is deleted while the load goes on
        Map<String, Long> beforeLeave = loads(List.of(a, b));
        LoadRun during = new LoadRun(endpoints::ready, this::pod, symbols, 6, 50_000, Duration.ofSeconds(60));
        Thread load = new Thread(during::run, "load-during-leave");
        load.start();
        Thread.sleep(1_000);
        endpoints.set("quotes-c", c, Phase.TERMINATING); // the Service stops sending to c now
        long leaveMs = awaitRings(List.of(a, b), List.of(a, b));
        figure("e2e.ring_converge_leave_ms", leaveMs, "ms");
        Thread.sleep(Math.max(0, PRE_STOP.toMillis() - leaveMs));
        int exit = pods.get(c).terminate(Duration.ofSeconds(30));
        assertNotEquals(-1, exit, "pod c stops within 30 s of SIGTERM\n" + pods.get(c).tail());
        endpoints.remove("quotes-c");
        Thread.sleep(2_000);
        during.stop();
        load.join(30_000);
        during.assertNoFailures();
        assertTrue(during.requests() >= 100, "the load ran through the change: " + during.requests());
        figure("e2e.leave.requests", during.requests(), "requests");
        figure("e2e.leave.failed", during.failures().size(), "requests");

        // c's entries went with it (groupcache keeps one copy, at the owner): once the copies of
        // them run out, a and b agree on every symbol, and each of c's is loaded once more, no key twice
        Thread.sleep(NEAR_TTL.toMillis() + 500);
        for (String s : symbols) {
          Quote atA = pod(a).quote(s);
          Quote atB = pod(b).quote(s);
          assertEquals(atA.loadedBy() + " " + atA.loadedAt(), atB.loadedBy() + " " + atB.loadedAt(),
              s + ": a and b serve the same entry");
          assertTrue(atA.servedBy().startsWith(a + ":") && atB.servedBy().startsWith(b + ":"), s);
        }
        Map<String, Long> afterLeave = loads(List.of(a, b));
        long reloaded = 0;
        for (String s : symbols) {
          long again = afterLeave.getOrDefault(s, 0L) - beforeLeave.getOrDefault(s, 0L);
          assertTrue(again <= 1, s + " loaded " + again + " more times after c left");
          reloaded += again;
        }
        assertTrue(reloaded > 0 && reloaded < symbols.size(), "c's share of the symbols was loaded again: " + reloaded);
        figure("e2e.leave.reloaded_symbols", reloaded, "symbols");

        // -- rejoin: c comes back with the same address and takes its share again
        start(net, ns.get(2), kubeconfig, endpoints);
        awaitReady(ns.get(2), c, endpoints);
        long joinMs = awaitRings(List.of(a, b, c), List.of(a, b, c));
        figure("e2e.ring_converge_join_ms", joinMs, "ms");
        List<String> fresh = symbols("C", 30);
        LoadRun last = new LoadRun(endpoints::ready, this::pod, fresh, 6, 300, Duration.ofSeconds(60));
        last.run();
        last.assertNoFailures();
        assertLoadedOnce(fresh, loads(List.of(a, b, c)));
        last.loadedBy(); // one entry per symbol
        // and owns its share again: a and b send it the requests for its keys
        long ownerRequests = pod(c).stats().getAsJsonObject("node").get("ownerRequests").getAsLong();
        for (String s : symbols("D", 30)) {
          pod(a).quote(s);
          pod(b).quote(s);
        }
        long more = pod(c).stats().getAsJsonObject("node").get("ownerRequests").getAsLong() - ownerRequests;
        assertTrue(more > 0, "a and b ask the returned pod for the keys it owns");
        figure("e2e.rejoin.requests", last.requests(), "requests");
        figure("e2e.rejoin.failed", last.failures().size(), "requests");
        figure("e2e.requests", first.requests() + during.requests() + last.requests(), "requests");
        figure("e2e.failed", first.failures().size() + during.failures().size() + last.failures().size(), "requests");
      } catch (AssertionError | Exception e) {
        StringBuilder logs = new StringBuilder();
        pods.values().forEach(p -> logs.append('\n').append(p.tail()));
        throw new AssertionError(e.getMessage() + logs, e);
      } finally {
        for (ExampleNode pod : pods.values()) {
          pod.close();
        }
      }
    }
  }

  /** Starts the pod of {@code namespace} as the Deployment does: its IP in POD_IP, the agent, the API server. */
  private void start(Netns net, String namespace, Path kubeconfig, EndpointController endpoints) {
    String ip = net.address(namespace);
    ExampleNode pod = ExampleNode.start(namespace, net.exec(namespace), EXAMPLE, AGENT, ip, HTTP,
        Map.of(), Map.of("POD_IP", ip, "KUBECONFIG", kubeconfig.toString(),
            "GROUPCACHE_KUBERNETES_SERVICE", "quotes", "GROUPCACHE_PORT", String.valueOf(PEER),
            "GROUPCACHE_CACHES_QUOTES_NEAR_TTL", NEAR_TTL.toSeconds() + "s"), LOGS);
    pods.put(ip, pod);
    endpoints.set(podName(namespace), ip, Phase.STARTING);
  }

  /** The kubelet's readiness probe, then the endpoint controller's update. */
  private void awaitReady(String namespace, String ip, EndpointController endpoints) throws InterruptedException {
    ExampleNode pod = pods.get(ip);
    if (!pod.awaitReady(START)) {
      fail(namespace + " is not ready within " + START + "\n" + pod.tail());
    }
    try {
      assertEquals(200, pod.status("/health/live"), "the liveness probe's endpoint");
    } catch (IOException e) {
      throw new AssertionError(namespace + ": /health/live", e);
    }
    endpoints.set(podName(namespace), ip, Phase.READY);
  }

  private static String podName(String namespace) {
    return "quotes-" + namespace.substring(namespace.length() - 1);
  }

  private ExampleNode pod(String ip) {
    ExampleNode pod = pods.get(ip);
    if (pod == null || !pod.isAlive()) {
      throw new IllegalStateException("no running pod at " + ip);
    }
    return pod;
  }

  /**
   * Waits until every node at {@code observers} sees exactly {@code members} in its ring; how long
   * that took, in milliseconds.
   */
  private long awaitRings(List<String> observers, List<String> members) throws Exception {
    long start = System.nanoTime();
    Set<String> expected = new TreeSet<>();
    members.forEach(m -> expected.add(m + ":" + PEER));
    long deadline = start + CONVERGE.toNanos();
    Map<String, List<String>> seen = new TreeMap<>();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (String o : observers) {
        List<String> peers = pod(o).peers();
        seen.put(o, peers);
        all &= new TreeSet<>(peers).equals(expected);
      }
      if (all) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("rings did not converge on " + expected + " within " + CONVERGE + ": " + seen);
  }

  /** Backend calls per symbol, summed over the pods at {@code ips}. */
  private Map<String, Long> loads(List<String> ips) throws IOException, InterruptedException {
    return ExampleNode.loads(ips.stream().map(this::pod).toList());
  }

  /** Each of {@code symbols} was loaded exactly once, by {@code loads}. */
  static void assertLoadedOnce(List<String> symbols, Map<String, Long> loads) {
    for (String s : symbols) {
      assertEquals(1L, loads.getOrDefault(s, 0L), s + " is loaded once in the cluster: " + loads);
    }
  }

  private static List<String> symbols(String prefix, int count) {
    List<String> symbols = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      symbols.add(String.format("%s%02d", prefix, i));
    }
    return symbols;
  }

  private static void figure(String name, double value, String unit) {
    System.out.println(name + ": " + (value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.1f", value))
        + " " + unit);
  }
}
