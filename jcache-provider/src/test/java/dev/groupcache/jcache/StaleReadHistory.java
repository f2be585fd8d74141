package dev.groupcache.jcache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;

/**
 * A per-operation history of gets, puts and replaces on a few hot keys, and the checker that
 * finds stale reads in the histories of several members.
 *
 * <p>Every write puts a value no other write puts, so a read names the write it saw. A read is
 * stale if it returned a value that a later write, acknowledged before the read began, had
 * replaced: some write started after the seen write ended and ended before the read started.
 * Times are {@link System#nanoTime()} readings, which on Linux come from the one monotonic clock
 * every process on the machine shares.
 */
final class StaleReadHistory {
  /** The keys, few enough that reads and writes meet on each. */
  static final List<String> KEYS = List.of("h0", "h1", "h2", "h3");
  /** The value each key holds before the run. */
  static final String INITIAL = "init";

  /** One operation: G (get), P (put) or R (replace); ok is false for a failed put or a replace that did not apply. */
  record Op(char type, String key, String value, long start, long end, boolean ok) {
    String line() {
      return type + " " + key + " " + value + " " + start + " " + end + " " + ok;
    }

    static Op parse(String line) {
      String[] w = line.split(" ");
      return new Op(w[0].charAt(0), w[1], w[2], Long.parseLong(w[3]), Long.parseLong(w[4]), Boolean.parseBoolean(w[5]));
    }
  }

  private StaleReadHistory() {}

  /**
   * Runs {@code threads} threads of 80% gets and 20% writes (puts, and a quarter of them
   * replaces) on {@link #KEYS}, each stopping after {@code opsPerThread} operations or {@code millis},
   * whichever comes first; writes the history to {@code file}. Answers {@code "<ops> <failed>"}.
   */
  static String run(Cache<String, String> cache, Path file, String member, long millis, int threads,
      int opsPerThread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    List<List<Op>> histories = new ArrayList<>();
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Op> history = new ArrayList<>();
      histories.add(history);
      SplittableRandom random = new SplittableRandom(member.hashCode() * 31L + t);
      String writer = member + "." + t + ".";
      Thread thread = new Thread(() -> {
        for (int i = 0; i < opsPerThread && System.nanoTime() - deadline < 0; i++) {
          history.add(step(cache, random, writer + i));
        }
      }, "history-" + t);
      thread.start();
      running.add(thread);
    }
    for (Thread t : running) {
      t.join();
    }
    int ops = 0;
    int failed = 0;
    List<String> lines = new ArrayList<>();
    for (List<Op> history : histories) {
      for (Op op : history) {
        lines.add(op.line());
        ops++;
        failed += op.type() == 'P' && !op.ok() ? 1 : 0;
      }
    }
    try {
      Files.write(file, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ops + " " + failed;
  }

  private static Op step(Cache<String, String> cache, SplittableRandom random, String value) {
    String key = KEYS.get(random.nextInt(KEYS.size()));
    int dice = random.nextInt(100);
    long start = System.nanoTime();
    if (dice < 80) {
      String got = cache.get(key);
      return new Op('G', key, String.valueOf(got), start, System.nanoTime(), true);
    }
    if (dice < 95) {
      try {
        cache.put(key, value);
        return new Op('P', key, value, start, System.nanoTime(), true);
      } catch (RuntimeException e) {
        return new Op('P', key, value, start, System.nanoTime(), false); // may or may not have applied
      }
    }
    boolean applied = cache.replace(key, value);
    return new Op('R', key, value, start, System.nanoTime(), applied);
  }

  /** Reads the histories written by {@link #run}. */
  static List<Op> read(List<Path> files) throws IOException {
    List<Op> all = new ArrayList<>();
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        all.add(Op.parse(line));
      }
    }
    return all;
  }

  /**
   * The stale reads in a history, each described; also every read of a value no write put. A put
   * that failed may have applied: reading its value is allowed, but it never makes another read
   * stale, as it was never acknowledged.
   */
  static List<String> staleReads(List<Op> history) {
    Map<String, List<Op>> writes = new HashMap<>();
    Map<String, Op> byValue = new HashMap<>();
    for (String key : KEYS) {
      Op initial = new Op('P', key, INITIAL, Long.MIN_VALUE, Long.MIN_VALUE, true);
      writes.computeIfAbsent(key, k -> new ArrayList<>()).add(initial);
    }
    for (Op op : history) {
      if (op.type() == 'P' && op.ok() || op.type() == 'R' && op.ok()) {
        writes.get(op.key()).add(op);
        byValue.put(op.value(), op);
      } else if (op.type() == 'P') {
        byValue.put(op.value(), new Op('P', op.key(), op.value(), op.start(), Long.MAX_VALUE, false));
      }
    }
    // Per key: acknowledged writes by end time, and the latest start among those that ended by each.
    Map<String, long[]> ends = new HashMap<>();
    Map<String, long[]> latestStart = new HashMap<>();
    writes.forEach((key, list) -> {
      list.sort(Comparator.comparingLong(Op::end));
      long[] e = new long[list.size()];
      long[] s = new long[list.size()];
      long max = Long.MIN_VALUE;
      for (int i = 0; i < list.size(); i++) {
        e[i] = list.get(i).end();
        max = Math.max(max, list.get(i).start());
        s[i] = max;
      }
      ends.put(key, e);
      latestStart.put(key, s);
    });
    List<String> stale = new ArrayList<>();
    for (Op read : history) {
      if (read.type() != 'G') {
        continue;
      }
      Op seen = read.value().equals(INITIAL) ? writes.get(read.key()).get(0) : byValue.get(read.value());
      if (seen == null || !seen.key().equals(read.key())) {
        stale.add("a get of " + read.key() + " returned " + read.value() + ", which no write of it put");
        continue;
      }
      long[] e = ends.get(read.key());
      int acknowledged = lastBefore(e, read.start()); // writes that ended before the read began
      if (acknowledged >= 0 && latestStart.get(read.key())[acknowledged] > seen.end()) {
        stale.add("a get of " + read.key() + " at " + read.start() + " returned " + read.value()
            + ", written by then over by a write that started "
            + TimeUnit.NANOSECONDS.toMicros(latestStart.get(read.key())[acknowledged] - seen.end())
            + " µs after it ended");
      }
    }
    return stale;
  }

  /** The index of the last element below {@code t} in a sorted array, or -1. */
  private static int lastBefore(long[] sorted, long t) {
    int i = Arrays.binarySearch(sorted, t);
    if (i < 0) {
      return -i - 2;
    }
    while (i >= 0 && sorted[i] >= t) {
      i--;
    }
    return i;
  }
}
