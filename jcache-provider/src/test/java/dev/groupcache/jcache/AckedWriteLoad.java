package dev.groupcache.jcache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.cache.Cache;

/**
 * One member's writes and reads for a test that no acknowledged write is lost: threads put keys
 * {@code <prefix><member>-<i>} (this member's alone, so each key has one writer) with rising
 * values, and get keys of every member, at a bounded rate, until stopped or out of time or count.
 *
 * <p>For each key it remembers the last value a put returned for, and the values of puts that
 * failed after it (a failed put may still have been applied). {@link #check} reads every key
 * back: the value read must be the last acknowledged one or one of those later attempts.
 * Failures are kept with the wall-clock time their operation began, for the test to count those
 * that began after the fault was detected.
 */
final class AckedWriteLoad {
  /** One key's writes: the last acknowledged value, and attempts after it that failed. */
  private static final class Written {
    String acked;
    final List<String> unacked = new ArrayList<>();
  }

  private final Cache<String, String> cache;
  private final String prefix;
  private final int member;
  private final int members;
  private final int keys;
  private final Map<Integer, Written> written = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong ops = new AtomicLong();
  private final List<long[]> failedAt = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
  private volatile boolean stopping;

  AckedWriteLoad(Cache<String, String> cache, String prefix, int member, int members, int keys, int threadCount,
      long intervalMicros, long maxOps, long maxMillis) {
    this.cache = cache;
    this.prefix = prefix;
    this.member = member;
    this.members = members;
    this.keys = keys;
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    long perThread = maxOps / threadCount;
    for (int t = 0; t < threadCount; t++) {
      int first = t;
      Thread thread = new Thread(() -> run(first, threadCount, perThread, intervalMicros, deadline), "acked-" + t);
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
  }

  private String key(int owner, int i) {
    return prefix + owner + "-" + i;
  }

  /** Thread {@code t} of {@code n} writes keys i with i % n == t, so each key has one writing thread. */
  private void run(int t, int n, long maxOps, long intervalMicros, long deadline) {
    SplittableRandom random = new SplittableRandom(member * 1_000L + t);
    long next = System.nanoTime();
    for (long op = 0; op < maxOps && !stopping && System.nanoTime() - deadline < 0; op++) {
      long began = System.currentTimeMillis();
      try {
        if (random.nextInt(3) > 0) {
          int i = t + n * random.nextInt(Math.max(1, (keys - t + n - 1) / n));
          if (i >= keys) {
            continue;
          }
          String value = "v" + op + "-" + t;
          Written w = written.computeIfAbsent(i, k -> new Written());
          synchronized (w) {
            w.unacked.add(value);
          }
          cache.put(key(member, i), value);
          synchronized (w) {
            w.acked = value;
            w.unacked.clear();
          }
        } else {
          cache.get(key(random.nextInt(members), random.nextInt(keys)));
        }
      } catch (RuntimeException e) {
        failedAt.add(new long[] {began});
        if (failures.size() < 5) {
          failures.add(e.toString().replace('\n', ' '));
        }
      }
      ops.incrementAndGet();
      next += intervalMicros * 1_000;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else {
        next = System.nanoTime(); // no catching up after a slow op
      }
    }
  }

  /** Operations done so far. */
  long ops() {
    return ops.get();
  }

  /**
   * Stops the threads: {@code ops <n> failed <n> failed-since <n> [failures]}, counting as
   * failed-since the failures of operations that began at or after {@code sinceMillis}.
   */
  String stop(long sinceMillis) throws InterruptedException {
    stopping = true;
    for (Thread t : threads) {
      t.join();
    }
    long since = failedAt.stream().filter(at -> at[0] >= sinceMillis).count();
    return "ops " + ops + " failed " + failedAt.size() + " failed-since " + since
        + (failures.isEmpty() ? "" : " " + failures);
  }

  /** Reads back every key written: {@code checked <n> lost <n> [examples]}. */
  String check() {
    int checked = 0;
    int lost = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<Integer, Written> e : written.entrySet()) {
      Written w = e.getValue();
      String read = cache.get(key(member, e.getKey()));
      checked++;
      boolean ok;
      synchronized (w) {
        ok = Objects.equals(read, w.acked) || (read != null && w.unacked.contains(read));
      }
      if (!ok) {
        lost++;
        if (examples.size() < 5) {
          examples.add(key(member, e.getKey()) + " acked " + w.acked + " read " + read);
        }
      }
    }
    return "checked " + checked + " lost " + lost + (examples.isEmpty() ? "" : " " + examples);
  }
}
