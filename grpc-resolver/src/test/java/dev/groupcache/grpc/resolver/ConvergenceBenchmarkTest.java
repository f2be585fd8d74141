package dev.groupcache.grpc.resolver;

import static dev.groupcache.grpc.resolver.Fakes.slice;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.FakeApiServer;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scale up and down, measured: for each change, the time from the fake API server's event to the
 * new set being in use by a channel calling in a loop. Up: until the added server answers a call.
 * Down: until the removed server's last call (it keeps running, so only the channel's picker can
 * stop calls reaching it), confirmed by 100 calls after that reaching it no more. Prints the
 * figures as {@code name: value unit} lines; asserts only that every change converges.
 */
class ConvergenceBenchmarkTest {
  private static final int CHANGES = 40; // 20 up, 20 down
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

  @Test
  void scaleUpAndDownConverge() throws Exception {
    try (FakeApiServer api = FakeApiServer.startHttp(); Backends backends = new Backends()) {
      String[] two = {Backends.IPS[0], Backends.IPS[1]};
      api.upsert(slice("backend-a", backends.port, two).build());
      KubernetesNameResolverProvider provider = Fakes.provider(api).build();
      ManagedChannel channel = Backends.channel("kubernetes:///backend.shop:" + backends.port, provider);
      try {
        for (int i = 0; i < 200; i++) {
          Backends.who(channel); // warm: connections up, classes loaded
        }
        Backends.Backend third = backends.get(2);
        List<Double> up = new ArrayList<>();
        List<Double> down = new ArrayList<>();
        List<Double> resolved = new ArrayList<>(); // event to the resolver's new set, for the breakdown
        for (int change = 0; change < CHANGES; change++) {
          boolean scaleUp = change % 2 == 0;
          long event = System.nanoTime();
          api.upsert(slice("backend-a", backends.port, scaleUp ? Backends.IPS : two).build());
          if (scaleUp) {
            long deadline = event + BOUND_NANOS;
            long resolvedAt = 0;
            while (!Backends.who(channel).equals(third.ip)) {
              if (resolvedAt == 0 && provider.stats().get(0).endpoints() == 3) {
                resolvedAt = System.nanoTime();
              }
              assertTrue(System.nanoTime() < deadline, "scale-up " + change + " did not converge in 10 s");
            }
            long now = System.nanoTime();
            up.add((now - event) / 1e6);
            resolved.add(((resolvedAt == 0 ? now : resolvedAt) - event) / 1e6);
          } else {
            long deadline = event + BOUND_NANOS;
            int without = 0;
            while (without < 100) {
              without = Backends.who(channel).equals(third.ip) ? 0 : without + 1;
              assertTrue(System.nanoTime() < deadline, "scale-down " + change + " did not converge in 10 s");
            }
            down.add(Math.max(0, third.lastCallNanos.get() - event) / 1e6);
          }
        }
        List<Double> all = new ArrayList<>(up);
        all.addAll(down);
        print("grpc-resolver.convergence.scale-up.p50", percentile(up, 50));
        print("grpc-resolver.convergence.scale-up.p99", percentile(up, 99));
        print("grpc-resolver.convergence.scale-down.p50", percentile(down, 50));
        print("grpc-resolver.convergence.scale-down.p99", percentile(down, 99));
        print("grpc-resolver.convergence.p99", percentile(all, 99));
        print("grpc-resolver.event-to-resolved-set.scale-up.p99", percentile(resolved, 99));
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Nearest-rank percentile. */
  private static double percentile(List<Double> samples, int p) {
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static void print(String name, double millis) {
    System.out.println(String.format(Locale.ROOT, "%s: %.1f ms", name, millis));
  }
}
