package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The budget holds while many threads load values of many sizes at once. */
class CacheBoundsTest {
  @Test
  void theBudgetIsSplitOneSixteenthForHotCopiesUnlessConfiguredOtherwise() {
    long budget = 16L << 20;
    try (Node node = Node.builder().self("127.0.0.1:1").serve(false).build()) {
      GroupStats byDefault = node.newGroup(GroupConfig.builder("d").maxBytes(budget).build(), key -> key).stats();
      assertEquals(budget / 16, byDefault.hot().maxBytes());
      assertEquals(budget - budget / 16, byDefault.main().maxBytes());
      GroupStats eighth = node.newGroup(GroupConfig.builder("e").maxBytes(budget).hotShare(0.125).build(),
          key -> key).stats();
      assertEquals(budget / 8, eighth.hot().maxBytes());
      assertEquals(budget - budget / 8, eighth.main().maxBytes());
    }
  }

  @Test
  void concurrentLoadsNeverHoldMoreThanTheBudget() throws Exception {
    long budget = 1 << 20;
    int maxValue = 8 << 10;
    long maxEntry = 16 + maxValue + GroupConfig.ENTRY_OVERHEAD_BYTES;
    int threads = 4;
    try (Node node = Node.builder().self("127.0.0.1:1").serve(false).build()) {
      Group g = node.newGroup(GroupConfig.builder("g").maxBytes(budget).hotShare(0).build(), key -> {
        Random r = new Random(key.hashCode());
        return ByteView.copyOf(new byte[r.nextInt(maxValue)]);
      });
      AtomicLong worst = new AtomicLong();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      List<Thread> loaders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread thread = new Thread(() -> {
          for (int i = 0; i < 50_000 && System.nanoTime() < end; i++) {
            g.get(ByteView.of("k" + ThreadLocalRandom.current().nextInt(20_000)));
          }
        });
        thread.start();
        loaders.add(thread);
      }
      while (loaders.stream().anyMatch(Thread::isAlive)) {
        worst.accumulateAndGet(g.stats().main().bytes(), Math::max);
        Thread.sleep(1);
      }
      for (Thread thread : loaders) {
        thread.join();
      }
      GroupStats s = g.stats();
      // The documented bound (ByteCache): at most one entry over per thread writing at that moment.
      assertTrue(worst.get() <= budget + threads * maxEntry, "peak " + worst.get() + " of " + budget);
      assertTrue(s.main().bytes() <= budget, "settled at " + s.main().bytes() + " of " + budget);
      assertTrue(s.main().evictions() > 1000, "evictions " + s.main().evictions());
      assertTrue(s.main().bytes() >= s.main().entries() * (GroupConfig.ENTRY_OVERHEAD_BYTES + 2L),
          "every entry is weighed with its overhead");
      assertEquals(s.gets(), s.mainHits() + s.loads());
    }
  }

  @Test
  void anEntryLargerThanTheWholeCacheIsServedButNotKept() {
    try (Node node = Node.builder().self("127.0.0.1:1").serve(false).build()) {
      Group g = node.newGroup(GroupConfig.builder("g").maxBytes(1000).build(), key -> ByteView.copyOf(new byte[2000]));
      assertEquals(2000, g.get(ByteView.of("k")).length());
      assertEquals(0, g.stats().main().entries());
    }
  }
}
