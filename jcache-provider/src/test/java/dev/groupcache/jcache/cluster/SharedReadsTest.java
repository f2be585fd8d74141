package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Gets that share a read take only the answer of a read sent after they began, one read for all of
 * them; lease grants and failures reach each as they should.
 */
class SharedReadsTest {
  private static final ByteView KEY = ByteView.of("k");
  private static final Object SHAPE = new Object();
  private static final int SHARERS = 8;

  private final SharedReads reads = new SharedReads(10_000);
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private static OwnerResponse value(String v) {
    return OwnerResponse.newBuilder().setPresent(true).setValue(ByteString.copyFromUtf8(v)).build();
  }

  /** A read that waits for {@code release} before answering {@code answer}, counting its sends. */
  private static Supplier<OwnerResponse> blocked(CountDownLatch sent, CountDownLatch release, Supplier<OwnerResponse> answer) {
    return () -> {
      sent.countDown();
      try {
        assertTrue(release.await(10, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      return answer.get();
    };
  }

  private Future<OwnerResponse> get(Supplier<OwnerResponse> read) {
    return threads.submit(() -> reads.read(KEY, SHAPE, read));
  }

  /** Starts a get whose read answers only once {@code release} opens; returns once it is out. */
  private Future<OwnerResponse> firstOut(CountDownLatch release, Supplier<OwnerResponse> answer)
      throws InterruptedException {
    CountDownLatch sent = new CountDownLatch(1);
    Future<OwnerResponse> first = get(blocked(sent, release, answer));
    assertTrue(sent.await(10, TimeUnit.SECONDS));
    return first;
  }

  /** Starts {@value #SHARERS} gets that would send {@code read}; returns once all wait to share one. */
  private List<Future<OwnerResponse>> sharers(Supplier<OwnerResponse> read) throws InterruptedException {
    List<Future<OwnerResponse>> later = new ArrayList<>();
    for (int i = 0; i < SHARERS; i++) {
      later.add(get(read));
    }
    awaitSharing(SHARERS);
    return later;
  }

  private void awaitSharing(int n) throws InterruptedException {
    for (int i = 0; i < 2_000 && reads.sharing(KEY) < n; i++) { // up to 10 s on a busy machine
      Thread.sleep(5);
    }
    assertEquals(n, reads.sharing(KEY));
  }

  @Test
  void getsMadeWhileAReadIsOutShareOneReadSentAfterItReturns() throws Exception {
    CountDownLatch firstRelease = new CountDownLatch(1);
    AtomicInteger sends = new AtomicInteger();
    Future<OwnerResponse> first = firstOut(firstRelease, () -> {
      sends.incrementAndGet();
      return value("old");
    });
    List<Future<OwnerResponse>> later = sharers(() -> {
      sends.incrementAndGet();
      return value("new");
    });
    assertEquals(0, sends.get(), "no read goes while the first is out");
    firstRelease.countDown();

    assertEquals("old", first.get(10, TimeUnit.SECONDS).getValue().toStringUtf8());
    for (Future<OwnerResponse> f : later) {
      assertEquals("new", f.get(10, TimeUnit.SECONDS).getValue().toStringUtf8(),
          "a get takes the answer of a read sent after it began, never the one that was out");
    }
    assertEquals(2, sends.get(), "one read for all the gets that waited");
    assertEquals(0, reads.inFlight());
  }

  @Test
  void aLoadLeaseIsTheSendersAloneTheOthersAskAgain() throws Exception {
    CountDownLatch firstRelease = new CountDownLatch(1);
    Future<OwnerResponse> first = firstOut(firstRelease, () -> value("old"));
    OwnerResponse lease = OwnerResponse.newBuilder().setLease(7).build();
    List<Future<OwnerResponse>> later = sharers(() -> lease);
    firstRelease.countDown();
    first.get(10, TimeUnit.SECONDS);

    int leases = 0;
    int retries = 0;
    for (Future<OwnerResponse> f : later) {
      OwnerResponse r = f.get(10, TimeUnit.SECONDS);
      leases += r.getLease() == 7 ? 1 : 0;
      retries += r.getRetry() ? 1 : 0;
    }
    assertEquals(1, leases);
    assertEquals(SHARERS - 1, retries);
  }

  @Test
  void theSendersFailureIsEachSharersWithItsMeaning() throws Exception {
    CountDownLatch firstRelease = new CountDownLatch(1);
    Future<OwnerResponse> first = firstOut(firstRelease, () -> {
      throw new OwnerUnavailableException("owner gone", null);
    });
    List<Future<OwnerResponse>> later = sharers(() -> {
      throw new OwnerUnavailableException("still gone", null);
    });
    firstRelease.countDown();

    ExecutionException e = assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
    assertInstanceOf(OwnerUnavailableException.class, e.getCause());
    for (Future<OwnerResponse> f : later) {
      ExecutionException shared = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertInstanceOf(OwnerUnavailableException.class, shared.getCause(), "read as a miss by the cache");
    }
    assertEquals(0, reads.inFlight());
  }

  @Test
  void aReadOfAnotherShapeIsNotShared() throws Exception {
    CountDownLatch firstRelease = new CountDownLatch(1);
    Future<OwnerResponse> first = firstOut(firstRelease, () -> value("old"));

    OwnerResponse own = value("own");
    assertSame(own, reads.read(KEY, new Object(), () -> own), "answered at once, by its own read");
    firstRelease.countDown();
    first.get(10, TimeUnit.SECONDS);
  }

  @Test
  void readsOneAfterAnotherEachSendTheirOwn() {
    AtomicInteger sends = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      reads.read(KEY, SHAPE, () -> value("v" + sends.incrementAndGet()));
    }
    assertEquals(3, sends.get());
    assertEquals(0, reads.inFlight());
  }

  @Test
  void aSenderInterruptedWhileWaitingSendsAtOnceAndNoGetThatBeganLaterTakesItsAnswer() throws Exception {
    CountDownLatch firstRelease = new CountDownLatch(1);
    Future<OwnerResponse> first = firstOut(firstRelease, () -> value("old"));
    CountDownLatch secondSent = new CountDownLatch(1);
    CountDownLatch secondRelease = new CountDownLatch(1);
    AtomicReference<OwnerResponse> secondAnswer = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread sender = new Thread(() -> {
      secondAnswer.set(reads.read(KEY, SHAPE, blocked(secondSent, secondRelease, () -> value("second"))));
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    sender.start();
    awaitSharing(1);

    sender.interrupt();
    assertTrue(secondSent.await(10, TimeUnit.SECONDS), "sent although the first read is still out");
    Future<OwnerResponse> later = get(() -> value("third"));
    awaitSharing(1); // waiting for the read after the second, not sharing it
    secondRelease.countDown();
    sender.join(10_000);
    assertEquals("second", secondAnswer.get().getValue().toStringUtf8());
    assertTrue(stillInterrupted.get(), "the interrupt is the caller's to see");
    assertEquals("third", later.get(10, TimeUnit.SECONDS).getValue().toStringUtf8());

    firstRelease.countDown();
    assertEquals("old", first.get(10, TimeUnit.SECONDS).getValue().toStringUtf8());
    assertEquals(0, reads.inFlight());
  }
}
