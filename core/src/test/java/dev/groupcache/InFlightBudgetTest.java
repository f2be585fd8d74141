package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A peer's budget of requests in flight: never exceeded, given back exactly, and forgotten at zero. */
class InFlightBudgetTest {
  @Test
  void refusesBeyondTheBudgetUntilRoomIsGivenBack() {
    InFlightBudget budget = new InFlightBudget(2);
    assertTrue(budget.tryAcquire("a"));
    assertTrue(budget.tryAcquire("a"));
    assertFalse(budget.tryAcquire("a"));
    assertTrue(budget.tryAcquire("b"), "each peer has its own");
    budget.release("a");
    assertTrue(budget.tryAcquire("a"));
    assertEquals(2, budget.inFlight("a"));
    budget.release("a");
    budget.release("a");
    budget.release("b");
    assertEquals(0, budget.peers(), "a peer with nothing in flight is forgotten");
  }

  @Test
  void concurrentTakersNeverHoldMoreThanTheBudgetAndLeaveNothingBehind() throws Exception {
    int perPeer = 3;
    InFlightBudget budget = new InFlightBudget(perPeer);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(threads.submit(() -> {
          for (int i = 0; i < 50_000; i++) {
            if (budget.tryAcquire("peer")) {
              most.accumulateAndGet(holding.incrementAndGet(), Math::max);
              holding.decrementAndGet();
              budget.release("peer");
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertTrue(most.get() <= perPeer, "held at once: " + most.get());
    assertEquals(0, budget.inFlight("peer"));
    assertEquals(0, budget.peers());
  }
}
