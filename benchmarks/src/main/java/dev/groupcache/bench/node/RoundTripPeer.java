package dev.groupcache.bench.node;

import dev.groupcache.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One end of the round-trip floor ({@code ./benchmarks/run floor}): a JVM that serves echoes, over
 * plain TCP ({@link TcpEcho}) and over gRPC ({@link GrpcEcho}), and on command calls another one's,
 * timing every round trip. It first answers {@code tcp=P grpc=Q}, its two ports, then serves:
 *
 * <pre>
 * ping tcp|grpc PORT THREADS REQUEST_BYTES ANSWER_BYTES WARMUP_MS MS   round trips to 127.0.0.1:PORT
 * quit                                                                exit
 * </pre>
 *
 * <p>It exits when its stdin ends.
 */
public final class RoundTripPeer {
  /** Samples per thread: 4 MiB each, far beyond what 10 s of round trips produce. */
  private static final int MAX_SAMPLES_PER_THREAD = 1 << 20;
  private static final int MAX_WARMUP_OPS_PER_THREAD = 100_000_000;
  private static final int MAX_COMMANDS = 1_000;
  /** The largest request or answer either echo takes. */
  static final int MAX_MESSAGE_BYTES = 1 << 16;

  /** Round trips on one caller thread's connection or stream. */
  interface Caller {
    /** One request of the agreed size and its answer. */
    void roundTrip() throws Exception;
  }

  /** The callers of one measurement, one per thread, and what closes their connections after it. */
  record Callers(Caller[] each, Runnable closer) implements AutoCloseable {
    Caller get(int thread) {
      return each[thread];
    }

    @Override
    public void close() {
      closer.run();
    }
  }

  private RoundTripPeer() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    int tcp = TcpEcho.serve();
    int grpc = GrpcEcho.serve();
    out.println(ChildJvm.ANSWER + Reply.of().with("tcp", tcp).with("grpc", grpc).format());
    out.flush();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      for (int i = 0; i < MAX_COMMANDS && (line = in.readLine()) != null; i++) {
        String[] w = line.trim().split("\\s+");
        if (w[0].equals("quit")) {
          out.println(ChildJvm.ANSWER + Reply.of().with("bye", 1).format());
          break;
        }
        String answer;
        try {
          if (!w[0].equals("ping") || w.length != 8) {
            throw new IllegalArgumentException("unknown command: " + line);
          }
          int port = Integer.parseInt(w[2]);
          int threads = Integer.parseInt(w[3]);
          int request = checkedSize(Integer.parseInt(w[4]));
          int answerBytes = checkedSize(Integer.parseInt(w[5]));
          try (Callers callers = switch (w[1]) {
            case "tcp" -> TcpEcho.connect(port, threads, request, answerBytes);
            case "grpc" -> GrpcEcho.connect(port, threads, request, answerBytes);
            default -> throw new IllegalArgumentException("no transport " + w[1]);
          }) {
            answer = measure(callers, threads, Long.parseLong(w[6]), Long.parseLong(w[7])).format();
          }
        } catch (Exception e) {
          e.printStackTrace();
          answer = Reply.error(e);
        }
        out.println(ChildJvm.ANSWER + answer);
        out.flush();
      }
    }
    System.exit(0);
  }

  static int checkedSize(int n) {
    if (n < 1 || n > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("message size " + n + " not in [1, " + MAX_MESSAGE_BYTES + "]");
    }
    return n;
  }

  /** Round trips from every thread for {@code millis} after an untimed warm-up, each one timed. */
  private static Reply measure(Callers callers, int threads, long warmupMillis, long millis) {
    if (warmupMillis > 0) {
      Parallel.run("echo-warmup", threads, warmupMillis, (i, deadline) ->
          loop(callers.get(i), deadline, null, MAX_WARMUP_OPS_PER_THREAD));
    }
    int[][] samples = new int[threads][MAX_SAMPLES_PER_THREAD];
    int[] counts = new int[threads];
    long elapsed = Parallel.run("echo", threads, millis, (i, deadline) -> counts[i] =
        loop(callers.get(i), deadline, samples[i], MAX_SAMPLES_PER_THREAD));
    Percentiles p = Percentiles.of(samples, counts);
    return Reply.of().with("ops", p.count()).with("elapsed_ns", elapsed)
        .with("p50_ns", p.at(0.50)).with("p99_ns", p.at(0.99));
  }

  /** Returns the number of round trips, each timed into {@code samples} unless it is null. */
  private static int loop(Caller caller, long deadline, int[] samples, int max) throws Exception {
    int n = 0;
    while (n < max && System.nanoTime() - deadline < 0) {
      long start = System.nanoTime();
      caller.roundTrip();
      if (samples != null) {
        samples[n] = (int) Math.min(Integer.MAX_VALUE, System.nanoTime() - start);
      }
      n++;
    }
    return n;
  }
}
