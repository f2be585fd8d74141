package dev.groupcache.jcache.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A cache's statistics: recorded only while on, counted and averaged per kind, cleared to a new baseline. */
class CacheStatisticsTest {
  /** The time unit of these tests' operations, in nanoseconds: 100 s, so that any real delay is small beside it. */
  private static final long UNIT = 100_000_000_000L;
  /** The same unit, in microseconds, as the averages read. */
  private static final float UNIT_MICROS = 100_000_000f;
  /** Room for a slow machine between a test's start time and its record: 10 s, far more than it ever takes. */
  private static final float SLACK = 10_000_000f;
  /** Room below: a float's rounding of hundreds of seconds in nanoseconds, far less than 1 ms. */
  private static final float ROUNDING = 1_000f;

  private final AtomicLong evictions = new AtomicLong();
  private final CacheStatistics statistics = new CacheStatistics(evictions::get);

  /** A start time {@code units} ago, as the cache's operations take it. */
  private static long unitsAgo(long units) {
    return System.nanoTime() - units * UNIT;
  }

  private static void assertAverage(float expectedMicros, float actual) {
    assertTrue(actual > expectedMicros - ROUNDING && actual < expectedMicros + SLACK,
        "expected about " + expectedMicros + " us, was " + actual);
  }

  @Test
  void nothingIsRecordedWhileStatisticsAreOff() {
    assertFalse(statistics.isEnabled(), "off until the cache turns them on");
    long start = unitsAgo(1);

    statistics.recordHit();
    statistics.recordMiss();
    statistics.recordLookup(true);
    statistics.recordLookup(false);
    statistics.recordPut(start);
    statistics.recordPuts(3, start);
    statistics.recordRemoval(start);
    statistics.recordRemovals(3, start);
    statistics.recordGetTime(start);
    statistics.recordPutTime(start);
    statistics.recordRemoveTime(start);
    statistics.setEnabled(true);

    assertEquals(0, statistics.getCacheHits());
    assertEquals(0, statistics.getCacheMisses());
    assertEquals(0, statistics.getCacheGets());
    assertEquals(0, statistics.getCachePuts());
    assertEquals(0, statistics.getCacheRemovals());
    statistics.recordHit();
    statistics.recordPut(statistics.start());
    statistics.recordRemoval(statistics.start());
    assertEquals(0, statistics.getAverageGetTime(), "no time was added while off");
    assertAverage(0, statistics.getAveragePutTime());
    assertAverage(0, statistics.getAverageRemoveTime());
  }

  @Test
  void anOperationThatBeganWhileOffIsCountedWithoutItsTime() {
    long start = statistics.start();
    assertEquals(0, start, "no clock read while off");
    statistics.setEnabled(true);
    assertNotEquals(0, statistics.start());

    statistics.recordLookup(true);
    statistics.recordGetTime(start);
    statistics.recordPut(start);
    statistics.recordRemovals(2, start);

    assertEquals(1, statistics.getCacheGets());
    assertEquals(1, statistics.getCachePuts());
    assertEquals(2, statistics.getCacheRemovals());
    assertEquals(0, statistics.getAverageGetTime());
    assertEquals(0, statistics.getAveragePutTime());
    assertEquals(0, statistics.getAverageRemoveTime());
  }

  @Test
  void hitsAndMissesMakeTheGetsAndTheirPercentages() {
    statistics.setEnabled(true);

    statistics.recordHit();
    statistics.recordLookup(true);
    statistics.recordLookup(true);
    statistics.recordLookup(false);

    assertEquals(3, statistics.getCacheHits());
    assertEquals(1, statistics.getCacheMisses());
    assertEquals(4, statistics.getCacheGets());
    assertEquals(75f, statistics.getCacheHitPercentage());
    assertEquals(25f, statistics.getCacheMissPercentage());
  }

  @Test
  void percentagesAndAveragesAreZeroBeforeAnyOperation() {
    statistics.setEnabled(true);

    assertEquals(0f, statistics.getCacheHitPercentage());
    assertEquals(0f, statistics.getCacheMissPercentage());
    assertEquals(0f, statistics.getAverageGetTime());
    assertEquals(0f, statistics.getAveragePutTime());
    assertEquals(0f, statistics.getAverageRemoveTime());
  }

