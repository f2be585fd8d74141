package dev.groupcache.bench;

import dev.groupcache.GroupConfig;
import dev.groupcache.bench.node.CacheSpec;
import java.util.Locale;

/**
 * W5, hot-cache admission (groupcache only): the W4 setup for 10 s, from cold, under zipf and
 * uniform keys, with each admission policy. Shows what the hot cache saves when popularity is
 * skewed and what it costs when it is not.
 */
final class HotAdmissionWorkload implements Workload {
  private static final int THREADS_PER_NODE = 8;
  private static final long LOADER_MILLIS = 1;
  private static final long MILLIS = 10_000;

  @Override
  public String id() {
    return "w5";
  }

  @Override
  public boolean supports(SystemUnderTest system) {
    return system == SystemUnderTest.OURS;
  }

  @Override
  public void run(Cluster cluster, Options options, Results results) {
    long millis = options.millis(MILLIS);
    for (String distribution : new String[] {"zipf", "uniform"}) {
      for (String admission : new String[] {"POPULAR", "RANDOM_ONE_IN_TEN"}) {
        String variant = distribution + "." + (admission.equals("POPULAR") ? "popular" : "random");
        Progress.note("W5 " + variant + " for " + millis + " ms");
        CacheSpec spec = new CacheSpec("w5-" + variant.replace('.', '-'), LOADER_MILLIS,
            PRESSURE_BYTES, GroupConfig.DEFAULT_HOT_SHARE, admission, true);
        KeyMix mix = KeyMix.run(cluster, spec, distribution, THREADS_PER_NODE, millis);
        double gets = Math.max(1, mix.sum("gets"));
        String name = "w5." + variant.toLowerCase(Locale.ROOT);
        SystemUnderTest s = cluster.system();
        results.put(s, name + ".ops_per_s", mix.opsPerSecond(), Unit.OPS_PER_SECOND);
        results.put(s, name + ".local_hit_ratio", (mix.sum("main_hits") + mix.sum("hot_hits")) / gets,
            Unit.FRACTION);
        results.put(s, name + ".hot_hit_ratio", mix.sum("hot_hits") / gets, Unit.FRACTION);
        results.put(s, name + ".hit_ratio", mix.hitRatio(), Unit.FRACTION);
      }
    }
  }
}
