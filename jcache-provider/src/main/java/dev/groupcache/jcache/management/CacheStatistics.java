package dev.groupcache.jcache.management;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * A cache's statistics on this node: what this node's callers did with it, plus the evictions of
 * the entries this node owns. Averages are in microseconds, each over its own kind of operation.
 *
 * <p>Every {@code record} method checks whether statistics are on itself, so callers record
 * unconditionally; while they are off, recording costs a volatile read and no clock read.
 */
public final class CacheStatistics implements CacheStatisticsMXBean {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder getNanos = new LongAdder();
  private final LongAdder putNanos = new LongAdder();
  private final LongAdder removeNanos = new LongAdder();
  private final LongSupplier evictions;
  private volatile long evictionsAtClear;
  private volatile boolean enabled;

  /** @param evictions this node's evictions of the cache's entries, since it started */
  public CacheStatistics(LongSupplier evictions) {
    this.evictions = evictions;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * When an operation starts, for its time: 0 while statistics are off, and the time of an
   * operation that began while they were off is not known, so not recorded.
   */
  public long start() {
    return enabled ? System.nanoTime() : 0;
  }

  public void recordHit() {
    if (enabled) {
      hits.increment();
    }
  }

  public void recordMiss() {
    if (enabled) {
      misses.increment();
    }
  }

  /** A hit if {@code present}, else a miss. */
  public void recordLookup(boolean present) {
    if (present) {
      recordHit();
    } else {
      recordMiss();
    }
  }

  /** The puts of a batch that began at {@code startNanos}: its time is recorded once, if it put any. */
  public void recordPuts(long count, long startNanos) {
    if (enabled && count > 0) {
      puts.add(count);
      recordPutTime(startNanos);
    }
  }

  /** The removals of a batch that began at {@code startNanos}: its time is recorded once, if it removed any. */
  public void recordRemovals(long count, long startNanos) {
    if (enabled && count > 0) {
      removals.add(count);
      recordRemoveTime(startNanos);
    }
  }

  /** A put that began at {@code startNanos}. */
  public void recordPut(long startNanos) {
    if (enabled) {
      puts.increment();
      recordPutTime(startNanos);
    }
  }

  /** A removal that began at {@code startNanos}. */
  public void recordRemoval(long startNanos) {
    if (enabled) {
      removals.increment();
      recordRemoveTime(startNanos);
    }
  }

  public void recordGetTime(long startNanos) {
    if (enabled && startNanos != 0) {
      getNanos.add(System.nanoTime() - startNanos);
    }
  }

  public void recordPutTime(long startNanos) {
    if (enabled && startNanos != 0) {
      putNanos.add(System.nanoTime() - startNanos);
    }
  }

  public void recordRemoveTime(long startNanos) {
    if (enabled && startNanos != 0) {
      removeNanos.add(System.nanoTime() - startNanos);
    }
  }

  @Override
  public void clear() {
    hits.reset();
    misses.reset();
    puts.reset();
    removals.reset();
    getNanos.reset();
    putNanos.reset();
    removeNanos.reset();
    evictionsAtClear = evictions.getAsLong();
  }

  @Override
  public long getCacheHits() {
    return hits.sum();
  }

  @Override
  public float getCacheHitPercentage() {
    long gets = getCacheGets();
    return gets == 0 ? 0 : getCacheHits() * 100f / gets;
  }

  @Override
  public long getCacheMisses() {
    return misses.sum();
  }

  @Override
  public float getCacheMissPercentage() {
    long gets = getCacheGets();
    return gets == 0 ? 0 : getCacheMisses() * 100f / gets;
  }

  @Override
  public long getCacheGets() {
    return getCacheHits() + getCacheMisses();
  }

  @Override
  public long getCachePuts() {
    return puts.sum();
  }

  @Override
  public long getCacheRemovals() {
    return removals.sum();
  }

  @Override
  public long getCacheEvictions() {
    return evictions.getAsLong() - evictionsAtClear;
  }

  @Override
  public float getAverageGetTime() {
    return average(getNanos.sum(), getCacheGets());
  }

  @Override
  public float getAveragePutTime() {
    return average(putNanos.sum(), getCachePuts());
  }

  @Override
  public float getAverageRemoveTime() {
    return average(removeNanos.sum(), getCacheRemovals());
  }

  private static float average(long nanos, long count) {
    return count == 0 ? 0 : nanos / 1000f / count;
  }
}
