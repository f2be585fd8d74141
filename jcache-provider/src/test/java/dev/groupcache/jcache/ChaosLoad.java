package dev.groupcache.jcache;

import dev.groupcache.jcache.ChaosOp.Type;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.cache.Cache;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;

/**
 * One member's share of a chaos run: threads doing a mix of JCache reads and writes on the keys
 * {@code k0..k(keys-1)} (or another prefix) at a bounded rate, every op logged as {@link ChaosOp} lines as it begins
 * and as it ends.
 *
 * <p>Logging the beginning, flushed before the op is sent, means a member killed mid-run leaves
 * every write it began on record: another member may read what such a write put, and the checker
 * must know whose value that is. Each thread runs one op per {@code interval}, never catching up
 * on ops a slow op made it miss, so a stalled cluster is not hit by a burst when it recovers; it
 * stops after {@code maxMillis} or when {@link #stop()} asks, whichever comes first.
 *
 * <p>First each member puts the keys {@code k<i>} with {@code i % members == member} once, so that
 * every key holds a value early and gets (which keep near copies only of values) fetch copies.
 * A member gets (and getAlls) only keys {@code k<i>} with {@code i % members != member}: the
 * keys with {@code i % members == member} are never read there, so it holds no near copy of them,
 * which gives a test of a paused member keys it certainly holds no copy of.
 */
