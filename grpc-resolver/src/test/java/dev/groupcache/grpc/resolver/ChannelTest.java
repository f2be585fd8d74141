package dev.groupcache.grpc.resolver;

import static dev.groupcache.grpc.resolver.Fakes.slice;
import static dev.groupcache.grpc.resolver.Fakes.terminating;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.groupcache.discovery.fake.FakeApiServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real channels through the resolver to three real servers on loopback, fed by the fake API server. */
class ChannelTest {
  private FakeApiServer api;
  private Backends backends;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    api = FakeApiServer.startHttp();
    backends = new Backends();
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      c.awaitTermination(10, TimeUnit.SECONDS);
    }
    backends.close();
    api.close();
  }

  private String target() {
    return "kubernetes:///backend.shop:" + backends.port;
  }

  private ManagedChannel channel(String target, KubernetesNameResolverProvider provider) {
    ManagedChannel channel = Backends.channel(target, provider);
    channels.add(channel);
    return channel;
  }

  /** Calls until every backend in {@code ips} has answered (at most 2,000 calls). */
  private static void warmUp(ManagedChannel channel, String... ips) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2_000 && seen.size() < ips.length; i++) {
      seen.add(Backends.who(channel));
    }
    assertEquals(Set.of(ips), seen, "every backend answers");
  }

  @Test
  void roundRobinSpreadsCallsEvenlyAcrossTheServiceAndUsesServiceDotNamespaceAsAuthority() {
    api.upsert(slice("backend-a", backends.port, Backends.IPS).build());
    ManagedChannel channel = channel(target(), Fakes.provider(api).build());
    warmUp(channel, Backends.IPS);
    long[] before = backends.calls();
    for (int i = 0; i < 3_000; i++) {
      Backends.who(channel);
    }
    long[] after = backends.calls();
    for (int i = 0; i < 3; i++) {
      long calls = after[i] - before[i];
      assertTrue(calls >= 900 && calls <= 1_100, "backend " + i + " got " + calls + " of 3,000 calls");
    }
    for (Backends.Backend b : backends.all) {
      assertEquals("backend.shop", b.lastAuthority.get());
    }
  }

  @Test
  void whenEveryEndpointIsGoneCallsFailFastWithUnavailableAndRecoverWhenTheyReturn() throws Exception {
    api.upsert(slice("backend-a", backends.port, Backends.IPS).build());
    ManagedChannel channel = channel(target(), Fakes.provider(api).build());
    warmUp(channel, Backends.IPS);
    // The pods are terminating: still up and answering, but no longer in the Service.
    api.upsert(slice("backend-a", backends.port).addEndpoint(terminating(Backends.IPS[0]))
        .addEndpoint(terminating(Backends.IPS[1])).addEndpoint(terminating(Backends.IPS[2])).build());
    StatusRuntimeException failure = null;
    for (int i = 0; i < 20_000 && failure == null; i++) { // each call takes well under a millisecond
      try {
        Backends.who(channel);
      } catch (StatusRuntimeException e) {
        failure = e;
      }
    }
    assertTrue(failure != null, "calls still succeed");
    assertEquals(Status.Code.UNAVAILABLE, failure.getStatus().getCode(), failure.toString());
    assertTrue(failure.getStatus().getDescription().contains("service shop/backend has no ready endpoints"),
        failure.toString());
    long[] before = backends.calls();
    for (int i = 0; i < 20; i++) {
      long started = System.nanoTime();
      try {
        Backends.who(channel); // a 10 s deadline: only an immediate failure is fast
        fail("a call succeeded with no endpoints");
      } catch (StatusRuntimeException e) {
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "failed only after "
            + (System.nanoTime() - started) / 1e6 + " ms");
      }
    }
    assertArrayEquals(before, backends.calls(), "no call reached a pod that left");
    api.upsert(slice("backend-a", backends.port, Backends.IPS).build());
    Fakes.await(() -> {
      try {
        Backends.who(channel);
        return true;
      } catch (StatusRuntimeException e) {
        return false;
      }
    }, () -> "calls still fail");
    warmUp(channel, Backends.IPS);
  }

  @Test
  void aKilledServerCostsNoCallWithWaitForReadyAndARetryPolicy() throws Exception {
    backends.close();
    backends = new Backends(true);
    api.upsert(slice("backend-a", backends.port, Backends.IPS).build());
    Map<String, ?> config = Map.of(
        "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
        "methodConfig", List.of(Map.of(
            "name", List.of(Map.of("service", Backends.SERVICE)),
            "waitForReady", true,
            "retryPolicy", Map.of(
                "maxAttempts", 5,
                "initialBackoff", "0.01s",
                "maxBackoff", "0.2s",
                "backoffMultiplier", 2,
                "retryableStatusCodes", List.of("UNAVAILABLE")))));
    ManagedChannel channel = channel(target(), Fakes.provider(api).serviceConfig(config).build());
    warmUp(channel, Backends.IPS);
    int threads = 3;
    int callsPerThread = 400;
    CountDownLatch beforeKill = new CountDownLatch(150);
    CountDownLatch beforeRemoval = new CountDownLatch(300);
    AtomicInteger succeeded = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread caller = new Thread(() -> {
        for (int i = 0; i < callsPerThread; i++) {
          try {
            Backends.who(channel, CallOptions.DEFAULT);
            succeeded.incrementAndGet();
          } catch (RuntimeException e) {
            failures.add(e);
          }
          beforeKill.countDown();
          beforeRemoval.countDown();
        }
      });
      callers.add(caller);
      caller.start();
    }
    assertTrue(beforeKill.await(30, TimeUnit.SECONDS));
    backends.get(2).kill(); // the pod dies; Kubernetes notices a little later
    assertTrue(beforeRemoval.await(30, TimeUnit.SECONDS));
    api.upsert(slice("backend-a", backends.port, Backends.IPS[0], Backends.IPS[1]).build());
    for (Thread caller : callers) {
      caller.join(60_000);
    }
    assertEquals(List.of(), new ArrayList<>(failures));
    assertEquals(threads * callsPerThread, succeeded.get());
  }

  @Test
  void healthCheckingSkipsAServerThatReportsNotServing() throws Exception {
    api.upsert(slice("backend-a", backends.port, Backends.IPS).build());
    backends.get(1).setServing(false);
    ManagedChannel channel = channel(target(), Fakes.provider(api).healthCheck("").build());
    warmUp(channel, Backends.IPS[0], Backends.IPS[2]);
    long[] before = backends.calls();
    for (int i = 0; i < 300; i++) {
      Backends.who(channel);
    }
    long[] after = backends.calls();
    assertEquals(0, after[1] - before[1], "the NOT_SERVING server got calls");
    assertEquals(300, (after[0] - before[0]) + (after[2] - before[2]));
    backends.get(1).setServing(true);
    warmUp(channel, Backends.IPS);
  }

  @Test
  void channelsOfOneServiceShareOneWatchReleasedWhenTheLastShutsDown() throws Exception {
    api.upsert(slice("backend-a", backends.port, Backends.IPS).build());
    KubernetesNameResolverProvider provider = Fakes.provider(api).build();
    ManagedChannel first = channel(target(), provider);
    ManagedChannel second = channel("kubernetes:///backend.shop.svc.cluster.local:" + backends.port, provider);
    ManagedChannel third = channel("kubernetes://shop/backend:" + backends.port, provider);
    warmUp(first, Backends.IPS);
    warmUp(second, Backends.IPS);
    warmUp(third, Backends.IPS);
    assertEquals(1, api.activeWatchCount());
    assertEquals(3, provider.stats().get(0).resolvers());
    assertEquals(3, provider.stats().get(0).endpoints());
    first.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    second.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    assertEquals(1, provider.stats().get(0).resolvers());
    api.sendBookmark();
    assertEquals(1, api.activeWatchCount(), "the last channel still holds the watch");
    warmUp(third, Backends.IPS);
    third.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    ResolverTest.awaitNoWatch(api);
    assertEquals(List.of(), provider.stats());
    assertTrue(api.awaitActiveWatches(0, Duration.ofSeconds(1)));
  }
}
