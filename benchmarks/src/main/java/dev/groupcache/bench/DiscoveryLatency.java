package dev.groupcache.bench;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;

import dev.groupcache.discovery.Discovery;
import dev.groupcache.discovery.DiscoveryConfig;
import dev.groupcache.discovery.KubernetesAccess;
import dev.groupcache.discovery.PeerSet;
import dev.groupcache.discovery.PeerSource;
import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Discovery's propagation time: from a change written to the (fake) API server to the listeners'
 * call, through a real HTTP watch and client-java, with the debounce set to 0 so that it is
 * excluded. Runs in the driver's JVM; each change adds or removes one endpoint of a 3-slice
 * Service.
 */
final class DiscoveryLatency {
  private static final int CHANGES = 1_000;
  private static final int WARMUP = 200;

  private DiscoveryLatency() {}

  static void run(Options options, Results results) {
    int changes = Math.max(50, (int) (CHANGES * options.scale()));
    int warmup = Math.max(10, (int) (WARMUP * options.scale()));
    try (FakeApiServer api = FakeApiServer.startHttp()) {
      for (int s = 0; s < 3; s++) {
        api.upsert(slice(s, 40).build());
      }
      KubernetesAccess access = KubernetesAccess.of(
          new ClientBuilder().setBasePath(api.baseUrl()).setReadTimeout(Duration.ZERO).build(), "bench");
      LinkedBlockingQueue<Long> heardAt = new LinkedBlockingQueue<>();
      try (PeerSource source = Discovery.create(DiscoveryConfig.builder().service("cache").port(7600)
          .debounce(Duration.ZERO).access(access).build())) {
        if (!source.start(Duration.ofSeconds(30))) {
          throw new IllegalStateException("discovery did not sync: " + source.stats());
        }
        source.addListener((PeerSet set) -> heardAt.add(System.nanoTime()));
        poll(heardAt); // the call with the current set
        long[] millis = new long[changes];
        for (int i = 0; i < warmup + changes; i++) {
          int size = 40 + ((i / 3) % 2 == 0 ? 1 : 0); // each slice in turn gains or loses an endpoint
          long written = System.nanoTime();
          api.upsert(slice(i % 3, size).build());
          long heard = poll(heardAt);
          if (i >= warmup) {
            millis[i - warmup] = heard - written;
          }
        }
        Arrays.sort(millis);
        results.put(SystemUnderTest.OURS, "discovery.event_to_listener_p50_ms",
            millis[changes / 2] / 1e6, Unit.MILLIS);
        results.put(SystemUnderTest.OURS, "discovery.event_to_listener_p99_ms",
            millis[(int) (changes * 0.99)] / 1e6, Unit.MILLIS);
      }
    }
  }

  private static EndpointSliceBuilder slice(int s, int endpoints) {
    EndpointSliceBuilder slice = endpointSlice("bench", "cache-" + s).serviceName("cache")
        .addPort("groupcache", 7600, "TCP");
    for (int i = 1; i <= endpoints; i++) {
      slice.addEndpoint(endpoint("10." + s + ".0." + i).ready(true).targetPod("pod-" + s + "-" + i));
    }
    return slice;
  }

  private static long poll(LinkedBlockingQueue<Long> heardAt) {
    try {
      Long at = heardAt.poll(30, TimeUnit.SECONDS);
      if (at == null) {
        throw new IllegalStateException("no listener call within 30 s");
      }
      return at;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
