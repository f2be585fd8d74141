package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;
import java.util.List;

/**
 * One run of the W4/W5 key mix: every node's callers at once, each node drawing keys with its own
 * seed, on a fresh cache ({@link #run}) or on one a run has filled ({@link #rerun}). Adds up what
 * the cluster did.
 *
 * @param gets gets made by all callers
 * @param errors gets that failed
 * @param opsPerSecond the cluster's throughput: the sum of each node's gets per second
 * @param loads loader calls made by all nodes during the run
 * @param stats each node's own counters for the cache, after the run
 */
record KeyMix(long gets, long errors, double opsPerSecond, long loads, List<Reply> stats) {
  /** Runs {@code distribution} ("zipf" or "uniform") with {@code threads} callers per node. */
  static KeyMix run(Cluster cluster, CacheSpec spec, String distribution, int threads, long millis) {
    cluster.open(spec);
    return mix(cluster, spec, distribution, threads, 1, millis);
  }

  /**
   * Runs the mix again on the cache {@link #run} filled, with other seeds: keys drawn afresh from
   * the same distribution, not the first run's sequence replayed.
   */
  static KeyMix rerun(Cluster cluster, CacheSpec spec, String distribution, int threads, long millis) {
    return mix(cluster, spec, distribution, threads, 1 + cluster.size(), millis);
  }

  private static KeyMix mix(Cluster cluster, CacheSpec spec, String distribution, int threads, int firstSeed,
      long millis) {
    long before = cluster.loads();
    List<Reply> replies = cluster.callEach(i -> String.join(" ", "mix", spec.name(), distribution,
        Integer.toString(threads), Integer.toString(firstSeed + i), Long.toString(millis)),
        Workload.timeout(millis));
    long loads = cluster.loads() - before;
    long gets = 0;
    long errors = 0;
    double opsPerSecond = 0;
    for (Reply r : replies) {
      gets += r.number("gets");
      errors += r.number("errors");
      opsPerSecond += r.number("gets") * 1e9 / r.number("elapsed_ns");
    }
    List<Reply> stats = cluster.callAll("stats " + spec.name(), Workload.timeout(0));
    if (errors > 0) {
      Progress.note(cluster.system().label() + " " + spec.name() + ": " + errors + " of " + gets
          + " gets failed (see the nodes' logs)");
    }
    Progress.note(cluster.system().label() + " " + spec.name() + ": " + gets + " gets, " + loads
        + " loads; per node " + stats);
    return new KeyMix(gets, errors, opsPerSecond, loads, stats);
  }

  /** 1 - loads / gets: the share of gets that the cluster answered without its loader. */
  double hitRatio() {
    return gets == 0 ? 0 : 1 - (double) loads / gets;
  }

  /** The sum over nodes of a counter in {@link #stats}. */
  long sum(String counter) {
    long sum = 0;
    for (Reply r : stats) {
      sum += r.number(counter);
    }
    return sum;
  }
}
