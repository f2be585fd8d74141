package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Singleflight on one node: one load per key at a time, and no caller can break it for others. */
class GroupLoadTest {
  private final Node node = Node.builder().self("127.0.0.1:1").serve(false).build();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final AtomicInteger calls = new AtomicInteger();

  @AfterEach
  void close() {
    callers.shutdownNow();
    node.close();
  }

  @Test
  void concurrentGetsOfOneKeyRunOneLoad() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Group g = node.newGroup("g", 1 << 20, key -> {
      calls.incrementAndGet();
      release.await(10, TimeUnit.SECONDS);
      return ByteView.of("v:" + key.toStringUtf8());
    });
    List<Future<ByteView>> gets = getAll(g, "k", 50);
    awaitWaiting(g, 50);
    release.countDown();
    for (Future<ByteView> f : gets) {
      assertEquals("v:k", f.get(10, TimeUnit.SECONDS).toStringUtf8());
    }
    assertEquals(1, calls.get());
    GroupStats s = g.stats();
    assertEquals(50, s.loads());
    assertEquals(49, s.loadsDeduplicated());
    assertEquals(1, s.localLoads());
    assertEquals("v:k", g.get(ByteView.of("k")).toStringUtf8());
    assertEquals(1, g.stats().mainHits());
  }

  @Test
  void aThrowingLoaderReleasesEveryWaiterWithItsErrorAndTheKeyLoadsAgain() throws Exception {
    List<Throwable> failures = List.of(new IOException("backend down"),
        new IllegalStateException("bad state"), new AssertionError("assertion in loader"),
        new StackOverflowError("deep"), new OutOfMemoryError("no heap for you"));
    for (Throwable failure : failures) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicReference<Throwable> toThrow = new AtomicReference<>(failure);
      Group g = node.newGroup("g-" + failure.getClass().getSimpleName(), 1 << 20, key -> {
        calls.incrementAndGet();
        release.await(10, TimeUnit.SECONDS);
        Throwable t = toThrow.get();
        if (t instanceof Exception) {
          throw (Exception) t;
        } else if (t != null) {
          throw (Error) t;
        }
        return ByteView.of("ok");
      });
      List<Future<ByteView>> gets = getAll(g, "k", 20);
      awaitWaiting(g, 20);
      release.countDown();
      for (Future<ByteView> f : gets) {
        Throwable e = assertThrows(Exception.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
        assertTrue(e instanceof LoadException, String.valueOf(e));
        assertTrue(e.getMessage().contains(failure.getMessage()), e.getMessage());
        assertEquals(failure, e.getCause());
      }
      toThrow.set(null);
      assertEquals("ok", g.get(ByteView.of("k"), Duration.ofSeconds(10)).toStringUtf8(), "key wedged");
      assertEquals(1, g.stats().localLoadErrors());
    }
  }

  @Test
  void nullAndOversizedValuesAreLoadErrors() {
    Node small = Node.builder().self("127.0.0.1:1").serve(false).maxValueBytes(10).build();
    try {
      Group g = small.newGroup("g", 1 << 20, key -> key.toStringUtf8().equals("null") ? null : ByteView.of("0123456789A"));
      LoadException nul = assertThrows(LoadException.class, () -> g.get(ByteView.of("null")));
      assertTrue(nul.getMessage().contains("returned null"), nul.getMessage());
      LoadException big = assertThrows(LoadException.class, () -> g.get(ByteView.of("big")));
      assertTrue(big.getMessage().contains("value of 11 bytes exceeds the limit of 10"), big.getMessage());
      assertEquals(2, g.stats().localLoadErrors());
    } finally {
      small.close();
    }
  }

  @Test
  void badKeysAreRefusedBeforeAnyWork() {
    Node small = Node.builder().self("127.0.0.1:1").serve(false).maxKeyBytes(4).build();
    try {
      Group g = small.newGroup("g", 1 << 20, key -> ByteView.of("v"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> g.get(ByteView.of("12345")))
          .getMessage().contains("key of 5 bytes: keys must have 1-4 bytes"));
      assertThrows(IllegalArgumentException.class, () -> g.get(ByteView.empty()));
      assertEquals(0, g.stats().localLoads());
    } finally {
      small.close();
    }
  }

  @Test
  void aCallerThatTimesOutOrIsInterruptedDoesNotFailTheOthers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean loaderInterrupted = new AtomicBoolean();
    Group g = node.newGroup("g", 1 << 20, key -> {
      calls.incrementAndGet();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        loaderInterrupted.set(true);
        throw e;
      }
      return ByteView.of("v");
    });
    // The first caller starts the load, then gives up after 100 ms.
    GetTimeoutException timeout = assertThrows(GetTimeoutException.class,
        () -> g.get(ByteView.of("k"), Duration.ofMillis(100)));
    assertTrue(timeout.getMessage().contains("the load goes on"), timeout.getMessage());
    // A second caller is interrupted while waiting.
    AtomicReference<Throwable> interruptedOutcome = new AtomicReference<>();
    AtomicBoolean flagKept = new AtomicBoolean();
    Thread interrupted = new Thread(() -> {
      try {
        g.get(ByteView.of("k"));
      } catch (Throwable t) {
        interruptedOutcome.set(t);
        flagKept.set(Thread.currentThread().isInterrupted());
      }
    });
    interrupted.start();
    List<Future<ByteView>> patient = getAll(g, "k", 10);
    awaitWaiting(g, 12);
    interrupted.interrupt();
    interrupted.join(5_000);
    assertTrue(interruptedOutcome.get() instanceof GroupcacheException, String.valueOf(interruptedOutcome.get()));
    assertTrue(flagKept.get(), "the interrupt flag is restored");
    release.countDown();
    for (Future<ByteView> f : patient) {
      assertEquals("v", f.get(10, TimeUnit.SECONDS).toStringUtf8());
    }
    assertEquals(1, calls.get());
    assertFalse(loaderInterrupted.get(), "a caller's interrupt reached the loader");
  }

  @Test
  void aCallerInterruptedWhileRunningTheLoaderFailsAloneAndTheOthersGetAFreshLoad() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> firstLoaderThread = new AtomicReference<>();
    Group g = node.newGroup("g", 1 << 20, key -> {
      if (calls.incrementAndGet() == 1) {
        firstLoaderThread.set(Thread.currentThread());
      }
      release.await(10, TimeUnit.SECONDS);
      return ByteView.of("v");
    });
    AtomicReference<Throwable> leaderOutcome = new AtomicReference<>();
    Thread leader = new Thread(() -> {
      try {
        g.get(ByteView.of("k")); // no deadline: runs the loader on this thread
      } catch (Throwable t) {
        leaderOutcome.set(t);
      }
    });
    leader.start();
    awaitWaiting(g, 1);
    List<Future<ByteView>> others = getAll(g, "k", 10);
    awaitWaiting(g, 11);
    assertEquals(leader, firstLoaderThread.get(), "the leader ran the loader itself");
    leader.interrupt();
    leader.join(5_000);
    assertTrue(leaderOutcome.get() instanceof GroupcacheException, String.valueOf(leaderOutcome.get()));
    release.countDown();
    for (Future<ByteView> f : others) {
      assertEquals("v", f.get(10, TimeUnit.SECONDS).toStringUtf8());
    }
    assertEquals(2, calls.get(), "the interrupted load ran again for the others");
  }

  @Test
  void aHungLoaderIsAbandonedAfterTheLoadTimeout() throws Exception {
    CountDownLatch hang = new CountDownLatch(1);
    Group g = node.newGroup(GroupConfig.builder("g").loadTimeout(Duration.ofMillis(200)).build(), key -> {
      if (calls.incrementAndGet() == 1) {
        hang.await(10, TimeUnit.SECONDS); // the first load hangs
      }
      return ByteView.of("v");
    });
    // The first caller sets a deadline, so the load runs on the executor and every caller is released.
    List<Future<ByteView>> gets = new ArrayList<>();
    gets.add(callers.submit(() -> g.get(ByteView.of("k"), Duration.ofSeconds(10))));
    awaitWaiting(g, 1);
    gets.addAll(getAll(g, "k", 4));
    for (Future<ByteView> f : gets) {
      Throwable e = assertThrows(Exception.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
      assertTrue(e.getMessage().contains("timed out after PT0.2S"), e.getMessage());
    }
    // The key is not wedged: the next get starts a new load while the first still hangs.
    assertEquals("v", g.get(ByteView.of("k"), Duration.ofSeconds(5)).toStringUtf8());
    assertEquals(2, calls.get());
    hang.countDown();
  }

  @Test
  void aCallerRunningAHungLoaderWaitsForItButOthersAreReleased() throws Exception {
    CountDownLatch hang = new CountDownLatch(1);
    Group g = node.newGroup(GroupConfig.builder("g").loadTimeout(Duration.ofMillis(200)).build(), key -> {
      calls.incrementAndGet();
      hang.await(10, TimeUnit.SECONDS);
      return ByteView.of("v");
    });
    Future<ByteView> leader = callers.submit(() -> g.get(ByteView.of("k"))); // runs the loader itself
    awaitWaiting(g, 1);
    List<Future<ByteView>> others = getAll(g, "k", 4);
    for (Future<ByteView> f : others) {
      Throwable e = assertThrows(Exception.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
      assertTrue(e.getMessage().contains("timed out after PT0.2S"), e.getMessage());
    }
    assertFalse(leader.isDone(), "the leader waits for its own loader, like a loading cache");
    hang.countDown();
    assertEquals("v", leader.get(10, TimeUnit.SECONDS).toStringUtf8());
    assertEquals(1, calls.get());
  }

  private List<Future<ByteView>> getAll(Group g, String key, int n) {
    List<Future<ByteView>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(callers.submit(() -> g.get(ByteView.of(key))));
    }
    return futures;
  }

  /** Waits until {@code n} callers have missed the caches (and so joined or started the load). */
  private static void awaitWaiting(Group g, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (g.stats().loads() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(n, g.stats().loads(), "callers waiting");
  }
}
