package dev.groupcache.jcache.management;

import java.util.concurrent.atomic.LongAdder;

/**
 * One cache's always-on counters on this node, for metrics: gets by where they were answered, and
 * the loads this node ran. Unlike {@link CacheStatistics} they cost one uncontended add and count
 * whether or not JSR-107 statistics are enabled.
 */
public final class CacheCounters {
  /** Hears each load's duration: a metrics registry's timer, once one is bound. */
  @FunctionalInterface
  public interface LoadTimer {
    LoadTimer NONE = (nanos, failed) -> {};

    void loaded(long nanos, boolean failed);
  }

  private final LongAdder ownedHits = new LongAdder();
  private final LongAdder ownedHitsInProcess = new LongAdder();
  private final LongAdder nearHits = new LongAdder();
  private final LongAdder remoteHits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadErrors = new LongAdder();
  private volatile LoadTimer loadTimer = LoadTimer.NONE;

  /** A get answered by this node's own store ({@code owned}) or by the key's owner elsewhere. */
  public void answered(boolean present, boolean owned) {
    if (!present) {
      misses.increment();
    } else if (owned) {
      ownedHits.increment();
    } else {
      remoteHits.increment();
    }
  }

  /**
   * A get answered by this node's own store in this process, with no request: one add where the
   * node would otherwise count an owner request too; the node counts these among its owner
   * requests ({@link #ownedHitsInProcess}).
   */
  public void answeredInProcess() {
    ownedHitsInProcess.increment();
  }

  /** A get answered by this node's near copy. */
  public void nearHit() {
    nearHits.increment();
  }

  /** A get answered as a miss without asking an owner (it was unavailable). */
  public void miss() {
    misses.increment();
  }

  /** A call of the cache loader here that took {@code nanos}, and whether it failed. */
  public void loaded(long nanos, boolean failed) {
    loads.increment();
    if (failed) {
      loadErrors.increment();
    }
    loadTimer.loaded(nanos, failed);
  }

  public void timeLoads(LoadTimer timer) {
    loadTimer = timer == null ? LoadTimer.NONE : timer;
  }

  public long ownedHits() {
    return ownedHits.sum() + ownedHitsInProcess.sum();
  }

  /** The owned hits answered in this process without a request ({@link #answeredInProcess}). */
  public long ownedHitsInProcess() {
    return ownedHitsInProcess.sum();
  }

  public long nearHits() {
    return nearHits.sum();
  }

  public long remoteHits() {
    return remoteHits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  public long loads() {
    return loads.sum();
  }

  public long loadErrors() {
    return loadErrors.sum();
  }
}
