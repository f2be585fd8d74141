package dev.groupcache.bench;

import dev.groupcache.bench.node.Reply;
import dev.groupcache.bench.node.RoundTripPeer;
import dev.groupcache.testing.ChildJvm;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The floor: what one round trip between two JVMs costs on this machine with no cache behind it
 * ({@link RoundTripPeer}), measured in the same run as the workloads it bounds. A put, or a get of
 * another member's entry, is at least one round trip in any design, so a system's figure against
 * the floor says how much of its time is its own. Two transports, each in two shapes:
 *
 * <ul>
 *   <li>{@code floor.tcp_round_trip.*}: plain TCP, blocking sockets, a thread per connection on
 *       both sides: the kernel's and the JVM's share alone;
 *   <li>{@code floor.grpc_round_trip.*}: grpc-java over Netty as our peers use it, a message and
 *       its answer on an open stream: what any design on gRPC pays, as ours must;
 *   <li>{@code ….one_thread.*}: one caller, 100-byte requests and 16-byte answers, one at a time
 *       (W6's one writer, whose puts carry 100-byte values);
 *   <li>{@code ….threads_16.*}: 16 callers in one JVM, 32-byte requests and 1 KiB answers (W2's and
 *       J2's gets).
 * </ul>
 *
 * <p>Both JVMs run with the workloads' JVM options; each phase warms up, then runs for a bounded time.
 */
final class RoundTripFloor {
  static final String ID = "floor";
  private static final long WARMUP_MILLIS = 5_000;
  private static final long MILLIS = 10_000;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration QUIT_TIMEOUT = Duration.ofSeconds(10);

  private RoundTripFloor() {}

  static void run(Options options, Results results) {
    try (ChildJvm echo = start("echo", options); ChildJvm caller = start("caller", options)) {
      Reply ports = Reply.parse("echo", echo.await("start", START_TIMEOUT));
      Reply.parse("caller", caller.await("start", START_TIMEOUT));
      for (String transport : List.of("tcp", "grpc")) {
        long port = ports.number(transport);
        phase(caller, transport, port, "one_thread", 1, 100, 16, options, results);
        phase(caller, transport, port, "threads_16", 16, 32, 1024, options, results);
      }
      echo.call("quit", QUIT_TIMEOUT);
      caller.call("quit", QUIT_TIMEOUT);
    }
  }

  private static ChildJvm start(String name, Options options) {
    return ChildJvm.start("floor-" + name, null, Cluster.JVM_OPTIONS, RoundTripPeer.class.getName(), List.of(),
        options.logDir().resolve(ID));
  }

  private static void phase(ChildJvm caller, String transport, long port, String name, int threads, int requestBytes,
      int answerBytes, Options options, Results results) {
    long warmup = options.millis(WARMUP_MILLIS);
    long millis = options.millis(MILLIS);
    Progress.note(String.format(Locale.ROOT, "floor %s %s: %d thread(s), %d-byte requests, %d-byte answers,"
        + " %d ms after %d ms of warm-up", transport, name, threads, requestBytes, answerBytes, millis, warmup));
    String command = String.join(" ", "ping", transport, Long.toString(port), Integer.toString(threads),
        Integer.toString(requestBytes), Integer.toString(answerBytes), Long.toString(warmup), Long.toString(millis));
    Reply r = Reply.parse("caller", caller.call(command, Duration.ofMillis(warmup + millis).plusSeconds(120)));
    String prefix = ID + "." + transport + "_round_trip." + name + ".";
    results.put(SystemUnderTest.OURS, prefix + "ops_per_s", r.number("ops") * 1e9 / r.number("elapsed_ns"),
        Unit.OPS_PER_SECOND);
    results.put(SystemUnderTest.OURS, prefix + "p50_us", r.number("p50_ns") / 1e3, Unit.MICROS);
    results.put(SystemUnderTest.OURS, prefix + "p99_us", r.number("p99_ns") / 1e3, Unit.MICROS);
  }
}
