package dev.groupcache.bench.node;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks the keys a node owns, the same way on every node: the first {@code n} of {@code prefix0,
 * prefix1, ...} that the ring (or the partition table) gives to that node. So a node can choose
 * another node's keys without being told them, and a preload and the run after it agree.
 */
final class OwnedKeys {
  /** With three owners a node owns about a third of the candidates; this leaves ample slack. */
  private static final int MAX_CANDIDATES_PER_KEY = 20;

  private OwnedKeys() {}

  static <K> List<String> select(BenchCache<K> cache, String prefix, int n, String ownerId) {
    List<String> keys = new ArrayList<>(n);
    long limit = (long) n * MAX_CANDIDATES_PER_KEY;
    for (long i = 0; i < limit && keys.size() < n; i++) {
      String key = prefix + i;
      if (ownerId.equals(cache.owner(cache.key(key)))) {
        keys.add(key);
      }
    }
    if (keys.size() < n) {
      throw new IllegalStateException("only " + keys.size() + " of " + limit + " candidates are owned by "
          + ownerId + "; wanted " + n);
    }
    return keys;
  }

  /** The system keys of {@code texts}, made ahead of a timed loop. */
  static <K> List<K> keysOf(BenchCache<K> cache, List<String> texts) {
    List<K> keys = new ArrayList<>(texts.size());
    for (String t : texts) {
      keys.add(cache.key(t));
    }
    return keys;
  }
}
