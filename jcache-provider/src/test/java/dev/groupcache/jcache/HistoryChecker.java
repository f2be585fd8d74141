package dev.groupcache.jcache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Finds the stale reads in the merged ops of a chaos run: a pure function of the ops, the keys'
 * owners and what happened to the members.
 *
 * <p>A read is stale if it returned a value older than a write acknowledged before the read began:
 * some write W2 of the key was applied and ended before the read started, and the write W1 whose
 * value the read returned ended before W2 started, so that every order of the owner's writes puts
 * W2 after W1. Every write writes a value of its own, so a value names its write. A write that
 * failed or never ended may have applied: its value may be read (it never ended, as far as this
 * checker knows), but it makes no read stale. Times come from {@link CommonClock}: "before" means
 * by more than {@link CommonClock#SKEW_MICROS}, so that two JVMs' readings never make a
 * concurrent read and write look ordered.
 *
 * <p>A read of no value is stale likewise, its W1 being the latest-ending remove that could have
 * made the entry absent (or the key's beginning, absent). Two things also make an entry absent
 * without a remove:
 * <ul>
 *   <li>A member that dies loses its entries: its death is a W1 of absence for its keys, and writes
 *       that began before it no longer make a later read stale (the entry they made is gone).
 *   <li>While a member cannot be reached, a read of its key is a miss (it returns no value rather
 *       than fail): a read of no value that overlaps such a window is counted as a miss, not judged.
 *       So is one by that member itself: a member that was paused or cut off could reach no owner
 *       either, and may find them unavailable for as long.
 * </ul>
 * A read of a value no write of that key wrote, or that a write began only after the read ended, is
 * reported too, as stale beyond doubt.
 */
final class HistoryChecker {
  /**
   * What happened to the members during the run.
   *
   * @param deaths when each member that died lost its entries (one death per member)
   * @param unreachable per member, the windows {@code [from, to]} in which it and the others may
   *     have found each other unavailable
   */
  record Faults(Map<Integer, Long> deaths, Map<Integer, List<long[]>> unreachable) {
    static final Faults NONE = new Faults(Map.of(), Map.of());

    boolean unreachable(int member, long from, long to) {
      for (long[] w : unreachable.getOrDefault(member, List.of())) {
        if (from <= w[1] && to >= w[0]) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A stale read: {@code read} returned what {@code seen} wrote (null: absence, or a value no write
   * wrote), though {@code newer} had been acknowledged before it began.
   */
  record Stale(ChaosOp read, ChaosOp seen, ChaosOp newer, String why) {
    String describe(long origin) {
      return why + ": " + read.describe(origin) + (seen == null ? "" : "; saw " + seen.describe(origin))
          + (newer == null ? "" : "; acknowledged before it began: " + newer.describe(origin));
    }
  }

  /** The outcome: the stale reads, and how many reads of no value were misses of an unreachable owner. */
  record Result(List<Stale> stale, int misses) {}

  private HistoryChecker() {}

  /** Checks every value-returning read in {@code ops}; {@code owner} maps a key to its owner's index. */
  static Result check(List<ChaosOp> ops, ToIntFunction<String> owner, Faults faults) {
    Map<String, List<ChaosOp>> writesByKey = new HashMap<>();
    Map<String, ChaosOp> byValue = new HashMap<>();
    for (ChaosOp op : ops) {
      if (!op.type().isRead()) {
        writesByKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        if (op.wrote() != null) {
          byValue.put(op.wrote(), op);
        }
      }
    }
    List<Stale> stale = new ArrayList<>();
    int misses = 0;
    long skew = CommonClock.SKEW_MICROS;
    for (ChaosOp read : ops) {
      if (!read.readsValue()) {
        continue;
      }
      List<ChaosOp> writes = writesByKey.getOrDefault(read.key(), List.of());
      int keyOwner = owner.applyAsInt(read.key());
      Long died = faults.deaths().get(keyOwner);
      long epoch = died != null && died <= read.start() ? died : Long.MIN_VALUE;
      ChaosOp newer = null; // the acknowledged write that began last among those that ended before the read
      for (ChaosOp w : writes) {
        if (w.applied() && w.end() + skew < read.start() && w.start() > epoch
            && (newer == null || w.start() > newer.start())) {
          newer = w;
        }
      }
      if (read.result() != null) {
        ChaosOp seen = byValue.get(read.result());
        if (seen == null || !seen.key().equals(read.key()) || !(seen.applied() || seen.mayHaveApplied())) {
          stale.add(new Stale(read, seen, null, "a value no write of the key wrote"));
        } else if (seen.start() > read.end() + skew) {
          stale.add(new Stale(read, seen, null, "a value written only after the read ended"));
        } else if (newer != null && ends(seen) < newer.start() - skew) {
          stale.add(new Stale(read, seen, newer, "a value overwritten before the read began"));
        }
        continue;
      }
      if (faults.unreachable(keyOwner, read.start(), read.end())
          || faults.unreachable(read.member(), read.start(), read.end())) {
        misses++;
        continue;
      }
      if (newer == null) {
        continue;
      }
      long absentSince = died != null && died < read.end() ? died : Long.MIN_VALUE;
      ChaosOp remove = null;
      for (ChaosOp w : writes) {
        if (w.type() == ChaosOp.Type.REMOVE && (w.applied() || w.mayHaveApplied()) && w.start() < read.end() + skew
            && ends(w) > absentSince) {
          absentSince = ends(w);
          remove = w;
        }
      }
      if (absentSince < newer.start() - skew) {
        stale.add(new Stale(read, remove, newer, "no value, though removed (or never written) before"));
      }
    }
    return new Result(stale, misses);
  }

  /** When a write ended, as far as a read may rely on: never, for one that was not acknowledged. */
  private static long ends(ChaosOp write) {
    return write.applied() ? write.end() : ChaosOp.NEVER;
  }
}
