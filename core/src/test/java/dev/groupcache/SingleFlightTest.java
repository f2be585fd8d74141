package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class SingleFlightTest {
  private final LongAdder joined = new LongAdder();
  private final SingleFlight<String> flights = new SingleFlight<>(joined, true);

  @Test
  void peersAreAnsweredBeforeThisNodesCallersWakeWhateverTheOrderTheyCameIn() {
    List<CompletableFuture<ByteView>> started = new CopyOnWriteArrayList<>();
    SingleFlight.Flight flight = flights.flight("k", (k, result) -> started.add(result));
    List<String> order = new CopyOnWriteArrayList<>();
    flight.whenComplete((v, e) -> order.add("peer 1"));
    flight.local.whenComplete((v, e) -> order.add("caller"));
    flights.flight("k", (k, result) -> started.add(result)).whenComplete((v, e) -> order.add("peer 2"));

    started.get(0).complete(ByteView.of("v"));

    assertEquals(1, started.size(), "one flight");
    assertEquals(1, joined.sum());
    assertEquals(List.of("peer 2", "peer 1", "caller"), order);
  }

  @Test
  void callersSeeTheFlightsOwnFailureUnwrapped() {
    IOException failure = new IOException("backend down");
    SingleFlight.Flight flight = flights.flight("k", (k, result) -> result.completeExceptionally(failure));
    Throwable[] seen = new Throwable[1];
    flight.local.whenComplete((v, e) -> seen[0] = e);
    assertSame(failure, seen[0]);
  }

  @Test
  void aCompletedFlightLeavesTheMapAndTheNextCallerStartsAnother() {
    flights.flight("k", (k, result) -> result.complete(ByteView.of("first")));
    SingleFlight.Flight second = flights.flight("k", (k, result) -> result.complete(ByteView.of("second")));
    assertEquals("second", second.local.join().toStringUtf8());
    assertEquals(0, joined.sum());
  }

  @Test
  void flightsThatNoPeerJoinsNeedNoSecondFuture() {
    SingleFlight.Flight flight = new SingleFlight<String>(joined, false).flight("k", (k, result) -> { });
    assertSame(flight, flight.local);
  }
}