final class ChaosLoad {
  /** Sets the entry to its argument; returns the value it replaced. */
  public static final class SetReturningOld implements EntryProcessor<String, String, String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String process(MutableEntry<String, String> entry, Object... arguments) {
      String old = entry.exists() ? entry.getValue() : null;
      entry.setValue((String) arguments[0]);
      return old;
    }
  }

  private static final EntryProcessor<String, String, String> SET = new SetReturningOld();

  private final Cache<String, String> cache;
  private final String valuePrefix;
  private final int member;
  private final int members;
  private final int keys;
  private final String prefix;
  private final BufferedWriter log;
  private final AtomicLong seq = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final CountDownLatch filled;

  private ChaosLoad(Cache<String, String> cache, BufferedWriter log, int member, int incarnation, int members,
      String prefix, int keys, int threads) {
    this.cache = cache;
    this.log = log;
    this.member = member;
    this.members = members;
    this.keys = keys;
    this.prefix = prefix;
    this.filled = new CountDownLatch(threads);
    this.valuePrefix = "n" + member + (incarnation > 0 ? "r" + incarnation : "") + ".";
  }

  /**
   * Starts {@code threads} threads, each doing an op every {@code intervalMillis} for at most
   * {@code maxMillis}, on keys {@code prefix + i}, logging to {@code file}.
   */
  static ChaosLoad start(Cache<String, String> cache, Path file, int member, int incarnation, int members,
      String prefix, int keys, int threads, long intervalMillis, long maxMillis) {
    BufferedWriter log;
    try {
      log = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChaosLoad load = new ChaosLoad(cache, log, member, incarnation, members, prefix, keys, threads);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    long interval = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    long maxOps = maxMillis / intervalMillis + 1; // with the deadline, a second bound that needs no clock
    for (int t = 0; t < threads; t++) {
      SplittableRandom random = new SplittableRandom(member * 1_000L + incarnation * 100L + t);
      int first = t;
      Thread thread = new Thread(() -> {
        for (int i = member + first * members; i < keys && !load.stopping.get(); i += threads * members) {
          String key = prefix + i;
          long s = load.seq.incrementAndGet();
          load.record(s, Type.PUT, key, load.valuePrefix + s, () -> {
            cache.put(key, load.valuePrefix + s);
            return null;
          });
        }
        load.filled.countDown();
        load.run(random, deadline, interval, maxOps);
      }, "chaos-" + t);
      thread.setDaemon(true);
      load.threads.add(thread);
    }
    load.threads.forEach(Thread::start);
    return load;
  }

  /** Waits until every thread has put its share of this member's keys, at most {@code millis}; whether they have. */
  boolean awaitFilled(long millis) throws InterruptedException {
    return filled.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Asks the threads to stop, waits for them (bounded), closes the log; answers {@code "<ops> <threads still running>"}. */
  String stop() throws InterruptedException {
    stopping.set(true);
    int running = 0;
    for (Thread t : threads) {
      t.join(30_000);
      running += t.isAlive() ? 1 : 0;
    }
    synchronized (log) {
      try {
        log.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return seq.get() + " " + running;
  }

  private void run(SplittableRandom random, long deadline, long interval, long maxOps) {
    long next = System.nanoTime();
    for (long i = 0; i < maxOps && !stopping.get() && System.nanoTime() - deadline < 0; i++) {
      step(random);
      next += interval;
      long now = System.nanoTime();
      if (next - now < 0) {
        next = now; // behind: go on at the rate from now, do not catch up
      } else {
        LockSupport.parkNanos(next - now);
      }
    }
  }

  /** One op: 45% get, 5% getAll, 5% containsKey, 1% iteration, 20% put, 8% replace, 6% remove, 10% invoke. */
  private void step(SplittableRandom random) {
    int dice = random.nextInt(100);
    if (dice < 45) {
      String key = readKey(random);
      record(Type.GET, key, null, () -> cache.get(key));
    } else if (dice < 50) {
      Set<String> some = new LinkedHashSet<>();
      while (some.size() < 3) {
        some.add(readKey(random));
      }
      record(Type.GET_ALL, String.join(",", some), null, () -> {
        Map<String, String> got = cache.getAll(some);
        List<String> values = new ArrayList<>();
        some.forEach(k -> values.add(got.containsKey(k) ? got.get(k) : ChaosOp.NULL));
        return String.join(",", values);
      });
    } else if (dice < 55) {
      String key = readKey(random);
      record(Type.CONTAINS, key, null, () -> String.valueOf(cache.containsKey(key)));
    } else if (dice < 56) {
      record(Type.ITERATE, "*", null, () -> {
        int n = 0;
        for (Cache.Entry<String, String> e : cache) {
          n++;
        }
        return String.valueOf(n);
      });
    } else {
      String key = prefix + random.nextInt(keys);
      long s = seq.incrementAndGet();
      String value = valuePrefix + s;
      if (dice < 76) {
        record(s, Type.PUT, key, value, () -> {
          cache.put(key, value);
          return null;
        });
      } else if (dice < 84) {
        record(s, Type.REPLACE, key, value, () -> String.valueOf(cache.replace(key, value)));
      } else if (dice < 90) {
        record(s, Type.REMOVE, key, null, () -> String.valueOf(cache.remove(key)));
      } else {
        record(s, Type.INVOKE, key, value, () -> cache.invoke(key, SET, value));
      }
    }
  }

  /** A key this member reads: one whose number is not {@code member} modulo {@code members}. */
  private String readKey(SplittableRandom random) {
    while (true) {
      int i = random.nextInt(keys);
      if (members == 1 || i % members != member) {
        return prefix + i;
      }
    }
  }

  private interface Call {
    String run();
  }

  private void record(Type type, String key, String wrote, Call call) {
    record(seq.incrementAndGet(), type, key, wrote, call);
  }

  private void record(long s, Type type, String key, String wrote, Call call) {
    log(ChaosOp.beginLine(s, type, key, wrote, CommonClock.micros()));
    String result;
    String error = null;
    try {
      result = call.run();
    } catch (RuntimeException e) {
      result = null;
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    log(ChaosOp.endLine(s, result, CommonClock.micros(), error));
  }

  private void log(String line) {
    synchronized (log) {
      try {
        log.write(line);
        log.newLine();
        log.flush(); // on disk, or at least in the kernel, before the op goes out: a kill loses nothing
      } catch (IOException e) {
        // closed by stop() while a thread that outlived its join still ran: that op goes unrecorded
      }
    }
  }
}
