package dev.groupcache.example;

import static dev.groupcache.example.Jsons.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The expensive part: a quote service that takes {@code example.backend.latency} (50 ms) per
 * call, as a remote pricing API would. It counts its calls per symbol, so that the cluster can
 * show that each symbol was loaded once, and by whom.
 */
@ApplicationScoped
public class QuoteBackend {
  private final Duration latency;
  private final NodeStatus node;
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

  @Inject
  QuoteBackend(@ConfigProperty(name = "example.backend.latency", defaultValue = "PT0.05S") Duration latency,
      NodeStatus node) {
    this.latency = latency;
    this.node = node;
  }

  /** For CDI's proxy. */
  QuoteBackend() {
    this.latency = null;
    this.node = null;
  }

  /** The quote of {@code symbol} as JSON, after the backend's latency. */
  public String quote(String symbol) {
    calls.computeIfAbsent(symbol, s -> new LongAdder()).increment();
    try {
      Thread.sleep(latency.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the backend for " + symbol, e);
    }
    // a price that every node would compute alike, so that a wrong answer would show
    long cents = 1_000 + Math.floorMod(symbol.hashCode() * 2_654_435_761L, 99_000L);
    return JSON.createObjectBuilder()
        .add("symbol", symbol)
        .add("price", cents / 100.0)
        .add("loadedBy", node.self())
        .add("loadedAt", Instant.now().toString())
        .build()
        .toString();
  }

  /** Calls made so far per symbol, in symbol order. */
  public Map<String, Long> callsBySymbol() {
    Map<String, Long> copy = new TreeMap<>();
    calls.forEach((symbol, n) -> copy.put(symbol, n.sum()));
    return copy;
  }
}
