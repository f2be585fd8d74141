package dev.groupcache.demo;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.groupcache.example.testing.ExampleNode.Quote;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * What the quick start shows of a ready cluster, printed as it goes: every instance asked for the
 * same symbols at the same moment (one load per symbol in the whole cluster: the key's owner lets
 * one caller load it and the others wait), the same requests again (all from cache), a herd on one
 * new symbol (still one load), and each instance's counters. Whatever does not match goes to the
 * {@link Verdict}.
 */
final class Tour {
  private static final List<String> SYMBOLS = List.of("ACME", "INIT", "BOLT", "CRUX", "DUNE", "EMBR", "FLUX", "GLOW",
      "HALO", "IRIS", "JADE", "KITE");
  private static final String HERD = "RUSH";
  private static final int HERD_PER_INSTANCE = 100;
  /** Each request has its own 10 s timeout (ExampleNode); this bounds a batch of requests fired together. */
  private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(30);

  private final LocalInstances cluster;
  private final PrintStream out;
  private final Verdict verdict;
  private final AtOnce atOnce = new AtOnce(HERD_PER_INSTANCE * LocalInstances.COUNT);
  /** The instance that loaded each symbol in round 1 (its ring address). */
  private final Map<String, String> loaders = new TreeMap<>();

  Tour(LocalInstances cluster, PrintStream out, Verdict verdict) {
    this.cluster = cluster;
    this.out = out;
    this.verdict = verdict;
  }

  void run() throws Instance.Failure, InterruptedException {
    try {
      ring();
      long loads = roundOne();
      roundTwo(loads);
      herd();
      perInstance();
      conclude();
    } finally {
      atOnce.close();
    }
  }

  /** Static peers: every instance should see all three on its ring from the start. */
  private void ring() throws Instance.Failure, InterruptedException {
    List<String> all = cluster.all().stream().map(Instance::peerAddress).toList();
    boolean alike = true;
    for (Instance instance : cluster.all()) {
      List<String> seen = instance.peers();
      if (!new HashSet<>(seen).equals(new HashSet<>(all))) {
        alike = false;
        out.println("  ring: " + instance.name() + " sees " + names(seen));
        verdict.unexpected(instance.name() + " sees the ring as " + names(seen), instance);
      }
    }
    if (alike) {
      out.println("  ring: each instance sees " + names(all));
    }
  }

  private long roundOne() throws Instance.Failure, InterruptedException {
    out.println();
    out.println("Round 1: " + SYMBOLS.size() + " symbols, each asked at all three instances at the same moment");
    out.println("  (ms: each instance's own time to answer, the answer's \"micros\"; the first symbol also pays");
    out.println("  for the instances' warm-up: class loading, JIT, the first peer connections)");
    out.printf("  %-8s %-10s%s%n", "symbol", "loaded by",
        cluster.all().stream().map(i -> String.format("%10s", i.name() + " ms")).collect(Collectors.joining()));
    for (String symbol : SYMBOLS) {
      List<AtOnce.Answer<Quote>> answers = askAll(symbol);
      TreeSet<String> loadedBy = new TreeSet<>();
      StringBuilder times = new StringBuilder();
      for (int i = 0; i < answers.size(); i++) {
        AtOnce.Answer<Quote> answer = answers.get(i);
        if (answer.ok()) {
          loadedBy.add(answer.value().loadedBy());
          times.append(String.format("%10.1f", answer.value().micros() / 1e3));
        } else {
          failed(cluster.all().get(i), symbol, answer.failure());
          times.append(String.format("%10s", "failed"));
        }
      }
      if (loadedBy.size() == 1) {
        loaders.put(symbol, loadedBy.first());
      } else if (loadedBy.size() > 1) {
        verdict.unexpected(symbol + " was loaded by " + names(loadedBy));
      }
      out.printf("  %-8s %-10s%s%n", symbol, names(loadedBy), times);
    }
    long loads = cluster.loads();
    int requests = SYMBOLS.size() * LocalInstances.COUNT;
    out.printf("  cluster-wide loads: %d for %d symbols and %d requests%n", loads, SYMBOLS.size(), requests);
    if (loads != SYMBOLS.size()) {
      verdict.unexpected(loads + " loads in round 1 for " + SYMBOLS.size() + " symbols");
    }
    return loads;
  }

