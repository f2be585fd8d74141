package dev.groupcache.jcache;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * A cache's statistics on this node: what this node's callers did with it, plus the evictions of
 * the entries this node owns. Averages are in microseconds, each over its own kind of operation.
 */
final class CacheStatistics implements CacheStatisticsMXBean {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder getNanos = new LongAdder();
  private final LongAdder putNanos = new LongAdder();
  private final LongAdder removeNanos = new LongAdder();
  private final LongSupplier evictions;
  private volatile long evictionsAtClear;

  /** @param evictions this node's evictions of the cache's entries, since it started */
  CacheStatistics(LongSupplier evictions) {
    this.evictions = evictions;
  }

  void hit() {
    hits.increment();
  }

  void miss() {
    misses.increment();
  }

  void put() {
    puts.increment();
  }

  void removal() {
    removals.increment();
  }

  /** A put that began at {@code startNanos}. */
  void put(long startNanos) {
    put();
    putTime(startNanos);
  }

  /** A removal that began at {@code startNanos}. */
  void removal(long startNanos) {
    removal();
    removeTime(startNanos);
  }

  // A start of 0 is an operation that began while statistics were off: its time is not known.

  void getTime(long startNanos) {
    if (startNanos != 0) {
      getNanos.add(System.nanoTime() - startNanos);
    }
  }

  void putTime(long startNanos) {
    if (startNanos != 0) {
      putNanos.add(System.nanoTime() - startNanos);
    }
  }

  void removeTime(long startNanos) {
    if (startNanos != 0) {
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
