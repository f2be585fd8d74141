package dev.groupcache;

/**
 * A count-min sketch of how often keys were seen recently: four rows of 4-bit counters, all halved
 * every {@code sampleSize} increments so that old popularity fades (the aging of TinyLFU).
 *
 * <p>Estimates never undercount a key within the current window; collisions can only overcount.
 * To tell "seen twice" from noise the counters must stay sparse: with {@code sampleSize} at most
 * half the width, the mean counter stays at or below 0.5 and an unseen key reads 2 or more with
 * probability about {@code 0.09^4}.
 *
 * <p>Used on the fetch path only, so a monitor is cheaper than anything cleverer.
 */
final class FrequencySketch {
  private static final long[] SEEDS = {
    0x9E3779B97F4A7C15L, 0xC2B2AE3D27D4EB4FL, 0x165667B19E3779F9L, 0xD6E8FEB86659FD93L
  };
  private static final int ROWS = SEEDS.length;
  private static final long ONE_MASK = 0x7777_7777_7777_7777L;

  private final long[] table; // ROWS rows of width 4-bit counters, 16 per long
  private final int width;
  private final int sampleSize;
  private int additions;

  /**
   * @param width counters per row, rounded up to a power of two of at least 16
   * @param sampleSize increments between halvings: the length of the window
   */
  FrequencySketch(int width, int sampleSize) {
    int w = Integer.highestOneBit(Math.max(16, width - 1)) << 1;
    this.width = w;
    this.table = new long[ROWS * w / 16];
    this.sampleSize = sampleSize;
  }

  /** Counts one sighting of a key with the given 64-bit hash and returns its new estimate. */
  synchronized int increment(long hash) {
    int min = 15;
    for (int row = 0; row < ROWS; row++) {
      int counter = index(hash, row);
      int slot = counter >>> 4;
      int shift = (counter & 15) << 2;
      int count = (int) (table[slot] >>> shift) & 0xf;
      if (count < 15) {
        table[slot] += 1L << shift;
        count++;
      }
      min = Math.min(min, count);
    }
    if (++additions >= sampleSize) {
      halve();
    }
    return min;
  }

  /** The estimated count of the key with the given hash. */
  synchronized int frequency(long hash) {
    int min = 15;
    for (int row = 0; row < ROWS; row++) {
      int counter = index(hash, row);
      min = Math.min(min, (int) (table[counter >>> 4] >>> ((counter & 15) << 2)) & 0xf);
    }
    return min;
  }

  private int index(long hash, int row) {
    long h = (hash ^ SEEDS[row]) * SEEDS[(row + 1) % ROWS];
    h ^= h >>> 32;
    return row * width + ((int) h & (width - 1));
  }

  private void halve() {
    for (int i = 0; i < table.length; i++) {
      table[i] = (table[i] >>> 1) & ONE_MASK;
    }
    additions /= 2;
  }
}
