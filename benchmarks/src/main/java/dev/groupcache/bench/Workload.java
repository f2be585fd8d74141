package dev.groupcache.bench;

import java.time.Duration;

/** One of the benchmark's workloads, run by the driver against one system's cluster. */
interface Workload {
  /** The per-node budget of workloads that only need everything to fit (W1-W3). */
  long ROOMY_BYTES = 64L << 20;
  /** The per-node budget of the cache-pressure workloads (W4, W5). */
  long PRESSURE_BYTES = 16L << 20;

  /** The name on the command line, {@code w1} to {@code w5}, {@code j1} to {@code j6}. */
  String id();

  /**
   * Whether the workload drives our system through {@code javax.cache} ({@link
   * dev.groupcache.bench.node.OursJCacheNode}) rather than through the engine's groups: the J
   * workloads. The other systems are driven through {@code javax.cache} either way.
   */
  default boolean throughJCache() {
    return id().startsWith("j");
  }

  boolean supports(SystemUnderTest system);

  /** Runs the workload on a started cluster and records its figures. */
  void run(Cluster cluster, Options options, Results results);

  /** How long to wait for a command that runs {@code millis}: generous, but bounded. */
  static Duration timeout(long millis) {
    return Duration.ofMillis(millis * 3 + 180_000);
  }
}
