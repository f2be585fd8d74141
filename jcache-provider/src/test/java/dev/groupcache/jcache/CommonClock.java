package dev.groupcache.jcache;

import java.time.Instant;

/**
 * A clock that the JVMs of one machine share: microseconds since the epoch, read from this JVM's
 * monotonic clock anchored once to the wall clock.
 *
 * <p>{@link System#nanoTime()} has an origin of its own in each JVM, so its readings do not compare
 * across JVMs; the wall clock's do, but it may be stepped during a run. Anchoring once gives
 * readings that are ordered within a JVM and comparable across JVMs up to the error of the two
 * anchors, which is a few µs and well under {@link #SKEW_MICROS}.
 */
final class CommonClock {
  /** How far apart two JVMs' readings of the same instant may be, at most: the checker's tolerance. */
  static final long SKEW_MICROS = 1_000;

  private static final long ANCHOR_NANOS;
  private static final long ANCHOR_MICROS;

  static {
    long bestGap = Long.MAX_VALUE;
    long nanos = 0;
    long micros = 0;
    for (int i = 0; i < 50; i++) { // the pair of readings least disturbed by a preemption between them
      long before = System.nanoTime();
      Instant wall = Instant.now();
      long after = System.nanoTime();
      if (after - before < bestGap) {
        bestGap = after - before;
        nanos = before + (after - before) / 2;
        micros = wall.getEpochSecond() * 1_000_000 + wall.getNano() / 1_000;
      }
    }
    ANCHOR_NANOS = nanos;
    ANCHOR_MICROS = micros;
  }

  private CommonClock() {}

  /** Now, in µs since the epoch. */
  static long micros() {
    return ANCHOR_MICROS + (System.nanoTime() - ANCHOR_NANOS) / 1_000;
  }
}
