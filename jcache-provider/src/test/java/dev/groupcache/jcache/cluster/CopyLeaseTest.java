package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.PeerAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A holder's copy lease: counted from the request, terms that end when it runs out or the owner restarts. */
class CopyLeaseTest {
  private static final long LEASE = TimeUnit.SECONDS.toNanos(2);
  private static final long RUN = 7;

  private final FakeTicker ticker = new FakeTicker(-5_000_000_000L);
  private final CopyLease lease = new CopyLease(PeerAddress.parse("127.0.0.1:2"), ticker.read());
  private final AtomicInteger expiries = new AtomicInteger();

  /** An answer arriving now to a request sent {@code sentMillisAgo} ago. */
  private long renew(long sentMillisAgo, long grant, long incarnation) {
    long now = ticker.read();
    return lease.renew(now - TimeUnit.MILLISECONDS.toNanos(sentMillisAgo), grant, incarnation, now,
        expiries::incrementAndGet);
  }

  @Test
  void aLeaseIsCountedFromWhenItsRequestWasSent() {
    long term = renew(300, LEASE, RUN);
    assertTrue(term >= 0);

    ticker.advanceMillis(2_000 - 300 - 1);
    assertTrue(lease.covers(term, ticker.read()));
    ticker.advanceMillis(1);
    assertFalse(lease.covers(term, ticker.read()), "2 s from the request, not from the answer");
  }

  @Test
  void aRenewalWhileItRunsKeepsTheTermAndItsCopies() {
    long term = renew(0, LEASE, RUN);
    ticker.advanceMillis(1_500);

    assertEquals(term, renew(0, LEASE, RUN));
    ticker.advanceMillis(1_500);
    assertTrue(lease.covers(term, ticker.read()), "renewed before it ran out: the copies live on");
    assertEquals(0, expiries.get());
  }

  @Test
  void aLeaseThatRanOutEndsItsTermForGoodEvenIfRenewed() {
    long term = renew(0, LEASE, RUN);
    lease.kept(term, ticker.read());
    ticker.advanceMillis(2_000); // paused, say: a drop may have been missed meanwhile

    long next = renew(0, LEASE, RUN);
    assertNotEquals(term, next);
    assertFalse(lease.covers(term, ticker.read()), "a copy of the ended term is dead");
    assertTrue(lease.covers(next, ticker.read()));
    assertEquals(1, expiries.get(), "counted: copies were kept in the term that ran out");
  }

  @Test
  void aLeaseThatRanOutIsCountedOnceEvenIfTheOwnerWithholdsTheNext() {
    lease.kept(renew(0, LEASE, RUN), ticker.read());
    ticker.advanceMillis(2_000);

    assertEquals(-1, renew(0, 0, RUN));
    assertEquals(1, expiries.get());
    renew(0, LEASE, RUN);
    assertEquals(1, expiries.get(), "one run-out, counted once");
  }

  @Test
  void aLeaseThatRanOutWithNoCopiesIsNotCountedAsAnExpiry() {
    renew(0, LEASE, RUN);
    ticker.advanceMillis(5_000);
    renew(0, LEASE, RUN);
    assertEquals(0, expiries.get());
  }

  @Test
  void anotherRunOfTheOwnerEndsTheTermAtOnce() {
    long term = renew(0, LEASE, RUN);

    long next = renew(0, LEASE, RUN + 1);
    assertNotEquals(term, next);
    assertFalse(lease.covers(term, ticker.read()), "a restarted owner knows nothing of the old copies");
  }

  @Test
  void aWithheldGrantKeepsNothingAndExtendsNothing() {
    long term = renew(0, LEASE, RUN);
    ticker.advanceMillis(1_000);

    assertEquals(-1, renew(0, 0, RUN));
    ticker.advanceMillis(1_000);
    assertFalse(lease.covers(term, ticker.read()), "the lease ran out on time");
  }

  @Test
  void anAnswerThatArrivesAfterItsOwnGrantRanOutKeepsNothing() {
    renew(0, LEASE, RUN);
    ticker.advanceMillis(10_000);
    assertEquals(-1, renew(3_000, LEASE, RUN), "sent 3 s ago with a 2 s grant: over before it arrived");
  }

  @Test
  void aLeaseIsInUseForAWindowAfterACopyWasKept() {
    assertFalse(lease.inUse(ticker.read(), LEASE));
    lease.kept(renew(0, LEASE, RUN), ticker.read());
    ticker.advanceMillis(1_999);
    assertTrue(lease.inUse(ticker.read(), LEASE));
    ticker.advanceMillis(1);
    assertFalse(lease.inUse(ticker.read(), LEASE));
  }
}
