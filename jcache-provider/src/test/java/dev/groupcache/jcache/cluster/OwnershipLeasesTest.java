package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.PeerAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When an owner may answer for keys with backups: while every member has said, within a lease,
 * that it does not act for it; a member that acted holds its operations until it stops; a member
 * that does not answer is waived only once the failure detector suspects it.
 */
class OwnershipLeasesTest {
  private static final PeerAddress SELF = PeerAddress.parse("127.0.0.1:1");
  private static final PeerAddress B = PeerAddress.parse("127.0.0.1:2");
  private static final PeerAddress C = PeerAddress.parse("127.0.0.1:3");
  private static final Duration LEASE = Duration.ofSeconds(2);

  private final FakeTicker ticker = new FakeTicker(-5_000_000_000L);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final FakeMembers members = new FakeMembers();
  private final OwnershipLeases leases = new OwnershipLeases(members, ticker, timer, LEASE);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  /** Members whose answers a test sets: acting or not, or silent until the test fails the call. */
  private static final class FakeMembers implements OwnershipLeases.Members {
    final Map<PeerAddress, Boolean> acting = new ConcurrentHashMap<>();
    final Set<PeerAddress> suspected = ConcurrentHashMap.newKeySet();
    final Map<PeerAddress, CompletableFuture<Boolean>> silent = new ConcurrentHashMap<>();
    final Map<PeerAddress, Integer> asked = new ConcurrentHashMap<>();

    @Override
    public PeerAddress self() {
      return SELF;
    }

    @Override
    public Collection<PeerAddress> peers() {
      return List.of(SELF, B, C);
    }

    @Override
    public boolean isAvailable(PeerAddress member) {
      return !suspected.contains(member);
    }

    @Override
    public CompletableFuture<Boolean> acting(PeerAddress member, Duration timeout) {
      asked.merge(member, 1, Integer::sum);
      Boolean answer = acting.get(member);
      if (answer == null) {
        CompletableFuture<Boolean> pending = new CompletableFuture<>();
        silent.put(member, pending);
        return pending;
      }
      return CompletableFuture.completedFuture(answer);
    }
  }

  private void allAnswerNotActing() {
    members.acting.put(B, false);
    members.acting.put(C, false);
  }

  @Test
  void answersOnlyOnceEveryMemberSaidItDoesNotActAndUntilThatLapses() {
    assertFalse(leases.servable(), "a node that starts may have been acted for: it asks first");
    allAnswerNotActing();
    leases.renewAll();
    assertTrue(leases.servable());

    ticker.advanceMillis(LEASE.toMillis() - 1);
    assertTrue(leases.servable());
    ticker.advanceMillis(2);
    assertFalse(leases.servable(), "no renewal for a lease (this node was paused): it may have been acted for");

    CompletableFuture<Void> ready = leases.ready();
    assertTrue(ready.isDone(), "those that answer at once let it go on at once");
    assertTrue(leases.servable());
  }

  @Test
  void aMemberThatActedHoldsOperationsUntilItHasHandedBack() throws Exception {
    allAnswerNotActing();
    leases.renewAll();
    ticker.advanceMillis(5_000); // paused
    members.acting.put(B, true);

    CompletableFuture<Void> ready = leases.ready();
    assertFalse(ready.isDone(), "B acted meanwhile: its entries come back first");
    assertFalse(leases.servable());
    int askedBefore = members.asked.get(B);

    members.acting.put(B, false); // handed back: it says so when asked again
    ready.get(5, TimeUnit.SECONDS);
    assertTrue(members.asked.get(B) > askedBefore, "asked again while operations waited");
    assertTrue(leases.servable());
    assertEquals(1, leases.waits());
    assertEquals(0, leases.waitsCut());
  }

  @Test
  void aMemberThatDoesNotAnswerIsWaivedOnlyOnceTheDetectorSuspectsIt() {
    members.acting.put(B, false);
    leases.renewAll();
    assertFalse(leases.servable(), "C has not answered yet");

    members.silent.get(C).completeExceptionally(new RuntimeException("DEADLINE_EXCEEDED"));
    assertFalse(leases.servable(), "a renewal that timed out says nothing: C may be slow and acting");

    members.suspected.add(C); // dead, or paused or cut off for a failure timeout
    leases.renewAll();
    assertTrue(leases.servable(), "waiting for it would stall everything");

    members.suspected.remove(C);
    members.acting.put(C, false);
    leases.renewAll();
    assertTrue(leases.servable(), "C answered again: its lease counts again");
  }

  @Test
  void aRenewalThatFailedWhileThisNodeWasPausedWaivesNobody() {
    allAnswerNotActing();
    leases.renewAll();
    members.acting.remove(C);
    ticker.advanceMillis(LEASE.toMillis() / 4);
    leases.renewAll(); // C's renewal is on its way...

    ticker.advanceMillis(5_000); // ...when this node stops, and its deadline passes unread
    members.silent.get(C).completeExceptionally(new RuntimeException("DEADLINE_EXCEEDED"));

    assertFalse(leases.servable(), "C's silence was this node's own pause: C may have acted for it");
  }

  @Test
  void aRenewalSentBeforeAPauseWaivesNobodyEvenIfTheNextRoundIsReadFirst() {
    allAnswerNotActing();
    leases.renewAll();
    members.acting.remove(C);
    ticker.advanceMillis(LEASE.toMillis() / 4);
    leases.renewAll(); // C's renewal is on its way...
    ticker.advanceMillis(5_000); // ...when this node stops

    leases.renewAll(); // once it runs again, its late round comes before the old renewal's failure
    members.silent.get(C).completeExceptionally(new RuntimeException("DEADLINE_EXCEEDED"));

    assertFalse(leases.servable(), "a renewal sent before the pause says nothing of C: C may have acted");
  }

  @Test
  void aMemberTheDetectorSuspectsIsWaivedEvenIfItActed() {
    allAnswerNotActing();
    leases.renewAll();
    ticker.advanceMillis(5_000);
    members.acting.put(B, true);
    CompletableFuture<Void> ready = leases.ready();
    assertFalse(ready.isDone());

    members.suspected.add(B); // it died before handing back: its acted entries are its backups' now
    leases.renewAll();
    assertTrue(ready.isDone());
    assertTrue(leases.servable());
  }
}
