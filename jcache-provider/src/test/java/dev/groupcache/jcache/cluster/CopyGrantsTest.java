package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.PeerAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An owner's copy leases: what it grants, and how long a change waits for a holder that does not confirm. */
class CopyGrantsTest {
  private static final long LEASE = TimeUnit.SECONDS.toNanos(2);
  private static final PeerAddress HOLDER = PeerAddress.parse("127.0.0.1:2");
  private static final PeerAddress OTHER = PeerAddress.parse("127.0.0.1:3");

  private final FakeTicker ticker = new FakeTicker(-1_000_000_000L);
  private final CopyGrants grants = new CopyGrants(Duration.ofNanos(LEASE), ticker, member -> true);
  private final long margin = grants.marginNanos();

  @Test
  void aHolderGetsTheWholeLeaseAndAChangeWaitsAtMostUntilItRunsOutThere() {
    long start = ticker.read();
    assertEquals(LEASE, grants.grant(HOLDER));

    assertEquals(LEASE / 50 + 5_000_000L, margin, "clock rates within 2%, and 5 ms");
    assertEquals(start + LEASE + margin, grants.sending(HOLDER), "the grant plus the margin for clock rates");
  }

  @Test
  void whileADropIsUnconfirmedRenewalsDoNotReachPastWhatTheChangeWaitsFor() {
    grants.grant(HOLDER);
    long bound = grants.sending(HOLDER);
    ticker.advanceMillis(500);

    long grant = grants.grant(HOLDER);
    assertTrue(grant > 0 && ticker.read() + grant + margin <= bound, "a renewal up to the bound, not past it");
    assertEquals(bound, grants.sending(HOLDER), "a second change waits for the same time");

    grants.confirmed(HOLDER);
    grants.confirmed(HOLDER);
    assertEquals(LEASE, grants.grant(HOLDER), "all confirmed: whole leases again");
  }

  @Test
  void aFailedDropWithholdsGrantsUntilTheHoldersLeaseHasRunOut() {
    grants.grant(HOLDER);
    long bound = grants.sending(HOLDER);
    grants.unconfirmed(HOLDER, bound);

    assertEquals(0, grants.grant(HOLDER));
    ticker.advanceMillis(TimeUnit.NANOSECONDS.toMillis(bound - ticker.read()) + 1);
    assertEquals(LEASE, grants.grant(HOLDER), "its old term has ended there: a new one may start");
    assertEquals(LEASE, grants.grant(OTHER), "other holders never noticed");
  }

  @Test
  void aHolderThatIsNoAvailableMemberGetsNoLease() {
    CopyGrants members = new CopyGrants(Duration.ofNanos(LEASE), ticker, HOLDER::equals);
    assertEquals(0, members.grant(OTHER));
    assertEquals(LEASE, members.grant(HOLDER));
  }

  @Test
  void aMembersAddressIsParsedOnceAndAStrangersIsNotKept() {
    CopyGrants members = new CopyGrants(Duration.ofNanos(LEASE), ticker, HOLDER::equals);
    assertSame(members.holder("127.0.0.1:2"), members.holder("127.0.0.1:2"));
    assertEquals(OTHER, members.holder("127.0.0.1:3"));
    assertNotSame(members.holder("127.0.0.1:3"), members.holder("127.0.0.1:3"), "no table grows with strangers");
  }

  @Test
  void aHolderWithNoLeaseCostsAChangeNoWait() {
    assertTrue(grants.sending(HOLDER) - ticker.read() <= 0);
  }

  @Test
  void pruningForgetsOnlyHoldersThatOweNothing() {
    grants.grant(HOLDER);
    grants.grant(OTHER);
    long bound = grants.sending(OTHER);
    ticker.advanceMillis(10_000);

    grants.prune();
    assertEquals(bound, grants.sending(OTHER), "unconfirmed: remembered");
    assertTrue(grants.sending(HOLDER) - ticker.read() <= 0, "a pruned holder is as new");
  }

  @Test
  void aNewRunWritesOnlyOnceAnEarlierRunsLeasesMustHaveRunOut() {
    assertEquals(ticker.read() + LEASE + margin, grants.writableAt());
    assertNotEquals(0, grants.incarnation());
    assertNotEquals(grants.incarnation(), new CopyGrants(Duration.ofNanos(LEASE), ticker, member -> true).incarnation());
  }
}