  /** The same requests again: the values are cached now, so no instance calls the backend. */
  private void roundTwo(long loadsBefore) throws Instance.Failure, InterruptedException {
    out.println();
    int requests = SYMBOLS.size() * LocalInstances.COUNT;
    out.println("Round 2: the same " + requests + " requests again");
    Timings timings = new Timings();
    for (String symbol : SYMBOLS) {
      List<AtOnce.Answer<Quote>> answers = askAll(symbol);
      for (int i = 0; i < answers.size(); i++) {
        AtOnce.Answer<Quote> answer = answers.get(i);
        if (!answer.ok()) {
          failed(cluster.all().get(i), symbol, answer.failure());
          continue;
        }
        timings.add(answer.value());
        String loader = loaders.get(symbol);
        if (loader != null && !loader.equals(answer.value().loadedBy())) {
          verdict.unexpected(symbol + " was loaded by " + cluster.nameOf(loader) + " in round 1 but by "
              + cluster.nameOf(answer.value().loadedBy()) + " in round 2");
        }
      }
    }
    long loads = cluster.loads();
    String change = loads == loadsBefore ? "still " + loads : "went from " + loadsBefore + " to " + loads;
    out.printf("  %d of %d answered from cache in %s ms; cluster-wide loads %s%n", timings.answered, requests,
        timings, change);
    if (loads != loadsBefore) {
      verdict.unexpected("round 2 called the backend " + (loads - loadsBefore) + " times");
    }
  }

  /** A stampede on one symbol that no instance has: it must still be loaded once in the cluster. */
  private void herd() throws Instance.Failure, InterruptedException {
    out.println();
    int requests = HERD_PER_INSTANCE * LocalInstances.COUNT;
    out.println("Herd: " + HERD_PER_INSTANCE + " requests for " + HERD + " at each instance, " + requests
        + " at the same moment");
    List<Callable<Quote>> calls = new ArrayList<>();
    for (Instance instance : cluster.all()) {
      for (int n = 0; n < HERD_PER_INSTANCE; n++) {
        calls.add(() -> instance.quote(HERD));
      }
    }
    AtOnce.Outcome<Quote> outcome = atOnce.run(calls, BATCH_TIMEOUT);
    Set<Instance> failing = new HashSet<>();
    TreeSet<String> loadedBy = new TreeSet<>();
    Timings timings = new Timings();
    for (int i = 0; i < calls.size(); i++) {
      Instance instance = cluster.all().get(i / HERD_PER_INSTANCE);
      AtOnce.Answer<Quote> answer = outcome.answers().get(i);
      if (answer.ok()) {
        timings.add(answer.value());
        loadedBy.add(answer.value().loadedBy());
      } else if (failing.add(instance)) {
        failed(instance, HERD, answer.failure()); // once per instance: its first failure tells the story
      }
    }
    long loads = 0;
    List<String> loadedAt = new ArrayList<>();
    for (Instance instance : cluster.all()) {
      long n = instance.loads().getOrDefault(HERD, 0L);
      loads += n;
      if (n > 0) {
        loadedAt.add(instance.name());
      }
    }
    out.printf("  answered %d of %d in %d ms (each instance's own time to answer: %s ms)%n", timings.answered,
        requests, outcome.wall().toMillis(), timings);
    out.printf("  %s loaded %d time%s in the cluster%s%n", HERD, loads, loads == 1 ? "" : "s",
        loadedAt.isEmpty() ? "" : ", by " + String.join(", ", loadedAt));
    if (timings.answered != requests) {
      verdict.unexpected("the herd got " + timings.answered + " answers to " + requests + " requests");
    }
    if (loadedBy.size() > 1) {
      verdict.unexpected("the herd's answers name " + names(loadedBy) + " as the loader of " + HERD);
    }
  }

