package dev.groupcache.bench;

import java.time.Duration;

/** One of the benchmark's workloads, run by the driver against one system's cluster. */
interface Workload {
  /** The per-node budget of workloads that only need everything to fit (W1-W3). */
  long ROOMY_BYTES = 64L << 20;
  /** The per-node budget of the cache-pressure workloads (W4, W5). */
  long PRESSURE_BYTES = 16L << 20;

  /** The name on the command line, {@code w1} to {@code w5}. */
  String id();

  boolean supports(SystemUnderTest system);

  /** Runs the workload on a started cluster and records its figures. */
  void run(Cluster cluster, Options options, Results results);

  /** How long to wait for a command that runs {@code millis}: generous, but bounded. */
  static Duration timeout(long millis) {
    return Duration.ofMillis(millis * 3 + 180_000);
  }
}
