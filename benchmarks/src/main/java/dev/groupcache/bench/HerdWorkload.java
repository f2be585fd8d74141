package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.Reply;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * W3, thundering herd: 100 threads on each of the three nodes get the same missing key at once,
 * whose loader takes 50 ms. How many loads does the cluster make, and how long until the last
 * caller has the value? Rounds with fresh keys: {@value #WARMUP_ROUNDS} to warm the JVMs up (the
 * first one's wall is reported on its own: it includes class loading and interpreted code), then
 * {@value #ROUNDS} measured; the worst round's loads, all rounds counted, and the measured rounds'
 * median wall. A herd in a service strikes a warm JVM, which is what the median shows.
 */
final class HerdWorkload implements Workload {
  private static final int THREADS_PER_NODE = 100;
  private static final long LOADER_MILLIS = 50;
  private static final int WARMUP_ROUNDS = 3;
  private static final int ROUNDS = 5;
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final String id;

  /** W3, through the engine's groups for ours. */
  HerdWorkload() {
    this("w3");
  }

  private HerdWorkload(String id) {
    this.id = id;
  }

  /** J3: W3 through {@code javax.cache}, a read-through cache with the same 50 ms loader. */
  static HerdWorkload jcache() {
    return new HerdWorkload("j3");
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return system != SystemUnderTest.CAFFEINE;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    String cache = id + "-herd";
    cluster.open(new CacheSpec(cache, LOADER_MILLIS, ROOMY_BYTES, 0.125, "POPULAR", true));
    long maxLoads = 0;
    double firstRoundMillis = 0;
    double[] wallMillis = new double[ROUNDS];
    for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      long before = cluster.loads();
      String key = cache + "-" + round;
      cluster.callAll("herd-arm " + cache + " " + key + " " + THREADS_PER_NODE, TIMEOUT);
      // sent to every node back to back, so they are released within a pipe write of each other
      List<Reply> replies = cluster.callAll("herd-go", TIMEOUT);
      long loads = cluster.loads() - before;
      long wallNs = 0;
      StringBuilder perNode = new StringBuilder();
      for (Reply r : replies) {
        wallNs = Math.max(wallNs, r.number("wall_ns"));
        perNode.append(String.format(Locale.ROOT, " %.1f-%.1f", r.number("first_ns") / 1e6, r.number("wall_ns") / 1e6));
      }
      maxLoads = Math.max(maxLoads, loads);
      if (round == 0) {
        firstRoundMillis = wallNs / 1e6;
      }
      if (round >= WARMUP_ROUNDS) {
        wallMillis[round - WARMUP_ROUNDS] = wallNs / 1e6;
      }
      Progress.note(String.format(Locale.ROOT, "%s " + id + " %s round %d: %d load(s), wall %.1f ms"
          + " (first to last get per node, ms:%s)", cluster.system().label(), round < WARMUP_ROUNDS ? "warm-up"
          : "measured", round + 1, loads, wallNs / 1e6, perNode));
    }
    Arrays.sort(wallMillis);
    results.put(cluster.system(), id + ".herd.loads", maxLoads, Unit.CALLS);
    results.put(cluster.system(), id + ".herd.wall_ms", wallMillis[ROUNDS / 2], Unit.MILLIS);
    results.put(cluster.system(), id + ".herd.first_round_wall_ms", firstRoundMillis, Unit.MILLIS);
  }
}
