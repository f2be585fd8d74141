package dev.groupcache.bench.node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * J6: a bulk load from this node of {@code n} keys no one has written, {@code PREFIXi}, with
 * 1 KiB values: in {@code putAll} calls of {@code batch} entries, one call at a time, or, with
 * {@code batch} 0, one {@code put} at a time. Keys, values and batches are made before the clock
 * starts. Bounded in count and in time: it stops at the deadline with what it wrote. With {@code
 * remove}, the keys written are then removed in one {@code removeAll}, after the clock stops: a
 * warm-up round leaves the cache as it found it.
 */
final class BulkRun {
  private BulkRun() {}

  static <K> Reply run(BenchCache<K> cache, String prefix, int n, int batch, long maxMillis, boolean remove) {
    if (batch < 0) {
      throw new IllegalArgumentException("batch must be 0 (sequential puts) or more: " + batch);
    }
    int per = batch == 0 ? 1 : batch;
    List<Map<K, byte[]>> batches = new ArrayList<>();
    for (int from = 0; from < n; from += per) {
      Map<K, byte[]> b = new LinkedHashMap<>();
      for (int i = from; i < Math.min(n, from + per); i++) {
        b.put(cache.key(prefix + i), Values.of(prefix + i));
      }
      batches.add(b);
    }
    long start = System.nanoTime();
    long deadline = start + maxMillis * 1_000_000;
    long written = 0;
    long errors = 0;
    for (int b = 0; b < batches.size() && System.nanoTime() < deadline; b++) {
      try {
        if (batch == 0) {
          Map.Entry<K, byte[]> e = batches.get(b).entrySet().iterator().next();
          cache.put(e.getKey(), e.getValue());
        } else {
          cache.putAll(batches.get(b));
        }
        written += batches.get(b).size();
      } catch (RuntimeException e) {
        if (errors++ < 5) {
          System.err.println("bulk write failed: " + e);
        }
      }
    }
    long elapsed = System.nanoTime() - start;
    if (remove) {
      Set<K> keys = new HashSet<>();
      batches.forEach(b -> keys.addAll(b.keySet()));
      cache.removeAll(keys);
    }
    return Reply.of().with("entries", written).with("planned", n).with("errors", errors)
        .with("elapsed_ns", elapsed);
  }
}
