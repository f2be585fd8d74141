package dev.groupcache.demo;

import dev.groupcache.testing.ChildJvm;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The quick start: three nodes in three JVMs on 127.0.0.1 with a static peer list. Asks every node
 * for the same keys, fires a herd at one missing key, kills a node, and prints what happened.
 */
public final class LocalCluster {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private final List<ChildJvm> nodes = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();

  public static void main(String[] args) {
    LocalCluster cluster = new LocalCluster();
    try {
      cluster.run();
    } finally {
      cluster.nodes.forEach(ChildJvm::close);
    }
  }

  private void run() {
    String classPath = Path.of(LocalCluster.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
    for (int i = 0; i < 3; i++) {
      nodes.add(ChildJvm.start("node" + i, classPath, List.of("-Xmx256m"), DemoNode.class.getName(),
          List.of(), Path.of("target", "demo-logs")));
    }
    for (ChildJvm node : nodes) {
      addresses.add(node.await("ready", WAIT).substring("ready ".length()));
    }
    for (ChildJvm node : nodes) {
      node.call("peers " + String.join(",", addresses), WAIT);
    }
    OUT.println("Three nodes on 127.0.0.1, static peers: " + addresses);
    OUT.println("Group 'reports': a miss costs a 50 ms backend call; each key is loaded by its owner only.");
    OUT.println();

    OUT.println("1. Every node asked for the same 9 keys (ms per get at node 0 / 1 / 2):");
    OUT.printf("   %-9s %-7s %-10s %s%n", "key", "owner", "loaded by", "node0 node1 node2");
    int loads = 0;
    for (int k = 1; k <= 9; k++) {
      String key = "user:" + k;
      String owner = owner(key);
      StringBuilder times = new StringBuilder();
      for (ChildJvm node : nodes) {
        String[] answer = node.call("get " + key, WAIT).split(" ");
        times.append(String.format("%6s", answer[1]));
      }
      List<String> loadedBy = loadedBy(key);
      loads += loadedBy.size();
      OUT.printf("   %-9s %-7s %-10s%s%n", key, owner, String.join("+", loadedBy), times);
    }
    OUT.printf("   cluster-wide loads: %d for 9 keys and 27 gets%n%n", loads);

    OUT.println("2. A herd: 100 concurrent gets of one missing key on each node at once:");
    for (ChildJvm node : nodes) {
      node.send("herd report:2026 100");
    }
    for (int i = 0; i < nodes.size(); i++) {
      String[] answer = nodes.get(i).await("herd", WAIT).split(" ");
      OUT.printf("   node%d: %s of 100 gets answered in %s ms%n", i, answer[0], answer[1]);
    }
    List<String> herdLoads = loadedBy("report:2026");
    OUT.printf("   loaded by: %s (cluster-wide loads: %d)%n%n", String.join("+", herdLoads), herdLoads.size());

    OUT.println("3. node2 is killed (SIGKILL); node0 asks for keys node2 owns:");
    List<String> ofNode2 = new ArrayList<>();
    for (int k = 1; ofNode2.size() < 5 && k < 1000; k++) {
      if (owner("order:" + k).equals("node2")) {
        ofNode2.add("order:" + k);
      }
    }
    nodes.get(2).kill();
    for (String key : ofNode2) {
      String[] answer = nodes.get(0).call("get " + key, WAIT).split(" ");
      OUT.printf("   %-9s owner %s -> %s in %6s ms, loaded by %s%n", key, owner(key), answer[0], answer[1],
          String.join("+", loadedBy(key)));
    }
    OUT.println("   (the first get finds node2 dead and loads locally; later ones skip node2 while it backs off)");
    OUT.println();
    OUT.println("4. Counters:");
    for (int i = 0; i < 2; i++) {
      OUT.printf("   node%d %s%n", i, nodes.get(i).call("stats", WAIT));
    }
  }

  /** The name of the node that owns {@code key}, on node 0's ring. */
  private String owner(String key) {
    return "node" + addresses.indexOf(nodes.get(0).call("owner " + key, WAIT));
  }

  /** The nodes whose loader ran for {@code key} since the last call. */
  private List<String> loadedBy(String key) {
    List<String> loadedBy = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.get(i).isAlive()) {
        continue;
      }
      for (String k : nodes.get(i).call("loaded", WAIT).split(",")) {
        if (k.equals(key)) {
          loadedBy.add("node" + i);
        }
      }
    }
    return loadedBy;
  }
}
