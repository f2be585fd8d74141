package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.ChildJvm;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte budget is a budget of heap: what an entry is weighed at is what it costs. */
class CacheMemoryTest {
  private static final int ENTRIES = 200_000;

  @Test
  void theWeighedSizeOfAnEntryIsItsHeapCost() {
    for (int[] kv : new int[][] {{16, 100}, {8, 1024}, {40, 10}}) {
      // A fresh JVM with nothing else allocating, so the heap delta is the cache's alone.
      try (ChildJvm child = ChildJvm.start("memory", null, List.of("-Xmx1g", "-XX:+UseParallelGC"),
          Measure.class.getName(), List.of(String.valueOf(kv[0]), String.valueOf(kv[1])),
          Path.of("target", "child-logs"))) {
        String[] answer = child.await("measure", Duration.ofSeconds(60)).split(" ");
        assertEquals(ENTRIES, Long.parseLong(answer[0]), "entries held");
        double perEntry = Double.parseDouble(answer[1]);
        double weighed = kv[0] + kv[1] + GroupConfig.ENTRY_OVERHEAD_BYTES;
        assertTrue(perEntry <= weighed * 1.05 && perEntry >= weighed * 0.9,
            "key " + kv[0] + " B, value " + kv[1] + " B: heap " + perEntry + " B/entry, weighed " + weighed);
      }
    }
  }

  /** Fills a cache and prints {@code "> <entries> <heap bytes per entry>"}. */
  public static final class Measure {
    public static void main(String[] args) {
      int keyBytes = Integer.parseInt(args[0]);
      int valueBytes = Integer.parseInt(args[1]);
      long before = usedHeap();
      ByteCache cache = new ByteCache((long) (keyBytes + valueBytes + GroupConfig.ENTRY_OVERHEAD_BYTES) * ENTRIES);
      for (int i = 0; i < ENTRIES; i++) {
        byte[] key = new byte[keyBytes];
        for (int b = 0; b < Math.min(4, keyBytes); b++) {
          key[b] = (byte) (i >>> (8 * b));
        }
        cache.put(ByteView.copyOf(key), ByteView.copyOf(new byte[valueBytes]));
      }
      CacheStats stats = cache.stats();
      double perEntry = (usedHeap() - before) / (double) ENTRIES;
      System.out.println(ChildJvm.ANSWER + stats.entries() + " " + perEntry);
    }

    private static long usedHeap() {
      for (int i = 0; i < 4; i++) {
        System.gc();
      }
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
  }
}
