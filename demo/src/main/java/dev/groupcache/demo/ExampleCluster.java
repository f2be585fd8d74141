package dev.groupcache.demo;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The quick start, {@code ./run-cluster}: three instances of the Helidon example service on
 * 127.0.0.1 with static peers, asked for quotes at the same moment, again, and by a herd; it prints
 * what each instance did and ends with {@code OK: ...} (exit status 0) or {@code UNEXPECTED: ...}
 * (1).
 *
 * <p>{@code java -jar demo.jar [helidon-example/target] [--agent groupcache-agent.jar]}: the
 * example's build output, and optionally the agent to run the instances under instead of the
 * provider as a dependency.
 */
public final class ExampleCluster {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final String USAGE =
      "usage: java -jar demo.jar [helidon-example/target] [--agent agent/target/groupcache-agent.jar]";

  private ExampleCluster() {
  }

  public static void main(String[] args) throws InterruptedException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Path example = Path.of("helidon-example", "target");
    Path agent = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--agent") && i + 1 < args.length) {
        agent = Path.of(args[++i]);
      } else if (!args[i].startsWith("-")) {
        example = Path.of(args[i]);
      } else {
        exit(USAGE);
      }
    }
    if (!Files.isRegularFile(example.resolve("helidon-example.jar"))) {
      exit("no helidon-example.jar in " + example.toAbsolutePath()
          + ": build it with mvn -q -B -DskipTests -pl helidon-example -am package\n" + USAGE);
    }
    if (agent != null && !Files.isRegularFile(agent)) {
      exit("no agent at " + agent.toAbsolutePath() + ": build it with mvn -q -B -DskipTests -pl agent -am package");
    }
    System.exit(run(example, agent, out) ? 0 : 1);
  }

  private static boolean run(Path example, Path agent, PrintStream out) throws InterruptedException {
    Path logs = logDirectory();
    out.println("Three instances of the Helidon example (GET /quotes/{symbol}) on 127.0.0.1, static peers");
    LocalInstances cluster = LocalInstances.launch(example, agent, logs);
    // Child JVMs outlive their parent: whatever ends this one (Ctrl-C included) ends them too.
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "stop-instances"));
    out.println("  mode: " + cluster.mode());
    for (Instance instance : cluster.all()) {
      out.printf("  %-6s http %-16s peer %s%n", instance.name(), instance.httpAddress(), instance.peerAddress());
    }
    out.println("  logs: " + logs);
    Verdict verdict = new Verdict();
    try {
      Duration ready = cluster.awaitReady(READY_TIMEOUT);
      out.printf("  all three ready %.1f s after launch%n", ready.toMillis() / 1e3);
      new Tour(cluster, out, verdict).run();
    } catch (Instance.Failure failure) {
      verdict.failed(failure);
    } finally {
      // the logs before the stop, whose lines would push the failure out of the tail
      if (!verdict.ok()) {
        verdict.suspects().forEach(instance -> out.println(instance.node().tail()));
      }
      out.println();
      long stopping = System.nanoTime();
      List<Instance> killed = cluster.stop(STOP_GRACE);
      out.printf("Stopped the three instances (SIGTERM) in %.1f s%n", (System.nanoTime() - stopping) / 1e9);
      killed.forEach(i -> out.println("  " + i.name() + " did not exit within " + STOP_GRACE.toSeconds()
          + " s of SIGTERM and was killed"));
    }
    out.println(verdict.line());
    return verdict.ok();
  }

  /** {@code example-logs/} beside demo.jar (or beside classes/ when run from an IDE): demo/target/example-logs. */
  private static Path logDirectory() {
    try {
      Path code = Path.of(ExampleCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return code.getParent().resolve("example-logs");
    } catch (URISyntaxException e) {
      throw new IllegalStateException("where does demo.jar live?", e);
    }
  }

  private static void exit(String message) {
    System.err.println(message);
    System.exit(2);
  }
}
