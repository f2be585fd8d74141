package dev.groupcache.grpc.resolver;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;

import dev.groupcache.discovery.KubernetesAccess;
import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import io.kubernetes.client.util.ClientBuilder;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The fake API server's side of the tests: access to it, slices of Service {@code backend} in {@code shop}. */
final class Fakes {
  static final String NS = "shop";
  static final String SERVICE = "backend";

  private Fakes() {}

  /** client-java pointed at the fake as a kubeconfig would, default namespace {@code shop}. */
  static KubernetesAccess access(FakeApiServer api) {
    return KubernetesAccess.of(new ClientBuilder().setBasePath(api.baseUrl()).setReadTimeout(Duration.ZERO).build(), NS);
  }

  static KubernetesNameResolverProvider.Builder provider(FakeApiServer api) {
    return KubernetesNameResolverProvider.builder().access(access(api));
  }

  /** A slice of {@code backend} with one port, named {@code grpc}, and these ready endpoints. */
  static EndpointSliceBuilder slice(String name, int port, String... ips) {
    EndpointSliceBuilder slice = endpointSlice(NS, name).serviceName(SERVICE).addPort("grpc", port, "TCP");
    for (String ip : ips) {
      slice.addEndpoint(ready(ip));
    }
    return slice;
  }

  static EndpointSliceBuilder.Endpoint ready(String ip) {
    return endpoint(ip).ready(true).serving(true).terminating(false).targetPod(NS, "pod-" + ip, "uid-" + ip);
  }

  static EndpointSliceBuilder.Endpoint terminating(String ip) {
    return endpoint(ip).ready(false).serving(true).terminating(true).targetPod(NS, "pod-" + ip, "uid-" + ip);
  }

  /** Waits up to 20 s, checking every 5 ms; fails with {@code what} otherwise. */
  static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what.get());
      }
      Thread.sleep(5);
    }
  }
}
