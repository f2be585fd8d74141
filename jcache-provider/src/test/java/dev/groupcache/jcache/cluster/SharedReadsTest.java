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
import java.util.concurrent.atomic.AtomicInteger;
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

  private void awaitSharing(int n) throws InterruptedException {
    for (int i = 0; i < 2_000 && reads.sharing(KEY) < n; i++) { // up to 10 s on a busy machine
      Thread.sleep(5);
    }
    assertEquals(n, reads.sharing(KEY));
  }

  @Test
  void getsMadeWhileAReadIsOutShareOneReadSentAfterItReturns() throws Exception {
    CountDownLatch firstSent = new CountDownLatch(1);
    CountDownLatch firstRelease = new CountDownLatch(1);
    AtomicInteger sends = new AtomicInteger();
    Future<OwnerResponse> first = get(blocked(firstSent, firstRelease, () -> {
      sends.incrementAndGet();
      return value("old");
    }));
    assertTrue(firstSent.await(10, TimeUnit.SECONDS));

    List<Future<OwnerResponse>> later = new ArrayList<>();
    for (int i = 0; i < SHARERS; i++) {
      later.add(get(() -> {
        sends.incrementAndGet();
        return value("new");
      }));
    }
    awaitSharing(SHARERS);
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
    CountDownLatch firstSent = new CountDownLatch(1);
    CountDownLatch firstRelease = new CountDownLatch(1);
    Future<OwnerResponse> first = get(blocked(firstSent, firstRelease, () -> value("old")));
    assertTrue(firstSent.await(10, TimeUnit.SECONDS));
    OwnerResponse lease = OwnerResponse.newBuilder().setLease(7).build();
    List<Future<OwnerResponse>> later = new ArrayList<>();
    for (int i = 0; i < SHARERS; i++) {
      later.add(get(() -> lease));
    }
    awaitSharing(SHARERS);
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
    CountDownLatch firstSent = new CountDownLatch(1);
    CountDownLatch firstRelease = new CountDownLatch(1);
    Future<OwnerResponse> first = get(blocked(firstSent, firstRelease, () -> {
      throw new OwnerUnavailableException("owner gone", null);
    }));
    assertTrue(firstSent.await(10, TimeUnit.SECONDS));
    List<Future<OwnerResponse>> later = new ArrayList<>();
    for (int i = 0; i < SHARERS; i++) {
      later.add(get(() -> {
        throw new OwnerUnavailableException("still gone", null);
      }));
    }
    awaitSharing(SHARERS);
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
    CountDownLatch firstSent = new CountDownLatch(1);
    CountDownLatch firstRelease = new CountDownLatch(1);
    Future<OwnerResponse> first = get(blocked(firstSent, firstRelease, () -> value("old")));
    assertTrue(firstSent.await(10, TimeUnit.SECONDS));

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
}