  private void perInstance() throws Instance.Failure, InterruptedException {
    out.println();
    out.printf("%-10s %14s %15s %11s %13s%n", "Per node", "backend calls", "owner requests", "cache hits",
        "cache misses");
    for (Instance instance : cluster.all()) {
      JsonObject stats = instance.stats();
      JsonObject cache = stats.getAsJsonObject("cache");
      out.printf("  %-8s %14s %15s %11s %13s%n", instance.name(),
          figure(stats.getAsJsonObject("backend"), "calls"), figure(stats.getAsJsonObject("node"), "ownerRequests"),
          figure(cache, "CacheHits"), figure(cache, "CacheMisses"));
    }
  }

  /** The point of it all: each symbol asked for was loaded exactly once in the whole cluster. */
  private void conclude() throws Instance.Failure, InterruptedException {
    Map<String, Long> loadsBySymbol = cluster.loadsBySymbol();
    List<String> asked = new ArrayList<>(SYMBOLS);
    asked.add(HERD);
    for (String symbol : asked) {
      long n = loadsBySymbol.getOrDefault(symbol, 0L);
      if (n != 1) {
        verdict.unexpected(symbol + " was loaded " + n + " times in the cluster");
      }
    }
    loadsBySymbol.keySet().stream().filter(s -> !asked.contains(s))
        .forEach(s -> verdict.unexpected(s + " was loaded though nobody asked for it"));
    verdict.completed(loadsBySymbol.values().stream().mapToLong(Long::longValue).sum(), asked.size());
  }

  /** {@code symbol} asked at every instance at the same moment; the answers in instance order. */
  private List<AtOnce.Answer<Quote>> askAll(String symbol) throws InterruptedException {
    List<Callable<Quote>> calls = cluster.all().stream().map(i -> (Callable<Quote>) () -> i.quote(symbol)).toList();
    return atOnce.run(calls, BATCH_TIMEOUT).answers();
  }

  private void failed(Instance instance, String symbol, Throwable why) {
    if (why instanceof Instance.Failure failure) {
      verdict.failed(failure);
    } else if (why instanceof TimeoutException) {
      verdict.unexpected(instance.name() + ": GET /quotes/" + symbol + ": " + why.getMessage(), instance);
    } else {
      verdict.unexpected(instance.name() + ": GET /quotes/" + symbol + " failed: " + why, instance);
    }
  }

  /** How many answers came, and the range of the instances' own times to answer ({@code micros}). */
  private static final class Timings {
    int answered;
    long fastest = Long.MAX_VALUE;
    long slowest;

    void add(Quote quote) {
      answered++;
      fastest = Math.min(fastest, quote.micros());
      slowest = Math.max(slowest, quote.micros());
    }

    /** {@code 0.4 to 12.3} (milliseconds). */
    @Override
    public String toString() {
      return String.format("%.1f to %.1f", answered == 0 ? 0 : fastest / 1e3, slowest / 1e3);
    }
  }

  /** Ring addresses as instance names: {@code node1, node3}. */
  private String names(Iterable<String> peerAddresses) {
    List<String> names = new ArrayList<>();
    peerAddresses.forEach(a -> names.add(cluster.nameOf(a)));
    return names.isEmpty() ? "-" : String.join(", ", names);
  }

  /** A number from {@code /stats}, or "-" where the instance has none (e.g. statistics disabled). */
  private static String figure(JsonObject object, String name) {
    JsonElement value = object == null ? null : object.get(name);
    return value == null || value.isJsonNull() ? "-" : value.getAsString();
  }
}
