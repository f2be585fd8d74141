package dev.groupcache.bench.node;

/**
 * The 100,000 keys of the zipf and uniform workloads (W4, W5). Rank {@code r} (0 = most popular)
 * maps to key index {@code (r * MULTIPLIER + OFFSET) mod SIZE}, a fixed permutation, so that
 * popular keys are not all neighbours in name and land on every owner alike.
 */
public final class KeySpace {
  /** The number of keys. */
  public static final int SIZE = 100_000;
  /** Coprime with {@link #SIZE} (odd, not a multiple of 5), which makes the map a bijection. */
  private static final long MULTIPLIER = 48_271;
  private static final long OFFSET = 12_345;
  private static final String PREFIX = "key-";
  /** The longest key's length in bytes, for sizing caches that count entries. */
  public static final int MAX_KEY_BYTES = PREFIX.length() + String.valueOf(SIZE - 1).length();

  private KeySpace() {}

  /** The key of popularity rank {@code rank}. */
  public static String keyOfRank(int rank) {
    return PREFIX + (int) ((rank * MULTIPLIER + OFFSET) % SIZE);
  }
}
