package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.OursJCacheNode;
import dev.groupcache.bench.node.Reply;
import dev.groupcache.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The child JVMs of one system, started together, joined into one cluster, driven by commands
 * and stopped together. Every node runs with the same JVM options whatever the system.
 */
final class Cluster implements AutoCloseable {
  /**
   * The same for every system. The opens and exports are those Hazelcast asks for on Java 17;
   * without them it warns and falls back to slower paths. The other systems do not care.
   */
  static final List<String> JVM_OPTIONS = List.of(
      "-Xms1g", "-Xmx1g", "-XX:+UseG1GC",
      "-Djava.net.preferIPv4Stack=true",
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_LOG_LINES_SHOWN = 5;

  private final SystemUnderTest system;
  private final String label;
  private final Path logDir;
  private final List<ChildJvm> nodes;
  private final List<String> ids = new ArrayList<>();

  private Cluster(SystemUnderTest system, String label, Path logDir, List<ChildJvm> nodes) {
    this.system = system;
    this.label = label;
    this.logDir = logDir;
    this.nodes = nodes;
  }

  /** Starts the system's nodes and returns once they form one cluster. */
  static Cluster start(SystemUnderTest system, Path logRoot) {
    return start(system, system.label(), system.mainClass(), system.nodes(), JVM_OPTIONS, logRoot);
  }

  /**
   * Starts {@code size} nodes running {@code mainClass} with the given JVM options, named {@code
   * label-i} with their logs under {@code logRoot/label}, and returns once they form one cluster.
   */
  static Cluster start(SystemUnderTest system, String label, Class<?> mainClass, int size,
      List<String> jvmOptions, Path logRoot) {
    Path logDir = logRoot.resolve(label);
    List<String> shared = sharedArgs(system, label, mainClass, size, logDir);
    boolean indexed = system == SystemUnderTest.HAZELCAST || mainClass == OursJCacheNode.class;
    List<ChildJvm> started = new ArrayList<>();
    Cluster cluster = new Cluster(system, label, logDir, started);
    try {
      for (int i = 0; i < size; i++) {
        List<String> args = new ArrayList<>(shared);
        if (indexed) {
          args.add(1, Integer.toString(i));
        }
        started.add(ChildJvm.start(label + "-" + i, null, jvmOptions, mainClass.getName(), args, logDir));
      }
      for (ChildJvm node : started) {
        cluster.ids.add(Reply.parse(label, node.await("start", START_TIMEOUT)).text("id"));
      }
      cluster.callAll("join " + String.join(",", cluster.ids), START_TIMEOUT);
      Progress.note(label + ": " + started.size() + " node(s) up: " + cluster.ids + "; logs in " + logDir);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Program arguments that do not depend on the node: Hazelcast's cluster name and ports, our
   * JCache members' addresses; the node's index goes after the first.
   */
  private static List<String> sharedArgs(SystemUnderTest system, String label, Class<?> mainClass,
      int size, Path logDir) {
    if (mainClass == OursJCacheNode.class) {
      List<Integer> ports = FreePorts.find(size);
      Progress.note(label + ": static peers on 127.0.0.1 ports " + ports);
      return List.of(ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    }
    switch (system) {
      case HAZELCAST: {
        List<Integer> ports = FreePorts.find(size);
        String name = "groupcache-bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Progress.note(label + ": cluster " + name + " on 127.0.0.1 ports " + ports);
        return List.of(name, ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
      }
      case CAFFEINE:
        return List.of(logDir.resolve("conf").toString());
      default:
        return List.of();
    }
  }

  SystemUnderTest system() {
    return system;
  }

  int size() {
    return nodes.size();
  }

  /** The id of node {@code i}, as the system names it. */
  String id(int i) {
    return ids.get(i);
  }

  Reply call(int node, String command, Duration timeout) {
    return Reply.parse(name(node), nodes.get(node).call(command, timeout));
  }

  /** Sends {@code command} to every node at once and waits for all the answers. */
  List<Reply> callAll(String command, Duration timeout) {
    return callEach(i -> command, timeout);
  }

  /** Sends each node its own command, all at once, and waits for all the answers. */
  List<Reply> callEach(IntFunction<String> command, Duration timeout) {
    for (int i = 0; i < nodes.size(); i++) {
      nodes.get(i).send(command.apply(i));
    }
    List<Reply> replies = new ArrayList<>();
    RuntimeException failure = null;
    for (int i = 0; i < nodes.size(); i++) {
      try {
        replies.add(Reply.parse(name(i), nodes.get(i).await(command.apply(i), timeout)));
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
    return replies;
  }

  /** Opens a cache on every node, one after the other, the first node first. */
  void open(CacheSpec spec) {
    for (int i = 0; i < nodes.size(); i++) {
      call(i, "open " + spec.format(), START_TIMEOUT);
    }
  }

  /** Loader calls made so far on all nodes together. */
  long loads() {
    long sum = 0;
    for (Reply r : callAll("loads", START_TIMEOUT)) {
      sum += r.number("loads");
    }
    return sum;
  }

  private String name(int node) {
    return label + "-" + node;
  }

  /**
   * Asks the nodes to quit one after the other, the last started first (Hazelcast's master, the
   * oldest member, then leaves last and no member sees it go), kills any that do not quit, and
   * reports warnings found in their logs.
   */
  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      ChildJvm node = nodes.get(i);
      try {
        node.call("quit", QUIT_TIMEOUT);
      } catch (RuntimeException e) {
        Progress.note(name(i) + " did not quit in time; killing it");
      }
      node.close();
    }
    for (int i = 0; i < nodes.size(); i++) {
      reportLog(logDir.resolve(name(i) + ".stderr.log"));
    }
  }

  /** Echoes the warnings and errors a node logged, so that a run cannot hide them. */
  private static void reportLog(Path log) {
    if (!Files.exists(log)) {
      return;
    }
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> bad = lines
          .filter(l -> l.contains("WARNING") || l.contains("SEVERE") || l.contains("ERROR")
              || l.contains("Exception"))
          .collect(Collectors.toList());
      if (!bad.isEmpty()) {
        Progress.note(log.getFileName() + ": " + bad.size() + " warning/error line(s), first: "
            + bad.subList(0, Math.min(MAX_LOG_LINES_SHOWN, bad.size())));
      }
    } catch (IOException | UncheckedIOException e) {
      Progress.note("cannot read " + log + ": " + e);
    }
  }
}
