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
import java.util.function.Predicate;
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
  /** The agent's endpoint: {@code /metrics} and the probes' {@code /health/*}. */
  private static final int METRICS = 9464;
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
    try (Netns net = Netns.create(5);
        FakeApiServer api = FakeApiServer.startHttp(InetAddress.getByName(net.hostAddress()))) {
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), NAMESPACE, "quotes-token");
      EndpointController endpoints = new EndpointController(api, NAMESPACE, PEER, HTTP);
      List<String> ns = net.namespaces().subList(0, 3); // the Deployment's three pods
      List<String> extra = net.namespaces().subList(3, 5); // two more when it scales to five
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

        // -- metrics: each pod's page (under the agent, no application code) counts what happened
        Map<String, MetricsPage> pages = scrape(List.of(a, b, c));
        for (MetricsPage page : pages.values()) {
          assertTrue(page.sum("groupcache_jcache_gets_total") > 0, page.pod() + " counts its gets");
          assertEquals(3, page.sum("groupcache_ring_members"), page.pod() + " sees three members");
          assertEquals(1, page.sum("groupcache_node_ready"), page.pod() + " is ready");
        }
        assertEquals(symbols.size(), pages.values().stream().mapToDouble(p -> p.sum("groupcache_jcache_loads_total")).sum(),
            "the pods' load counters add up to one load per symbol");
        assertTrue(pages.values().stream().mapToDouble(p -> p.sum("groupcache_jcache_gets_total",
            l -> !"owned_hit".equals(l.get("outcome")) && !"miss".equals(l.get("outcome")))).sum() > 0,
            "some gets were answered by another member or a near copy");
        double eventsBeforeLeave = pages.get(a).sum("groupcache_discovery_events_total");

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

        // c handed its entries to a and b as it left: once the copies of them run out, a and b
        // agree on every symbol, and c's are not loaded again (but for a read that raced the
        // hand-over past its bound on a starved machine)
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
        assertTrue(reloaded <= symbols.size() / 10, "c's share of the symbols went to a and b, not loaded again: "
            + reloaded + " of " + symbols.size() + " were");
        figure("e2e.leave.reloaded_symbols", reloaded, "symbols");

        // -- rejoin: c comes back with the same address and takes its share again
        start(net, ns.get(2), kubeconfig, endpoints);
        awaitReady(ns.get(2), c, endpoints);
        long joinMs = awaitRings(List.of(a, b, c), List.of(a, b, c));
        figure("e2e.ring_converge_join_ms", joinMs, "ms");
        assertTrue(scrape(List.of(a)).get(a).sum("groupcache_discovery_events_total") > eventsBeforeLeave,
            "a counted the discovery events of c's leave and return");
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

        // -- rolling restart: each pod in turn leaves the Kubernetes way and a new one takes its
        // place (a Deployment's rollout, maxUnavailable 1), under load; the entries survive it
        List<String> cached = new ArrayList<>(symbols);
        cached.addAll(fresh);
        // 300 entries: 2% of them is 6; more with -De2e.entries=N, to see how hand-overs grow with the data
        cached.addAll(symbols("R", Math.max(0, Integer.getInteger("e2e.entries", 300) - cached.size())));
        LoadRun fill = new LoadRun(endpoints::ready, this::pod, cached, 6, cached.size(), Duration.ofSeconds(60));
        fill.run();
        fill.assertNoFailures();
        Map<String, String> entriesBefore = entries(a, cached);
        LoadRun rolling = new LoadRun(endpoints::ready, this::pod, cached, 6, 1_000_000, Duration.ofSeconds(180));
        Thread rollingLoad = new Thread(rolling::run, "load-during-rollout");
        rollingLoad.start();
        long rolloutStart = System.nanoTime();
        for (String n : ns) {
          String ip = net.address(n);
          List<String> others = new ArrayList<>(List.of(a, b, c));
          others.remove(ip);
          long handStart = System.nanoTime();
          endpoints.set(podName(n), ip, Phase.TERMINATING);
          awaitRings(others, others);
          Thread.sleep(PRE_STOP.toMillis());
          assertNotEquals(-1, pods.get(ip).terminate(Duration.ofSeconds(30)), n + " stops within 30 s of SIGTERM");
          figure("e2e.rollout." + podName(n) + ".leave_ms", (System.nanoTime() - handStart) / 1e6, "ms");
          handover("e2e.rollout." + podName(n), pods.get(ip));
          endpoints.remove(podName(n));
          start(net, n, kubeconfig, endpoints);
          awaitReady(n, ip, endpoints);
          awaitRings(List.of(a, b, c), List.of(a, b, c));
        }
        figure("e2e.rollout_ms", (System.nanoTime() - rolloutStart) / 1e6, "ms");
        Thread.sleep(NEAR_TTL.toMillis() + 500); // copies from before the rollout have run out
        rolling.stop();
        rollingLoad.join(30_000);
        rolling.assertNoFailures();
        Map<String, String> entriesAfter = entries(b, cached);
        List<String> reloadedInRollout = cached.stream().filter(sym -> !entriesBefore.get(sym).equals(entriesAfter.get(sym)))
            .toList();
        figure("e2e.rollout.requests", rolling.requests(), "requests");
        figure("e2e.rollout.failed", rolling.failures().size(), "requests");
        figure("e2e.rollout.entries", cached.size(), "entries");
        figure("e2e.rollout.reloaded", reloadedInRollout.size(), "entries");
        assertTrue(reloadedInRollout.size() <= cached.size() * 2 / 100,
            "at most 2% of the entries are loaded again through a rollout: "
                + reloadedInRollout.stream().map(sym -> sym + " " + entriesBefore.get(sym) + " -> " + entriesAfter.get(sym))
                    .toList());

        // -- scale 3 -> 5 -> 3 under load: the new pods take their shares, then give them back
        Map<String, String> entriesBeforeScale = entries(a, cached);
        LoadRun scaling = new LoadRun(endpoints::ready, this::pod, cached, 6, 1_000_000, Duration.ofSeconds(180));
        Thread scalingLoad = new Thread(scaling::run, "load-during-scaling");
        scalingLoad.start();
        List<String> fiveIps = new ArrayList<>(List.of(a, b, c));
        for (String n : extra) {
          start(net, n, kubeconfig, endpoints);
          fiveIps.add(net.address(n));
        }
        for (String n : extra) {
          awaitReady(n, net.address(n), endpoints);
        }
        awaitRings(fiveIps, fiveIps);
        Map<String, String> atFive = entries(net.address(extra.get(0)), cached);
        for (String n : extra) {
          String ip = net.address(n);
          endpoints.set(podName(n), ip, Phase.TERMINATING);
        }
        awaitRings(List.of(a, b, c), List.of(a, b, c));
        Thread.sleep(PRE_STOP.toMillis());
        for (String n : extra) {
          assertNotEquals(-1, pods.get(net.address(n)).terminate(Duration.ofSeconds(30)), n + " stops after SIGTERM");
          handover("e2e.scale_in." + podName(n), pods.get(net.address(n)));
          endpoints.remove(podName(n));
        }
        Thread.sleep(NEAR_TTL.toMillis() + 500);
        scaling.stop();
        scalingLoad.join(30_000);
        scaling.assertNoFailures();
        Map<String, String> entriesAfterScale = entries(c, cached);
        List<String> reloadedInScaling = cached.stream()
            .filter(sym -> !entriesBeforeScale.get(sym).equals(entriesAfterScale.get(sym))
                || !entriesBeforeScale.get(sym).equals(atFive.get(sym)))
            .toList();
        figure("e2e.scale.requests", scaling.requests(), "requests");
        figure("e2e.scale.failed", scaling.failures().size(), "requests");
        figure("e2e.scale.reloaded", reloadedInScaling.size(), "entries");
        assertTrue(reloadedInScaling.size() <= cached.size() * 2 / 100,
            "at most 2% of the entries are loaded again through scaling to five and back: " + reloadedInScaling);

        // -- kill: c dies at once (SIGKILL); its endpoint stays until the endpoint controller
        // notices, meanwhile a and b suspect it, and their pages say so
        pods.get(c).close();
        long killed = System.nanoTime();
        awaitSuspected(List.of(a, b), c, symbols("E", 30));
        figure("e2e.kill.suspected_ms", (System.nanoTime() - killed) / 1e6, "ms");
        double eventsBeforeRemoval = scrape(List.of(a)).get(a).sum("groupcache_discovery_events_total");
        endpoints.remove("quotes-c");
        awaitRings(List.of(a, b), List.of(a, b));
        Map<String, MetricsPage> after = scrape(List.of(a, b));
        for (MetricsPage page : after.values()) {
          assertEquals(2, page.sum("groupcache_ring_members"), page.pod() + " sees two members");
          assertEquals(2, page.sum("groupcache_discovery_peers"), page.pod() + " discovery lists two");
        }
        assertTrue(after.get(a).sum("groupcache_discovery_events_total") > eventsBeforeRemoval,
            "a counted the removal of c's endpoint");

        // the dashboard and the alerts name only metrics that the pods' pages have
        Set<String> scraped = new TreeSet<>();
        pages.values().forEach(p -> scraped.addAll(p.names()));
        after.values().forEach(p -> scraped.addAll(p.names()));
        Set<String> missing = new TreeSet<>(MetricsPage.namedByMonitoring());
        missing.removeAll(scraped);
        assertEquals(Set.of(), missing, "metrics the dashboard or the alerts name but no pod exports");
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
            "GROUPCACHE_METRICS_PORT", String.valueOf(METRICS),
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
      assertEquals(200, pod.status("/health/live"), "the application's liveness endpoint");
      // the manifests' probes ask the agent's endpoint: ready and live without application code
      assertEquals(200, MetricsPage.status(ip, METRICS, "/health/ready"), "the readiness probe's endpoint");
      assertEquals(200, MetricsPage.status(ip, METRICS, "/health/live"), "the liveness probe's endpoint");
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

  private static final java.util.regex.Pattern HANDED =
      java.util.regex.Pattern.compile("handed (\\d+) entries to their new owners in (\\d+) ms");

  /** What a stopped pod's log says of its hand-over as it left: entries and time. */
  private static void handover(String name, ExampleNode pod) {
    java.util.regex.Matcher m = HANDED.matcher(pod.tail());
    long entries = 0;
    long millis = 0;
    while (m.find()) { // the last pass: the one of its leaving
      entries = Long.parseLong(m.group(1));
      millis = Long.parseLong(m.group(2));
    }
    figure(name + ".handed_entries", entries, "entries");
    figure(name + ".handover_ms", millis, "ms");
  }

  /** Who loaded each symbol's entry and when, as {@code ip} answers for it: an entry's identity. */
  private Map<String, String> entries(String ip, List<String> symbols) throws IOException, InterruptedException {
    Map<String, String> entries = new TreeMap<>();
    for (String s : symbols) {
      Quote q = pod(ip).quote(s);
      entries.put(s, q.loadedBy() + "@" + q.loadedAt());
    }
    return entries;
  }

    /** Scrapes the metrics page of each pod at {@code ips} (promtool checks each). */
  private Map<String, MetricsPage> scrape(List<String> ips) throws IOException, InterruptedException {
    Map<String, MetricsPage> pages = new LinkedHashMap<>();
    for (String ip : ips) {
      pages.put(ip, MetricsPage.scrape(pod(ip).name(), ip, METRICS, LOGS));
    }
    return pages;
  }

  /**
   * Asks {@code observers} for {@code symbols} until each one's page shows {@code dead} suspected
   * ({@code groupcache_peer_up} 0, a suspicion counted), within {@link #CONVERGE}.
   */
  private void awaitSuspected(List<String> observers, String dead, List<String> symbols) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    Predicate<Map<String, String>> peer = l -> l.getOrDefault("peer", "").equals(dead + ":" + PEER);
    Map<String, MetricsPage> pages = Map.of();
    for (int round = 0; System.nanoTime() < deadline; round++) {
      for (String o : observers) {
        try {
          pod(o).quote(symbols.get(round % symbols.size())); // traffic towards every owner
        } catch (IOException e) {
          // a get may fail while the owner is not yet suspected; what counts here is the page
        }
      }
      pages = scrape(observers);
      boolean all = true;
      for (MetricsPage page : pages.values()) {
        all &= page.sum("groupcache_peer_up", peer) == 0 && page.has("groupcache_peer_up")
            && page.sum("groupcache_peer_suspicions_total", peer) >= 1;
      }
      if (all) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(observers + " did not show " + dead + " suspected within " + CONVERGE + ": "
        + pages.values().stream().map(p -> p.pod() + " peer_up " + p.sum("groupcache_peer_up", peer)
            + " suspicions " + p.sum("groupcache_peer_suspicions_total", peer)).toList());
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
