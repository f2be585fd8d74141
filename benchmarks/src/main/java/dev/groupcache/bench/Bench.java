package dev.groupcache.bench;

import dev.groupcache.bench.node.OursJCacheNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark driver. For each system in turn it starts the system's cluster of child JVMs, runs
 * the chosen workloads against it and stops it, so that systems never compete for the machine.
 * W6 ({@link JCachePutWorkload}) comes last and starts clusters of its own, of 3 and of 5 members,
 * one at a time.
 * stdout receives only result lines, {@code name: value unit}; everything else goes to stderr.
 */
public final class Bench {
  private static final List<Workload> WORKLOADS = List.of(new LocalHitWorkload(),
      new RemoteHitWorkload(), new HerdWorkload(), new ZipfWorkload(), new HotAdmissionWorkload(),
      LocalHitWorkload.jcache(), RemoteHitWorkload.jcache(), HerdWorkload.jcache(),
      ZipfWorkload.jcache(), new JCacheMixWorkload(), new BulkLoadWorkload());

  private Bench() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /**
   * Runs the benchmark and prints its results to {@code out}.
   *
   * @return the exit status: 0 when every system completed, 1 when one failed, 2 on bad arguments
   */
  public static int run(String[] args, PrintStream out) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Progress.note("workloads " + options.workloads() + ", systems " + options.systems() + ", scale "
        + options.scale() + ", child JVM options " + Cluster.JVM_OPTIONS);
    Results results = new Results(out);
    JarSizes.put(results);
    int status = 0;
    if (options.workloads().contains("discovery") && options.systems().contains(SystemUnderTest.OURS)) {
      try {
        DiscoveryLatency.run(options, results);
      } catch (RuntimeException e) {
        Progress.note("discovery failed: " + e);
        e.printStackTrace();
        status = 1;
      }
    }
    if (options.workloads().contains("agent") && options.systems().contains(SystemUnderTest.OURS)) {
      try {
        AgentStartup.run(options, results);
      } catch (RuntimeException e) {
        Progress.note("agent failed: " + e);
        e.printStackTrace();
        status = 1;
      }
    }
    if (options.workloads().contains(RoundTripFloor.ID)) {
      try {
        RoundTripFloor.run(options, results); // two JVMs of its own, no system's
      } catch (RuntimeException e) {
        Progress.note("floor failed: " + e);
        e.printStackTrace();
        status = 1;
      }
    }
    // the engine's workloads first, then the J workloads, each on clusters of their own
    for (boolean jcache : new boolean[] {false, true}) {
      for (SystemUnderTest system : options.systems()) {
        if (!run(system, jcache, options, results)) {
          status = 1;
        }
      }
    }
    if (options.workloads().contains(JCachePutWorkload.ID)
        && options.systems().stream().anyMatch(JCachePutWorkload::supports)) {
      // W6 starts clusters of its own, of 3 and of 5 members, one at a time
      if (!JCachePutWorkload.run(options, results)) {
        status = 1;
      }
    }
    if (options.workloads().contains(JCachePutWorkload.BACKUPS_ID)
        && options.systems().stream().anyMatch(JCachePutWorkload::supports)) {
      if (!JCachePutWorkload.runBackups(options, results)) {
        status = 1;
      }
    }
    if (options.workloads().contains(TlsCost.ID) && options.systems().contains(SystemUnderTest.OURS)) {
      try {
        TlsCost.run(options, results); // clusters of its own, plaintext and TLS in turn
      } catch (RuntimeException e) {
        Progress.note("tls failed: " + e);
        e.printStackTrace();
        status = 1;
      }
    }
    results.printRatios();
    return status;
  }

  /**
   * Runs the chosen workloads of one kind (the engine's, or the J workloads) on one system's cluster;
   * for the J workloads ours runs {@link OursJCacheNode}, used only through {@code javax.cache}.
   *
   * @return whether they completed (true if there were none)
   */
  private static boolean run(SystemUnderTest system, boolean jcache, Options options, Results results) {
    List<Workload> chosen = WORKLOADS.stream()
        .filter(w -> w.throughJCache() == jcache && options.workloads().contains(w.id()) && w.supports(system))
        .toList();
    if (chosen.isEmpty()) {
      return true;
    }
    String label = system.label() + (jcache ? "-jcache" : "");
    long start = System.nanoTime();
    boolean ok = true;
    Class<?> mainClass = jcache && system == SystemUnderTest.OURS ? OursJCacheNode.class : system.mainClass();
    try (Cluster cluster = Cluster.start(system, label, mainClass, system.nodes(), Cluster.JVM_OPTIONS,
        options.logDir())) {
      for (Workload w : chosen) {
        w.run(cluster, options, results);
      }
    } catch (RuntimeException e) {
      Progress.note(label + " failed: " + e);
      e.printStackTrace();
      ok = false;
    }
    Progress.note(String.format(Locale.ROOT, "%s done in %.1f s", label, (System.nanoTime() - start) / 1e9));
    return ok;
  }
}
