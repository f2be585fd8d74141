package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.StaleReadHistory.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gets, puts and replaces from three JVMs on four hot keys with near copies on, checked op by op:
 * no get returns a value that a write acknowledged before the get began had replaced.
 */
class StaleReadHistoryTest {
  private static final int MEMBERS = 3;
  private static final long RUN_MILLIS = 8_000;
  private static final int THREADS = 4;
  private static final int OPS_PER_THREAD = 50_000;

  @TempDir
  Path dir;

  @Test
  void noStaleReadsUnderContention() throws Exception {
    List<Path> files = new ArrayList<>();
    try (CacheCluster cluster = new CacheCluster(MEMBERS, List.of("-Dgroupcache.caches.c.near-ttl=60s",
        // a pause where a near copy is kept, so that invalidations land there often, as they rarely do
        "-D" + CacheNodeMain.KEEP_WINDOW_MICROS + "=300",
        // slow members delay writes, but no write is acknowledged without every copy dropped
        "-Dgroupcache.peer-timeout=60s", "-Dgroupcache.invalidation-timeout=60s"))) {
      for (String key : StaleReadHistory.KEYS) {
        assertEquals("ok", cluster.call(0, "put " + key + " " + StaleReadHistory.INITIAL));
      }
      for (int m = 0; m < MEMBERS; m++) {
        Path file = dir.resolve("history-" + m);
        files.add(file);
        cluster.node(m).send("history " + file + " m" + m + " " + RUN_MILLIS + " " + THREADS + " " + OPS_PER_THREAD);
      }
      for (int m = 0; m < MEMBERS; m++) {
        String[] outcome = cluster.node(m).await("history", CacheCluster.WAIT).split(" ");
        assertEquals(2, outcome.length, String.join(" ", outcome));
        assertEquals("0", outcome[1], "failed puts on member " + m);
      }
    }
    List<Op> history = StaleReadHistory.read(files);
    long gets = history.stream().filter(op -> op.type() == 'G').count();
    long writes = history.stream().filter(op -> op.type() != 'G' && op.ok()).count();
    assertTrue(gets >= 1_000 && writes >= 200, "too little happened to check: " + gets + " gets, " + writes + " writes");
    List<String> stale = StaleReadHistory.staleReads(history);
    assertEquals(List.of(), stale.subList(0, Math.min(20, stale.size())),
        stale.size() + " stale reads in " + gets + " gets and " + writes + " writes");
  }

  // The checker itself, on histories made by hand (times in ns).

  @Test
  void aReadOfAValueOverwrittenBeforeItBeganIsStale() {
    List<Op> h = List.of(
        new Op('P', "h0", "a", 0, 10, true),
        new Op('P', "h0", "b", 20, 30, true),
        new Op('G', "h0", "a", 40, 50, true));
    assertEquals(1, StaleReadHistory.staleReads(h).size());
  }

  @Test
  void aReadConcurrentWithTheWriteThatReplacedItsValueIsNotStale() {
    List<Op> h = List.of(
        new Op('P', "h0", "a", 0, 10, true),
        new Op('P', "h0", "b", 20, 45, true),
        new Op('G', "h0", "a", 40, 50, true));
    assertEquals(List.of(), StaleReadHistory.staleReads(h));
  }

  @Test
  void concurrentWritesMayBeSeenInEitherOrder() {
    List<Op> h = List.of(
        new Op('P', "h0", "a", 0, 30, true),
        new Op('P', "h0", "b", 10, 20, true),
        new Op('G', "h0", "a", 40, 50, true),
        new Op('G', "h0", "b", 60, 70, true));
    assertEquals(List.of(), StaleReadHistory.staleReads(h));
  }

  @Test
  void theInitialValueIsStaleOnceAWriteWasAcknowledged() {
    List<Op> h = List.of(
        new Op('R', "h1", "a", 0, 10, true),
        new Op('G', "h1", StaleReadHistory.INITIAL, 20, 30, true));
    assertEquals(1, StaleReadHistory.staleReads(h).size());
  }

  @Test
  void aFailedPutMayBeReadButMakesNothingStale() {
    List<Op> h = List.of(
        new Op('P', "h2", "lost", 0, 10, false),
        new Op('G', "h2", "lost", 20, 30, true),
        new Op('G', "h2", StaleReadHistory.INITIAL, 40, 50, true));
    assertEquals(List.of(), StaleReadHistory.staleReads(h));
  }

  @Test
  void aValueNoWritePutIsReported() {
    List<Op> h = List.of(new Op('G', "h3", "phantom", 0, 10, true));
    assertEquals(1, StaleReadHistory.staleReads(h).size());
  }

  @Test
  void theHistoryFileRoundTrips() throws Exception {
    Op op = new Op('R', "h0", "m1.2.3", 5, 9, false);
    Path f = dir.resolve("one");
    Files.write(f, List.of(op.line()));
    assertEquals(List.of(op), StaleReadHistory.read(List.of(f)));
  }
}