  @Test
  void putsAndRemovalsAreCountedOneByOneAndByTheBatch() {
    statistics.setEnabled(true);

    statistics.recordPut(statistics.start());
    statistics.recordPuts(5, statistics.start());
    statistics.recordRemoval(statistics.start());
    statistics.recordRemovals(3, statistics.start());

    assertEquals(6, statistics.getCachePuts());
    assertEquals(4, statistics.getCacheRemovals());
    assertEquals(0, statistics.getCacheGets(), "writes are not gets");
  }

  @Test
  void averagesAreInMicrosecondsOverTheirOwnKindOfOperation() {
    statistics.setEnabled(true);

    statistics.recordLookup(true);
    statistics.recordGetTime(unitsAgo(2));
    statistics.recordLookup(false);
    statistics.recordGetTime(unitsAgo(4));
    statistics.recordPut(unitsAgo(1));
    statistics.recordRemoval(unitsAgo(5));

    assertAverage(3 * UNIT_MICROS, statistics.getAverageGetTime());
    assertAverage(1 * UNIT_MICROS, statistics.getAveragePutTime());
    assertAverage(5 * UNIT_MICROS, statistics.getAverageRemoveTime());
  }

  @Test
  void aBatchsTimeIsRecordedOnceForAllItsOperations() {
    statistics.setEnabled(true);

    statistics.recordPuts(4, unitsAgo(4));
    statistics.recordRemovals(2, unitsAgo(6));

    assertAverage(1 * UNIT_MICROS, statistics.getAveragePutTime());
    assertAverage(3 * UNIT_MICROS, statistics.getAverageRemoveTime());
  }

  @Test
  void aBatchThatChangedNothingAddsNoTime() {
    statistics.setEnabled(true);
    statistics.recordRemovals(0, unitsAgo(100));
    statistics.recordPuts(0, unitsAgo(100));
    statistics.recordRemovals(1, unitsAgo(2));
    statistics.recordPuts(1, unitsAgo(2));

    assertAverage(2 * UNIT_MICROS, statistics.getAverageRemoveTime());
    assertAverage(2 * UNIT_MICROS, statistics.getAveragePutTime());
  }

  @Test
  void turningStatisticsOffKeepsWhatWasRecorded() {
    statistics.setEnabled(true);
    statistics.recordHit();
    statistics.recordPut(statistics.start());

    statistics.setEnabled(false);
    statistics.recordHit();
    statistics.setEnabled(true);
    statistics.recordHit();

    assertEquals(2, statistics.getCacheHits());
    assertEquals(1, statistics.getCachePuts());
  }

  @Test
  void clearResetsEveryCountAndAverage() {
    statistics.setEnabled(true);
    statistics.recordLookup(true);
    statistics.recordLookup(false);
    statistics.recordGetTime(unitsAgo(1));
    statistics.recordPuts(2, unitsAgo(1));
    statistics.recordRemoval(unitsAgo(1));

    statistics.clear();

    assertEquals(0, statistics.getCacheHits());
    assertEquals(0, statistics.getCacheMisses());
    assertEquals(0, statistics.getCachePuts());
    assertEquals(0, statistics.getCacheRemovals());
    statistics.recordLookup(true);
    statistics.recordGetTime(unitsAgo(2));
    assertAverage(2 * UNIT_MICROS, statistics.getAverageGetTime());
    assertEquals(100f, statistics.getCacheHitPercentage());
  }

  @Test
  void evictionsCountFromTheLastClear() {
    evictions.set(5);
    assertEquals(5, statistics.getCacheEvictions(), "all of this node's evictions before any clear");

    statistics.clear();
    assertEquals(0, statistics.getCacheEvictions());
    evictions.addAndGet(3);
    assertEquals(3, statistics.getCacheEvictions());

    statistics.clear();
    assertEquals(0, statistics.getCacheEvictions());
  }
}
