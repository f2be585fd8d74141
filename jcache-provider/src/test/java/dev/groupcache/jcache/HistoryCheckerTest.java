package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.groupcache.jcache.ChaosOp.Type;
import dev.groupcache.jcache.HistoryChecker.Faults;
import dev.groupcache.jcache.HistoryChecker.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos run's checker on histories made by hand: what it must flag and what it must let be.
 * Times are in ms here, far apart next to the clocks' tolerance; key {@code a} is owned by member
 * 0, key {@code b} by member 1.
 */
class HistoryCheckerTest {
  private static final long MS = 1_000;

  @TempDir
  Path dir;

  private long seq;

  private ChaosOp op(int member, Type type, String key, String wrote, String result, long startMs, long endMs) {
    return new ChaosOp(member, 0, ++seq, type, key, wrote, result, startMs * MS,
        endMs == Long.MAX_VALUE ? ChaosOp.NEVER : endMs * MS, null);
  }

  private ChaosOp put(String key, String value, long startMs, long endMs) {
    return op(2, Type.PUT, key, value, null, startMs, endMs);
  }

  private ChaosOp get(String key, String value, long startMs, long endMs) {
    return op(2, Type.GET, key, null, value, startMs, endMs);
  }

  private ChaosOp failed(ChaosOp op) {
    return new ChaosOp(op.member(), op.incarnation(), op.seq(), op.type(), op.key(), op.wrote(), null, op.start(),
        op.end(), "CacheException: gone");
  }

  private static Result check(List<ChaosOp> ops) {
    return check(ops, Faults.NONE);
  }

  private static Result check(List<ChaosOp> ops, Faults faults) {
    return HistoryChecker.check(ops, key -> key.equals("a") ? 0 : 1, faults);
  }

  private static int stale(List<ChaosOp> ops) {
    return check(ops).stale().size();
  }

  @Test
  void aValueOverwrittenBeforeTheReadBeganIsStale() {
    assertEquals(1, stale(List.of(put("a", "v1", 0, 10), put("a", "v2", 20, 30), get("a", "v1", 40, 50))));
  }

  @Test
  void aReadConcurrentWithTheOverwriteIsNotStale() {
    assertEquals(0, stale(List.of(put("a", "v1", 0, 10), put("a", "v2", 20, 45), get("a", "v1", 40, 50))));
  }

  @Test
  void concurrentWritesMayBeSeenInEitherOrder() {
    assertEquals(0, stale(List.of(put("a", "v1", 0, 30), put("a", "v2", 10, 20),
        get("a", "v1", 40, 50), get("a", "v2", 60, 70))));
  }

  @Test
  void writesOfOtherKeysMakeNothingStale() {
    assertEquals(0, stale(List.of(put("a", "v1", 0, 10), put("b", "v2", 20, 30), get("a", "v1", 40, 50))));
  }

  @Test
  void aFailedOrUnfinishedWriteMayBeReadButMakesNothingStale() {
    assertEquals(0, stale(List.of(put("a", "v1", 0, 10), failed(put("a", "v2", 20, 30)),
        put("a", "v3", 25, Long.MAX_VALUE), get("a", "v2", 40, 50), get("a", "v3", 60, 70), get("a", "v1", 80, 90))));
  }

  @Test
  void aReplaceThatDidNotApplyMakesNothingStaleAndIsNeverRead() {
    ChaosOp replace = op(1, Type.REPLACE, "a", "v2", "false", 20, 30);
    assertEquals(0, stale(List.of(put("a", "v1", 0, 10), replace, get("a", "v1", 40, 50))));
    assertEquals(1, stale(List.of(put("a", "v1", 0, 10), replace, get("a", "v2", 40, 50))));
  }

  @Test
  void anInvokeWritesAndReads() {
    ChaosOp invoke = op(1, Type.INVOKE, "a", "v2", "v1", 20, 30);
    assertEquals(1, stale(List.of(put("a", "v1", 0, 10), invoke, get("a", "v1", 40, 50))));
    assertEquals(0, stale(List.of(put("a", "v1", 0, 10), invoke, get("a", "v2", 40, 50))));
    ChaosOp staleInvoke = op(1, Type.INVOKE, "a", "v3", "v1", 40, 50); // its entry was v2 already
    assertEquals(1, stale(List.of(put("a", "v1", 0, 10), put("a", "v2", 20, 30), staleInvoke)));
  }

