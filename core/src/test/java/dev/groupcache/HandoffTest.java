package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Where a new owner looks for a key before loading it, and when it stops looking; on a clock the test moves. */
class HandoffTest {
  private static final PeerAddress A = PeerAddress.parse("10.0.0.1:7600");
  private static final PeerAddress B = PeerAddress.parse("10.0.0.2:7600");
  private static final PeerAddress C = PeerAddress.parse("10.0.0.3:7600");
  private static final int VNODES = 64;

  private final AtomicLong now = new AtomicLong(42);
  private final Handoff handoff = new Handoff(C, VNODES, now::get);

  private static Ring ring(PeerAddress... members) {
    return Ring.of(List.of(members), VNODES);
  }

  private static ByteView key(int i) {
    return ByteView.of("key-" + i);
  }

  @Test
  void aJoiningMemberAsksEachKeysOwnerOnTheRingBeforeIt() {
    Ring before = ring(A, B);
    Ring after = ring(A, B, C);
    handoff.ringChanged(before, after);
    int moved = 0;
    for (int i = 0; i < 500; i++) {
      ByteView k = key(i);
      if (after.owner(k).equals(C)) {
        moved++;
        assertEquals(before.owner(k), handoff.previousOwner(k), "where " + k + " was before C joined");
      }
    }
    assertTrue(moved > 50, "C should own a share of 500 keys: " + moved);
  }

  @Test
  void aNodeStartingWithTheWholeRingAsksWhereTheKeyWasWithoutIt() {
    handoff.ringChanged(Ring.empty(), ring(A, B, C)); // its first ring: the others may have run for long
    Ring others = ring(A, B);
    for (int i = 0; i < 200; i++) {
      PeerAddress asked = handoff.previousOwner(key(i));
      assertNotNull(asked);
      assertNotEquals(C, asked);
      assertEquals(others.owner(key(i)), asked);
    }
  }

  @Test
  void aKeyThisNodeOwnedBeforeTheChangeIsAskedOfNobody() {
    Ring before = ring(A, C);
    handoff.ringChanged(before, ring(A, B, C)); // B joined: C keeps some keys and takes none
    int kept = 0;
    for (int i = 0; i < 300; i++) {
      if (before.owner(key(i)).equals(C)) {
        kept++;
        assertNull(handoff.previousOwner(key(i)), "C had " + key(i) + " itself");
      }
    }
    assertTrue(kept > 0);
  }

  @Test
  void aNodeAloneOrOutsideTheRingAsksNobody() {
    handoff.ringChanged(ring(A, C), ring(C));
    assertNull(handoff.previousOwner(key(1)));
    handoff.ringChanged(ring(C), ring(A, B));
    assertNull(handoff.previousOwner(key(1)));
  }

  @Test
  void peeksEndWhenTheWindowHasPassed() {
    handoff.ringChanged(ring(A, B), ring(A, B, C));
    ByteView moved = movedToC(ring(A, B, C));
    now.addAndGet(Handoff.WINDOW_NANOS);
    assertNotNull(handoff.previousOwner(moved));
    now.incrementAndGet();
    assertNull(handoff.previousOwner(moved));
  }

  @Test
  void peeksThatFindTooLittleStopUntilTheNextRingChange() {
    handoff.ringChanged(Ring.empty(), ring(A, B, C)); // a cold start: nobody has anything
    ByteView moved = movedToC(ring(A, B, C));
    for (int i = 0; i < Handoff.JUDGE_AFTER - 1; i++) {
      handoff.peeked(i < Handoff.MIN_HITS - 1);
    }
    assertNotNull(handoff.previousOwner(moved), "not judged before " + Handoff.JUDGE_AFTER + " peeks");
    handoff.peeked(false);
    assertNull(handoff.previousOwner(moved), Handoff.MIN_HITS - 1 + " hits in " + Handoff.JUDGE_AFTER + " peeks");

    handoff.ringChanged(ring(A, B, C), ring(A, C)); // B left: C takes some of its keys, asks again
    assertNotNull(handoff.previousOwner(movedFrom(B, ring(A, B, C), ring(A, C))));
  }

  @Test
  void peeksThatFindEnoughGoOn() {
    handoff.ringChanged(ring(A, B), ring(A, B, C));
    ByteView moved = movedToC(ring(A, B, C));
    for (int i = 0; i < 10 * Handoff.JUDGE_AFTER; i++) {
      handoff.peeked(i % 8 == 0); // one in eight: enough
    }
    assertNotNull(handoff.previousOwner(moved));
  }

  private static ByteView movedToC(Ring after) {
    for (int i = 0; ; i++) {
      if (after.owner(key(i)).equals(C)) {
        return key(i);
      }
    }
  }

  private static ByteView movedFrom(PeerAddress from, Ring before, Ring after) {
    for (int i = 0; ; i++) {
      if (before.owner(key(i)).equals(from) && after.owner(key(i)).equals(C)) {
        return key(i);
      }
    }
  }
}
