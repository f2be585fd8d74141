package dev.groupcache.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the agent costs an application at start: JVMs of {@link StartupProbe} started with no
 * agent, with the agent, and with the agent weaving annotations, in turn, timed from the spawn to
 * the probe's first line ({@code main}) and, with the agent, to the node reporting ready.
 *
 * <p>Prints the jar's size, {@code agent.time_to_main_delta_ms} and {@code
 * agent.weaving_delta_ms} (medians against the median without agent) and {@code
 * agent.node_ready_ms} (median). The node is a single static one on loopback: the figure is the
 * agent's own start, not the time discovery waits for an API server.
 */
final class AgentStartup {
  static final String JAR_PROPERTY = "bench.agent.jar";
  private static final int RUNS = 11;

  private AgentStartup() {}

  static void run(Options options, Results results) {
    Path jar = Path.of(System.getProperty(JAR_PROPERTY, "agent/target/groupcache-agent.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no agent jar at " + jar + ": build the agent module first");
    }
    String classPath = Path.of(StartupProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath())
        .toString();
    int port = FreePorts.find(1).get(0);
    String agent = "-javaagent:" + jar.toAbsolutePath() + "=discovery=static,port=" + port + ",self=127.0.0.1:"
        + port + ",static.peers=127.0.0.1:" + port + ",bind-host=127.0.0.1";
    double[] none = new double[RUNS];
    double[] withAgent = new double[RUNS];
    double[] ready = new double[RUNS];
    double[] weaving = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      // interleaved, so that a slow spell of the machine hits all three alike
      none[i] = time(classPath, List.of(), false)[0];
      double[] a = time(classPath, List.of(agent), true);
      withAgent[i] = a[0];
      ready[i] = a[1];
      weaving[i] = time(classPath, List.of(agent + ",agent.weave=com.example."), false)[0];
      Progress.note(String.format(java.util.Locale.ROOT, "agent start run %d: none %.0f ms, agent %.0f ms (ready %.0f ms),"
          + " weaving %.0f ms", i + 1, none[i], withAgent[i], ready[i], weaving[i]));
    }
    double base = median(none);
    results.put(SystemUnderTest.OURS, "agent.jar_size", size(jar) / 1e6, Unit.MEGABYTES);
    results.put(SystemUnderTest.OURS, "agent.time_to_main_none_ms", base, Unit.MILLIS);
    results.put(SystemUnderTest.OURS, "agent.time_to_main_delta_ms", median(withAgent) - base, Unit.MILLIS);
    results.put(SystemUnderTest.OURS, "agent.node_ready_ms", median(ready), Unit.MILLIS);
    results.put(SystemUnderTest.OURS, "agent.weaving_delta_ms", median(weaving) - base, Unit.MILLIS);
  }

  /** Spawns one probe; milliseconds from the spawn to "main" and, if asked, to "ready". */
  private static double[] time(String classPath, List<String> options, boolean awaitReady) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.addAll(List.of("-Xshare:auto", "-cp", classPath, StartupProbe.class.getName()));
    if (awaitReady) {
      command.add("ready");
    }
    long start = System.nanoTime();
    Process p;
    try {
      p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      double[] times = {Double.NaN, Double.NaN};
      String line = out.readLine();
      times[0] = (System.nanoTime() - start) / 1e6;
      if (!"main".equals(line)) {
        throw new IllegalStateException("the probe said " + line + " instead of main: " + command);
      }
      if (awaitReady) {
        line = out.readLine();
        times[1] = (System.nanoTime() - start) / 1e6;
        if (!"ready".equals(line)) {
          throw new IllegalStateException("the node did not report ready: " + line);
        }
      }
      return times;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
