package dev.groupcache.demo;

import dev.groupcache.example.testing.ExampleNode;
import dev.groupcache.testing.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Three instances of the example, each in its own JVM on 127.0.0.1 with a REST port and a peer
 * port of its own, and a static peer list that names all three: the local stand-in for the
 * EndpointSlices that tell the instances about each other in Kubernetes.
 */
final class LocalInstances implements AutoCloseable {
  static final int COUNT = 3;
  private static final String HOST = "127.0.0.1";

  private final List<Instance> instances;
  private final Path agent;
  private final long launched;

  private LocalInstances(List<Instance> instances, Path agent, long launched) {
    this.instances = instances;
    this.agent = agent;
    this.launched = launched;
  }

  /**
   * Launches the three JVMs; they are not ready yet.
   *
   * @param example the example's build output ({@code helidon-example/target})
   * @param agent the agent jar to run them under, or null for the provider as a plain dependency
   * @param logs where each writes {@code <name>.log}
   */
  static LocalInstances launch(Path example, Path agent, Path logs) {
    int[] ports = FreePorts.take(2 * COUNT);
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      peers.add(HOST + ":" + ports[COUNT + i]);
    }
    long launched = System.nanoTime();
    List<Instance> instances = new ArrayList<>();
    try {
      for (int i = 0; i < COUNT; i++) {
        int httpPort = ports[i];
        String peer = peers.get(i);
        int peerPort = ports[COUNT + i];
        // The same settings in both modes. With the provider as a dependency Helidon's gRPC server
        // serves the peer protocol on grpc.port; under the agent the agent serves it on
        // groupcache.port and Helidon's gRPC server moves aside by itself.
        Map<String, String> settings = Map.of(
            "groupcache.port", String.valueOf(peerPort),
            "grpc.port", String.valueOf(peerPort),
            "groupcache.discovery", "static",
            "groupcache.static.peers", String.join(",", peers),
            "groupcache.self", peer,
            "server.host", HOST);
        ExampleNode node = ExampleNode.start("node" + (i + 1), List.of(), example, agent, HOST, httpPort,
            settings, Map.of(), logs);
        instances.add(new Instance(node, HOST + ":" + httpPort, peer));
      }
    } catch (RuntimeException e) {
      instances.forEach(i -> i.node().close()); // none left running behind a failed start
      throw e;
    }
    return new LocalInstances(List.copyOf(instances), agent, launched);
  }

  /**
   * Waits until all three answer {@code /health/ready}; the time from launch until then.
   *
   * @throws Instance.Failure naming the first instance that was not ready within {@code timeout}
   */
  Duration awaitReady(Duration timeout) throws Instance.Failure, InterruptedException {
    long deadline = launched + timeout.toNanos();
    for (Instance instance : instances) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!instance.node().awaitReady(left)) {
        String why = instance.node().isAlive() ? "not ready within " + timeout.toSeconds() + " s"
            : "exited before it was ready";
        throw new Instance.Failure(instance, why, null);
      }
    }
    return Duration.ofNanos(System.nanoTime() - launched);
  }

  List<Instance> all() {
    return instances;
  }

  /** How the provider gets into the instances. */
  String mode() {
    return agent == null
        ? "provider as a dependency (Helidon's gRPC server serves the peer protocol)"
        : "agent " + agent + " (the agent serves the peer protocol)";
  }

  /** The instance's name for a ring address, e.g. {@code node2}; the address itself if it is none of ours. */
  String nameOf(String peerAddress) {
    return instances.stream().filter(i -> i.peerAddress().equals(peerAddress)).map(Instance::name)
        .findFirst().orElse(peerAddress);
  }

  /** Backend calls made in the whole cluster, per symbol: the sum of every instance's counts. */
  Map<String, Long> loadsBySymbol() throws Instance.Failure, InterruptedException {
    Map<String, Long> total = new TreeMap<>();
    for (Instance instance : instances) {
      instance.loads().forEach((symbol, n) -> total.merge(symbol, n, Long::sum));
    }
    return total;
  }

  /** Backend calls made in the whole cluster. */
  long loads() throws Instance.Failure, InterruptedException {
    return loadsBySymbol().values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Stops the three as Kubernetes would, SIGTERM first, and kills what did not exit in {@code grace}.
   *
   * @return the instances that had to be killed
   */
  List<Instance> stop(Duration grace) throws InterruptedException {
    List<Instance> killed = new ArrayList<>();
    for (Instance instance : instances) {
      if (instance.node().isAlive() && instance.node().terminate(grace) == -1) {
        killed.add(instance);
      }
      instance.node().close();
    }
    return killed;
  }

  /** Kills whatever still runs: the last resort, e.g. on Ctrl-C. */
  @Override
  public void close() {
    instances.forEach(i -> i.node().close());
  }
}
