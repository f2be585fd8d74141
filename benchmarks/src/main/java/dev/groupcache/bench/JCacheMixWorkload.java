package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;
import java.util.List;
import java.util.Locale;

/**
 * J5, get/put/replace mix through {@code javax.cache}: {@value #KEYS} keys of 1 KiB, each member
 * putting its share first, then {@value #THREADS_PER_NODE} threads on every member doing 80 % gets
 * and 20 % writes (half puts, half replaces) of keys drawn uniformly from its share, for 10 s after
 * a 20 s warm-up: the cluster's operations per second ({@code j5.mix.ops_per_s}). The warm-up is
 * long because fresh JVMs' compilers are still the largest users of the CPU after 5 s (profiles of
 * J6, both systems), and the figure is meant to be of the caches. Ours and
 * Hazelcast with one synchronous backup, each system's default; Caffeine, one JVM, gets all keys
 * and the cluster's callers.
 */
final class JCacheMixWorkload implements Workload {
  private static final int KEYS = 10_000;
  private static final int THREADS_PER_NODE = 4;
  private static final int CLUSTER_NODES = 3;
  private static final long MILLIS = 10_000;
  private static final long WARMUP_MILLIS = 20_000;

  @Override
  public String id() {
    return "j5";
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return true;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    cluster.open(new CacheSpec("j5", -1, ROOMY_BYTES, 0.125, "POPULAR", true, 1));
    int threads = THREADS_PER_NODE * CLUSTER_NODES / cluster.size();
    long millis = options.millis(MILLIS);
    List<Reply> replies = cluster.callEach(i -> String.join(" ", "get-put", "j5", "j5-" + i + "-",
        Integer.toString(KEYS / cluster.size()), Integer.toString(threads),
        Long.toString(options.millis(WARMUP_MILLIS)), Long.toString(millis), "replaces"),
        Workload.timeout(millis * 2));
    double ops = 0;
    long errors = 0;
    for (Reply r : replies) {
      ops += r.number("ops") * 1e9 / r.number("elapsed_ns");
      errors += r.number("errors");
    }
    Progress.note(String.format(Locale.ROOT, "%s J5: %.0f ops/s, %d failed", cluster.system().label(), ops,
        errors));
    results.put(cluster.system(), "j5.mix.ops_per_s", ops, Unit.OPS_PER_SECOND);
    results.put(cluster.system(), "j5.mix.errors", errors, Unit.CALLS);
  }
}
