package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.HazelcastMember;
import dev.groupcache.bench.node.OursJCacheNode;
import dev.groupcache.bench.node.Percentiles;
import dev.groupcache.bench.node.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * W6, JCache put: what a write costs through {@code javax.cache} on a cluster of separate JVMs, ours
 * (our provider, static discovery on 127.0.0.1) beside Hazelcast's JCache, on 3 and on 5 members,
 * in one run. Each cluster gets a fresh cache of String keys and 100-byte values, and every put is
 * of a key no one has written:
 *
 * <ol>
 *   <li>a warm-up of {@value #WARMUP_PUTS} puts in all (at most {@value #WARMUP_MILLIS} ms per 3
 *       members) from every member, {@value #THREADS} threads each, not measured: fresh JVMs
 *       compile for a long time, and five JVMs have five times the compiling to do on the same
 *       cores. With 200,000 puts or 20 s, C2 threads still took a quarter to a third of a core in
 *       every member through the measured phases, and a woken event loop waited behind them
 *       (our one-writer p99 was 3-8 ms); after 800,000 they mostly take under a tenth of a core,
 *       with short bursts when a phase changes what runs;
 *   <li>{@value #ONE_WRITER_PUTS} puts from one thread on one member, one at a time ({@code
 *       w6.jcache_put.nN.one_writer.*}): a write's latency with the rest of the cluster idle;
 *   <li>{@value #PUTS} puts from every member at once, one thread each, one put at a time: the
 *       cluster's throughput ({@code w6.jcache_put.nN.ops_per_s}: all puts over the slowest
 *       member's time) and the exact p50 and p99 of all puts ({@code ..._us});
 *   <li>{@value #CONCURRENT_PUTS} puts from {@value #THREADS} threads per member ({@code
 *       w6.jcache_put.nN.threads_4.*}): throughput when writers overlap.
 * </ol>
 *
 * <p>Then, per system, the latency with 5 members over that with 3: {@code
 * w6.jcache_put.p50_n5_over_n3} and {@code p99_n5_over_n3} of phase 3, and {@code
 * w6.jcache_put.one_writer.p50_n5_over_n3} and {@code p99_...} of phase 2. In phase 3 five writers
 * share the machine's cores instead of three, so on a small machine its ratio rises with CPU
 * contention whatever a write costs; phase 2 offers both clusters the same load. The driver's
 * ratios compare ours with Hazelcast's at each size.
 *
 * <p>Counts scale with {@code --scale}. Every phase also stops by itself after {@value #MAX_MILLIS}
 * ms (scaled) with what it measured, and says so on stderr. The members run with the other
 * workloads' JVM options but a 256 MiB heap: five of them share the machine, and the data is a few
 * MiB.
 */
final class JCachePutWorkload {
  static final String ID = "w6";
  static final List<Integer> SIZES = List.of(3, 5);
  static final int THREADS = 4;
  private static final int WARMUP_PUTS = 800_000;
  private static final long WARMUP_MILLIS = 120_000;
  private static final int ONE_WRITER_PUTS = 20_000;
  private static final int PUTS = 40_000;
  private static final int CONCURRENT_PUTS = 80_000;
  private static final int VALUE_BYTES = 100;
  private static final long MAX_MILLIS = 60_000;
  private static final List<String> JVM_OPTIONS = heap256m();

  /** One phase's figures over the whole cluster. */
  private record Phase(long puts, long planned, long errors, long elapsedNs, long p50Ns, long p99Ns,
      long stoppedThreads) {
    double opsPerSecond() {
      return elapsedNs == 0 ? 0 : puts * 1e9 / elapsedNs;
    }
  }

  private JCachePutWorkload() {}

  static boolean supports(SystemUnderTest system) {
    return system == SystemUnderTest.OURS || system == SystemUnderTest.HAZELCAST;
  }

  /**
   * Runs W6 for every chosen system that supports it, at each size in turn, one cluster at a time.
   *
   * @return whether every cluster completed
   */
  static boolean run(Options options, Results results) {
    List<SystemUnderTest> systems = options.systems().stream().filter(JCachePutWorkload::supports).toList();
    Map<SystemUnderTest, Map<Integer, Phase[]>> measured = new HashMap<>();
    Progress.note("W6: " + systems + " on " + SIZES + " members, child JVM options " + JVM_OPTIONS);
    boolean ok = true;
    for (int size : SIZES) {
      for (SystemUnderTest s : systems) {
        try {
          measured.computeIfAbsent(s, x -> new HashMap<>()).put(size, runOne(s, size, options, results));
        } catch (RuntimeException e) {
          Progress.note(s.label() + " W6 with " + size + " members failed: " + e);
          e.printStackTrace();
          ok = false;
        }
      }
    }
    for (SystemUnderTest s : systems) {
      Map<Integer, Phase[]> bySize = measured.getOrDefault(s, Map.of());
      if (!bySize.containsKey(3) || !bySize.containsKey(5)) {
        Progress.note(s.label() + " W6: not measured at both 3 and 5 members; no n5_over_n3 figures");
        continue;
      }
      scaling(results, s, "w6.jcache_put.", bySize.get(3)[1], bySize.get(5)[1]);
      scaling(results, s, "w6.jcache_put.one_writer.", bySize.get(3)[0], bySize.get(5)[0]);
    }
    return ok;
  }

  /** The backups phase's workload id: W6's puts on 3 members with one synchronous backup each. */
  static final String BACKUPS_ID = "backups";
  private static final int MEMORY_ENTRIES = 60_000;

  /**
   * Runs the backups phase for every chosen system that supports it: 3 members, one synchronous
   * backup per entry (Hazelcast's default, ours too), the warm-up and the three measured phases of
   * W6 ({@code backups.jcache_put.n3.*}); then the heap each entry costs the cluster with its
   * backup ({@code backups.bytes_per_entry}): {@value #MEMORY_ENTRIES} new entries of 100-byte
   * values into a fresh cache, the members' heaps after full collections before and after.
   *
   * @return whether every cluster completed
   */
  static boolean runBackups(Options options, Results results) {
    boolean ok = true;
    for (SystemUnderTest s : options.systems().stream().filter(JCachePutWorkload::supports).toList()) {
      Class<?> mainClass = s == SystemUnderTest.OURS ? OursJCacheNode.class : HazelcastMember.class;
      String label = s.label() + "-backups-n3";
      long maxMillis = options.millis(MAX_MILLIS);
      try (Cluster cluster = Cluster.start(s, label, mainClass, 3, JVM_OPTIONS, options.logDir())) {
        cluster.open(new CacheSpec("w6b", -1, 0, 0, "POPULAR", true, 1));
        String prefix = "backups.jcache_put.n3.";
        phase(cluster, "w6b", "warm-up", "warm", 3, count(WARMUP_PUTS / 2, 3, options), THREADS,
            options.millis(WARMUP_MILLIS / 2));
        put(results, s, prefix + "one_writer.",
            phase(cluster, "w6b", "one writer", "one", 1, count(ONE_WRITER_PUTS, 1, options), 1, maxMillis));
        put(results, s, prefix, phase(cluster, "w6b", "one thread per member", "seq", 3, count(PUTS, 3, options), 1,
            maxMillis));
        put(results, s, prefix + "threads_" + THREADS + ".", phase(cluster, "w6b", THREADS + " threads per member", "par", 3,
            count(CONCURRENT_PUTS, 3, options), THREADS, maxMillis));
        long before = heap(cluster);
        cluster.open(new CacheSpec("w6m", -1, 0, 0, "POPULAR", true, 1));
        Phase fill = phase(cluster, "w6m", "memory fill", "mem", 3, (int) Math.max(1, MEMORY_ENTRIES * options.scale() / 3),
            THREADS, maxMillis);
        long after = heap(cluster);
        if (fill.puts() > 0) {
          results.put(s, "backups.bytes_per_entry", (double) (after - before) / fill.puts(), Unit.BYTES);
        }
      } catch (RuntimeException e) {
        Progress.note(label + " failed: " + e);
        e.printStackTrace();
        ok = false;
      }
    }
    return ok;
  }

  /** The members' heaps in use after full collections, summed. */
  private static long heap(Cluster cluster) {
    long total = 0;
    for (Reply r : cluster.callAll("heap", Workload.timeout(0))) {
      total += r.number("heap_bytes");
    }
    return total;
  }

  private static void scaling(Results results, SystemUnderTest s, String prefix, Phase three, Phase five) {
    if (three.p50Ns() == 0 || three.p99Ns() == 0) {
      Progress.note(s.label() + " " + prefix + ": no puts with 3 members; no n5_over_n3 figures");
      return;
    }
    results.put(s, prefix + "p50_n5_over_n3", (double) five.p50Ns() / three.p50Ns(), Unit.TIMES);
    results.put(s, prefix + "p99_n5_over_n3", (double) five.p99Ns() / three.p99Ns(), Unit.TIMES);
  }

  /**
   * Starts one cluster, runs the phases on it and prints its figures; returns the one-writer and
   * the every-member phases.
   */
  private static Phase[] runOne(SystemUnderTest s, int size, Options options, Results results) {
    Class<?> mainClass = s == SystemUnderTest.OURS ? OursJCacheNode.class : HazelcastMember.class;
    String label = s.label() + "-w6-n" + size;
    long maxMillis = options.millis(MAX_MILLIS);
    Progress.note(label + ": load average before start " + loadAverage());
    long start = System.nanoTime();
    try (Cluster cluster = Cluster.start(s, label, mainClass, size, JVM_OPTIONS, options.logDir())) {
      cluster.open(new CacheSpec("w6", -1, 0, 0, "POPULAR", true));
      String prefix = "w6.jcache_put.n" + size + ".";
      phase(cluster, "warm-up", "warm", size, count(WARMUP_PUTS, size, options), THREADS,
          options.millis(WARMUP_MILLIS * size / 3));
      Phase one = phase(cluster, "one writer", "one", 1, count(ONE_WRITER_PUTS, 1, options), 1, maxMillis);
      put(results, s, prefix + "one_writer.", one);
      Phase every = phase(cluster, "one thread per member", "seq", size, count(PUTS, size, options), 1,
          maxMillis);
      put(results, s, prefix, every);
      Phase threads = phase(cluster, THREADS + " threads per member", "par", size,
          count(CONCURRENT_PUTS, size, options), THREADS, maxMillis);
      put(results, s, prefix + "threads_" + THREADS + ".", threads);
      Progress.note(label + " W6: member counters " + cluster.callAll("stats w6", Workload.timeout(0))
          + "; load average " + loadAverage());
      return new Phase[] {one, every};
    } finally {
      Progress.note(String.format(Locale.ROOT, "%s W6 done in %.1f s", label, (System.nanoTime() - start) / 1e9));
    }
  }

  private static void put(Results results, SystemUnderTest s, String prefix, Phase phase) {
    results.put(s, prefix + "ops_per_s", phase.opsPerSecond(), Unit.OPS_PER_SECOND);
    results.put(s, prefix + "p50_us", phase.p50Ns() / 1e3, Unit.MICROS);
    results.put(s, prefix + "p99_us", phase.p99Ns() / 1e3, Unit.MICROS);
  }

  /** The machine's load averages, as the kernel gives them; for the log: other work skews figures. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** The puts of a phase per member: the cluster's share of {@code total}, scaled, at least one per thread. */
  private static int count(int total, int size, Options options) {
    return (int) Math.max(THREADS, Math.round(total * options.scale() / size));
  }

  /**
   * The first {@code writers} members (one, or all) put {@code perMember} new keys each, at once;
   * the cluster's figures, merged.
   */
  private static Phase phase(Cluster cluster, String what, String tag, int writers, int perMember,
      int threads, long maxMillis) {
    return phase(cluster, "w6", what, tag, writers, perMember, threads, maxMillis);
  }

  /** As {@link #phase(Cluster, String, String, int, int, int, long)}, into cache {@code cache}. */
  private static Phase phase(Cluster cluster, String cache, String what, String tag, int writers, int perMember,
      int threads, long maxMillis) {
    IntFunction<String> command = i -> String.join(" ", "puts", cache, tag + "-" + i + "-",
        Integer.toString(perMember), Integer.toString(threads), Integer.toString(VALUE_BYTES),
        Long.toString(maxMillis));
    List<Reply> replies = writers == cluster.size()
        ? cluster.callEach(command, Workload.timeout(maxMillis))
        : List.of(cluster.call(0, command.apply(0), Workload.timeout(maxMillis)));
    long puts = 0;
    long errors = 0;
    long elapsed = 0;
    long stopped = 0;
    List<int[]> samples = new ArrayList<>();
    for (Reply r : replies) {
      puts += r.number("puts");
      errors += r.number("errors");
      elapsed = Math.max(elapsed, r.number("elapsed_ns"));
      stopped += r.number("threads_stopped_at_deadline");
      samples.add(parseSamples(r.text("samples_ns")));
    }
    int[][] all = samples.toArray(new int[0][]);
    int[] counts = new int[all.length];
    for (int i = 0; i < all.length; i++) {
      counts[i] = all[i].length;
    }
    Percentiles p = Percentiles.of(all, counts);
    Phase phase = new Phase(puts, (long) perMember * writers, errors, elapsed, p.at(0.50),
        p.at(0.99), stopped);
    String label = cluster.system().label() + " W6 " + cluster.size() + " members, " + what;
    Progress.note(String.format(Locale.ROOT, "%s: %d of %d puts in %.2f s (%.0f ops/s), p50 %.0f us,"
        + " p99 %.0f us, %d failed", label, puts, phase.planned(), elapsed / 1e9, phase.opsPerSecond(),
        p.at(0.50) / 1e3, p.at(0.99) / 1e3, errors));
    if (stopped > 0) {
      Progress.note(label + ": " + stopped + " thread(s) stopped at the " + maxMillis
          + " ms limit; the figures are of the " + puts + " puts made");
    }
    if (errors > 0) {
      Progress.note(label + ": " + errors + " put(s) failed, counted in no figure (see the members' logs)");
    }
    return phase;
  }

  private static int[] parseSamples(String text) {
    if (text.isEmpty() || text.equals("-")) {
      return new int[0];
    }
    String[] parts = text.split(",");
    int[] values = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Integer.parseInt(parts[i]);
    }
    return values;
  }

  private static List<String> heap256m() {
    List<String> options = new ArrayList<>();
    for (String o : Cluster.JVM_OPTIONS) {
      options.add(o.startsWith("-Xms") ? "-Xms256m" : o.startsWith("-Xmx") ? "-Xmx256m" : o);
    }
    return List.copyOf(options);
  }
}