  @Test
  void noValueAfterAnAcknowledgedWriteIsStaleUnlessRemovedSince() {
    assertEquals(1, stale(List.of(put("a", "v1", 0, 10), get("a", null, 20, 30))));
    ChaosOp remove = op(1, Type.REMOVE, "a", null, "true", 15, 18);
    assertEquals(0, stale(List.of(put("a", "v1", 0, 10), remove, get("a", null, 20, 30))));
    ChaosOp removedNothing = op(1, Type.REMOVE, "a", null, "false", 15, 18);
    assertEquals(1, stale(List.of(put("a", "v1", 0, 10), removedNothing, get("a", null, 20, 30))));
    assertEquals(0, stale(List.of(put("a", "v1", 0, 10), failed(remove), get("a", null, 20, 30))));
    assertEquals(1, stale(List.of(remove, put("a", "v1", 20, 30), get("a", null, 40, 50))));
  }

  @Test
  void aRemoveThatBeganAfterTheReadEndedExplainsNothing() {
    ChaosOp remove = op(1, Type.REMOVE, "a", null, "true", 60, 70);
    assertEquals(1, stale(List.of(put("a", "v1", 0, 10), get("a", null, 20, 30), remove)));
  }

  @Test
  void noValueWhileTheOwnerIsUnreachableIsAMiss() {
    Faults owner0Away = new Faults(Map.of(), Map.of(0, List.of(new long[] {15 * MS, 25 * MS})));
    Result r = check(List.of(put("a", "v1", 0, 10), get("a", null, 20, 30), get("a", null, 40, 50)), owner0Away);
    assertEquals(1, r.stale().size(), "the second read is past the window");
    assertEquals(1, r.misses());
    Result other = check(List.of(put("b", "v1", 0, 10), get("b", null, 20, 30)), owner0Away);
    assertEquals(1, other.stale().size(), "b's owner was reachable");
    Result byIt = check(List.of(put("b", "v1", 0, 10), op(0, Type.GET, "b", null, null, 20, 30)), owner0Away);
    assertEquals(0, byIt.stale().size(), "member 0 could reach no one then");
  }

  @Test
  void anOwnersDeathLosesItsEntriesButLaterWritesStillCount() {
    Faults owner0Died = new Faults(Map.of(0, 15 * MS), Map.of());
    assertEquals(0, check(List.of(put("a", "v1", 0, 10), get("a", null, 20, 30)), owner0Died).stale().size());
    // a value from before the death, read again after it: stale only once a later write was acknowledged
    assertEquals(0, check(List.of(put("a", "v1", 0, 10), put("a", "v2", 11, 12), get("a", "v1", 20, 30)),
        owner0Died).stale().size(), "v2 is gone with its owner");
    assertEquals(1, check(List.of(put("a", "v1", 0, 10), put("a", "v2", 40, 50), get("a", "v1", 60, 70)),
        owner0Died).stale().size());
    assertEquals(1, check(List.of(put("a", "v1", 0, 10), put("a", "v2", 40, 50), get("a", null, 60, 70)),
        owner0Died).stale().size());
    assertEquals(1, check(List.of(put("b", "v1", 0, 10), get("b", null, 20, 30)), owner0Died).stale().size());
  }

  @Test
  void aValueNoWriteWroteIsReported() {
    assertEquals(1, stale(List.of(get("a", "phantom", 0, 10))));
    assertEquals(1, stale(List.of(put("b", "v1", 0, 10), get("a", "v1", 20, 30))));
    assertEquals(1, stale(List.of(get("a", "v1", 0, 10), put("a", "v1", 20, 30))));
  }

  @Test
  void theLogRoundTripsAndAKilledMembersOpsStayUnfinished() throws Exception {
    Path log = dir.resolve("log");
    Files.write(log, List.of(
        ChaosOp.beginLine(1, Type.PUT, "a", "n0.1", 100),
        ChaosOp.beginLine(2, Type.GET_ALL, "a,b", null, 110),
        ChaosOp.endLine(2, "n0.1,~", 120, null),
        ChaosOp.endLine(1, null, 130, "CacheException: gone\tfor good"),
        ChaosOp.beginLine(3, Type.REMOVE, "b", null, 140),
        "E\t3\ttr")); // cut short by the kill
    assertEquals(List.of(
        new ChaosOp(0, 1, 1, Type.PUT, "a", "n0.1", null, 100, 130, "CacheException: gone for good"),
        new ChaosOp(0, 1, 2, Type.GET_ALL, "a", null, "n0.1", 110, 120, null),
        new ChaosOp(0, 1, 2, Type.GET_ALL, "b", null, null, 110, 120, null),
        new ChaosOp(0, 1, 3, Type.REMOVE, "b", null, null, 140, ChaosOp.NEVER, null)),
        ChaosOp.read(log, 0, 1));
  }
}
