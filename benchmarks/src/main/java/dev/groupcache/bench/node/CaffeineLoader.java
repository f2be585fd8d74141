package dev.groupcache.bench.node;

/**
 * Caffeine's read-through loader. Caffeine's Typesafe configuration names loaders by class and
 * builds them with no arguments, so the latency is fixed here: the 1 ms of W4, the only workload
 * that reads through Caffeine.
 */
public final class CaffeineLoader extends SleepingCacheLoader {
  /** The only latency this class offers. */
  public static final long LATENCY_MILLIS = 1;

  public CaffeineLoader() {
    super(LATENCY_MILLIS);
  }
}
