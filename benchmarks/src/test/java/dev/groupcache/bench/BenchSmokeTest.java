package dev.groupcache.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every workload against groupcache at 5% of its duration (W6, which starts clusters of its
 * own, and the J workloads, on the JCache provider, in tests of their own), and checks the output's shape:
 * each figure exactly once, a number and a unit. Speeds are not asserted; only that a herd of 300
 * concurrent gets of one key costs the cluster a single load, and that no W2 get shares another
 * thread's fetch (W2 measures round trips, not the single flight).
 */
class BenchSmokeTest {
  private static final Pattern LINE = Pattern.compile("([a-z0-9_.]+): (-?[0-9]+(?:\\.[0-9]+)?) (\\S+)");

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void everyWorkloadReportsEachFigureOnce() {
    // the agent startup benchmark needs the packaged agent jar; ./benchmarks/run builds it
    Map<String, Double> values = runExpecting(expectedNames(), "w1,w2,w3,w4,w5,discovery", "smoke-logs", "0.05");
    assertEquals(1.0, values.get("w3.herd.loads"), "a herd must cost one load: " + values);
    assertEquals(1.0, values.get("w2.remote_hit.fetches_per_get"), "each W2 get must be a fetch of its own: " + values);
  }

  /**
   * W6 against our JCache provider alone, tiny: clusters of 3 and of 5 members, each figure once
   * and the 5-over-3 latency figures. (Hazelcast's side and the ratios need its slow-forming
   * clusters; {@code ./benchmarks/run w6} shows them.)
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void jcachePutReportsEachFigureOnce() {
    List<String> expected = new ArrayList<>(List.of("w6.jcache_put.p50_n5_over_n3",
        "w6.jcache_put.p99_n5_over_n3", "w6.jcache_put.one_writer.p50_n5_over_n3",
        "w6.jcache_put.one_writer.p99_n5_over_n3"));
    for (int n : List.of(3, 5)) {
      for (String phase : List.of("one_writer.", "", "threads_4.")) {
        for (String figure : List.of("ops_per_s", "p50_us", "p99_us")) {
          expected.add("w6.jcache_put.n" + n + "." + phase + figure);
        }
      }
    }
    runExpecting(expected, "w6", "smoke-logs-w6", "0.02");
  }

  /**
   * The J workloads against our JCache provider alone, at 5 %, and the round-trip floor beside them:
   * each figure once; a herd through
   * {@code javax.cache} costs one load, and no operation of the mix fails.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void jcacheWorkloadsReportEachFigureOnce() {
    List<String> expected = new ArrayList<>(List.of("j1.local_hit.ns_per_op", "j1.near_hit.ns_per_op",
        "j3.herd.loads", "j3.herd.wall_ms", "j3.herd.first_round_wall_ms",
        "j4.zipf.first_run.ops_per_s", "j4.zipf.first_run.loads", "j4.zipf.first_run.hit_ratio",
        "j4.zipf.ops_per_s", "j4.zipf.loads", "j4.zipf.hit_ratio", "j4.zipf.warm_cache.ops_per_s",
        "j4.zipf.warm_cache.loads", "j4.zipf.warm_cache.hit_ratio", "j4.remote_miss.p50_us", "j4.remote_miss.p99_us",
        "j5.mix.ops_per_s", "j5.mix.errors", "j6.put_all.entries_per_s", "j6.sequential_put.entries_per_s"));
    for (String variant : List.of("remote_hit.", "remote_hit_near.")) {
      for (String figure : List.of("ops_per_s", "p50_us", "p99_us")) {
        expected.add("j2." + variant + figure);
      }
    }
    for (String transport : List.of("tcp", "grpc")) {
      for (String phase : List.of("one_thread.", "threads_16.")) {
        for (String figure : List.of("ops_per_s", "p50_us", "p99_us")) {
          expected.add("floor." + transport + "_round_trip." + phase + figure);
        }
      }
    }
    Map<String, Double> values = runExpecting(expected, "jcache", "smoke-logs-j", "0.05");
    assertEquals(1.0, values.get("j3.herd.loads"), "a herd must cost one load: " + values);
    assertEquals(0.0, values.get("j5.mix.errors"), "no operation of the mix may fail: " + values);
    assertTrue(values.get("j6.put_all.entries_per_s") > 0, "no entry of the bulk load was written: " + values);
    assertTrue(values.get("floor.tcp_round_trip.one_thread.p50_us") > 0, "no TCP round trip was timed: " + values);
    assertTrue(values.get("floor.grpc_round_trip.threads_16.p50_us") > 0, "no gRPC round trip was timed: " + values);
  }

  /**
   * Runs the driver on our system alone and checks that every line is {@code name: number unit}
   * and that the figures are exactly {@code expected}, each once; returns them by name.
   */
  private static Map<String, Double> runExpecting(List<String> expected, String workloads, String logs,
      String scale) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = Bench.run(new String[] {workloads, "--systems", "ours", "--scale", scale,
          "--logs", Path.of("target", logs).toAbsolutePath().toString()}, out);
    }
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, output);
    Map<String, Integer> seen = new HashMap<>();
    Map<String, Double> values = new HashMap<>();
    for (String line : output.split("\n")) {
      Matcher m = LINE.matcher(line);
      assertTrue(m.matches(), "not 'name: number unit': " + line);
      seen.merge(m.group(1), 1, Integer::sum);
      values.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    for (String name : expected) {
      assertEquals(1, seen.getOrDefault(name, 0), name + " should appear once in:\n" + output);
    }
    assertEquals(expected.size(), seen.size(), "unexpected lines in:\n" + output);
    return values;
  }

  private static List<String> expectedNames() {
    List<String> names = new ArrayList<>(List.of("w1.local_hit.ns_per_op",
        "w2.remote_hit.ops_per_s", "w2.remote_hit.p50_us", "w2.remote_hit.p99_us",
        "w2.remote_hit.fetches_per_get",
        "w3.herd.loads", "w3.herd.wall_ms", "w3.herd.first_round_wall_ms",
        "w4.zipf.first_run.ops_per_s", "w4.zipf.first_run.loads", "w4.zipf.first_run.hit_ratio",
        "w4.zipf.ops_per_s", "w4.zipf.loads", "w4.zipf.hit_ratio",
        "discovery.event_to_listener_p50_ms", "discovery.event_to_listener_p99_ms"));
    for (String variant : List.of("zipf.popular", "zipf.random", "uniform.popular", "uniform.random")) {
      for (String figure : List.of("ops_per_s", "local_hit_ratio", "hot_hit_ratio", "hit_ratio")) {
        names.add("w5." + variant + "." + figure);
      }
    }
    return names;
  }
}
