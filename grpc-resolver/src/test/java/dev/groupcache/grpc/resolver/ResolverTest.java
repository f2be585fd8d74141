package dev.groupcache.grpc.resolver;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.grpc.resolver.Fakes.NS;
import static dev.groupcache.grpc.resolver.Fakes.ready;
import static dev.groupcache.grpc.resolver.Fakes.slice;
import static dev.groupcache.grpc.resolver.Fakes.terminating;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import io.grpc.NameResolver;
import io.grpc.Status;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The resolver driven directly, against the fake API server: what it tells a channel, and when. */
class ResolverTest {
  private FakeApiServer api;
  private KubernetesNameResolverProvider provider;
  private final Recorder channel = new Recorder();
  private final List<NameResolver> resolvers = new ArrayList<>();

  @BeforeEach
  void start() {
    api = FakeApiServer.startHttp();
    provider = Fakes.provider(api).build();
  }

  @AfterEach
  void stop() {
    resolvers.forEach(channel::shutdown);
    api.close();
    assertEquals(List.of(), channel.uncaught);
  }

  private NameResolver resolve(String target) {
    NameResolver resolver = provider.newNameResolver(URI.create(target), channel.args);
    resolvers.add(resolver);
    channel.start(resolver);
    return resolver;
  }

  @Test
  void readyNullIsReadyWhileNotReadyAndTerminatingAreLeftOut() throws Exception {
    api.upsert(EndpointSliceBuilder.endpointSlice(NS, "backend-a").serviceName("backend").addPort("grpc", 7000, "TCP")
        .addEndpoint(ready("10.0.0.1"))
        .addEndpoint(endpoint("10.0.0.2").targetPod(NS, "pod-2", "uid-2")) // no conditions at all
        .addEndpoint(endpoint("10.0.0.3").ready(false).targetPod(NS, "pod-3", "uid-3"))
        .addEndpoint(terminating("10.0.0.4"))
        .build());
    resolve("kubernetes:///backend.shop:8080");
    NameResolver.ResolutionResult result = channel.awaitAddresses("10.0.0.1:8080", "10.0.0.2:8080");
    assertEquals("round_robin", Recorder.policy(result));
    ResolverStats stats = provider.stats().get(0);
    assertEquals(2, stats.endpoints());
    assertEquals(1, stats.draining());
  }

  @Test
  void allSlicesOfTheServiceAreAggregated() throws Exception {
    api.upsert(slice("backend-a", 7000, "10.0.0.1", "10.0.0.2").build());
    api.upsert(slice("backend-b", 7000, "10.0.0.3").build());
    api.upsert(EndpointSliceBuilder.endpointSlice(NS, "other-a").serviceName("other").addPort("grpc", 7000, "TCP")
        .addEndpoint(ready("10.9.9.9")).build());
    resolve("kubernetes:///backend.shop:8080");
    channel.awaitAddresses("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080");
    api.upsert(slice("backend-b", 7000, "10.0.0.3", "10.0.0.4").build()); // one slice changes: both still count
    channel.awaitAddresses("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.4:8080");
    api.delete(ResourceKind.ENDPOINT_SLICE, NS, "backend-a"); // only its own endpoints go
    channel.awaitAddresses("10.0.0.3:8080", "10.0.0.4:8080");
  }

  @Test
  void namedPortsAreLookedUpInEachSlice() throws Exception {
    api.upsert(slice("backend-a", 7001, "10.0.0.1").addPort("metrics", 9090, "TCP").build());
    api.upsert(slice("backend-b", 7002, "10.0.0.2").build());
    resolve("kubernetes:///backend.shop:grpc");
    channel.awaitAddresses("10.0.0.1:7001", "10.0.0.2:7002");
    resolve("kubernetes://shop/backend:nope");
    Status error = channel.awaitError();
    assertEquals(Status.Code.UNAVAILABLE, error.getCode());
    assertTrue(error.getDescription().contains("service shop/backend has no port named 'nope'"), error.toString());
    assertTrue(error.getDescription().contains("[grpc, metrics]"), error.toString());
  }

  @Test
  void anEmptySetIsPushedAndTheEndpointsComeBack() throws Exception {
    api.upsert(slice("backend-a", 7000, "10.0.0.1").build());
    resolve("kubernetes:///backend.shop:8080");
    channel.awaitAddresses("10.0.0.1:8080");
    api.upsert(slice("backend-a", 7000).addEndpoint(terminating("10.0.0.1")).build());
    NameResolver.ResolutionResult empty = channel.awaitAddresses();
    assertEquals("pick_first", Recorder.policy(empty), "round_robin would ignore an empty list while READY");
    assertEquals("service shop/backend has no ready endpoints (1 terminating)",
        empty.getAttributes().get(KubernetesNameResolver.EMPTY_REASON));
    api.upsert(slice("backend-a", 7000, "10.0.0.2").build());
    assertEquals("round_robin", Recorder.policy(channel.awaitAddresses("10.0.0.2:8080")));
  }

  @Test
  void refreshAnswersAgainWithTheCurrentSet() throws Exception {
    api.upsert(slice("backend-a", 7000, "10.0.0.1").build());
    NameResolver resolver = resolve("kubernetes:///backend.shop:8080");
    channel.awaitAddresses("10.0.0.1:8080");
    channel.refresh(resolver);
    channel.awaitAddresses("10.0.0.1:8080");
    assertEquals(1, provider.stats().get(0).updates(), "a refresh that finds nothing new is not an update");
  }

  @Test
  void anUnknownServiceIsAnErrorNamingIt() throws Exception {
    resolve("kubernetes:///backend.shop:8080");
    Status error = channel.awaitError();
    assertEquals(Status.Code.UNAVAILABLE, error.getCode());
    assertTrue(error.getDescription().contains("service shop/backend not found"), error.toString());
    ResolverStats stats = provider.stats().get(0);
    assertEquals(1, stats.resolutionErrors());
    assertEquals(error.getDescription(), stats.lastError());
    api.upsert(slice("backend-a", 7000, "10.0.0.1").build()); // the Service is created
    channel.awaitAddresses("10.0.0.1:8080");
  }

  @Test
  void aRefusalNamesTheRoleRuleThatIsMissing() throws Exception {
    api.upsert(slice("backend-a", 7000, "10.0.0.1").build());
    api.forbid(ResourceKind.ENDPOINT_SLICE, "system:serviceaccount:shop:client");
    resolve("kubernetes:///backend.shop:8080");
    Status error = channel.awaitError();
    assertEquals(Status.Code.UNAVAILABLE, error.getCode());
    String d = error.getDescription();
    assertTrue(d.contains("forbidden to list and watch the EndpointSlices of service shop/backend"), d);
    assertTrue(d.contains("system:serviceaccount:shop:client"), d);
    assertTrue(d.contains("{apiGroups: [\"discovery.k8s.io\"], resources: [\"endpointslices\"], "
        + "verbs: [\"get\", \"list\", \"watch\"]}"), d);
    assertTrue(provider.stats().get(0).discovery().forbidden());
    api.allow(ResourceKind.ENDPOINT_SLICE); // the Role is granted: the watch recovers by itself
    channel.awaitAddresses("10.0.0.1:8080");
  }

  @Test
  void theNamespaceDefaultsToTheAccessesOwnAndTheAuthorityIsServiceDotNamespace() throws Exception {
    api.upsert(slice("backend-a", 7000, "10.0.0.1").build());
    NameResolver resolver = resolve("kubernetes:///backend:8080");
    assertEquals("backend.shop", resolver.getServiceAuthority());
    channel.awaitAddresses("10.0.0.1:8080");
    assertEquals("shop", provider.stats().get(0).namespace());
    KubernetesNameResolverProvider custom = Fakes.provider(api)
        .authority(t -> t.service() + "." + t.namespace() + ".svc.cluster.local").build();
    assertEquals("backend.shop.svc.cluster.local",
        custom.newNameResolver(URI.create("kubernetes://shop/backend:8080"), channel.args).getServiceAuthority());
  }

  @Test
  void resolversOfOneServiceShareOneWatchUntilTheLastShutsDown() throws Exception {
    api.upsert(slice("backend-a", 7000, "10.0.0.1").build());
    NameResolver first = resolve("kubernetes:///backend.shop:8080");
    channel.awaitAddresses("10.0.0.1:8080");
    Recorder other = new Recorder();
    NameResolver second = provider.newNameResolver(URI.create("kubernetes://shop/backend:9090"), other.args);
    other.start(second);
    other.awaitAddresses("10.0.0.1:9090"); // its own port, from the same watch
    assertTrue(api.awaitActiveWatches(1, java.time.Duration.ofSeconds(10)));
    assertEquals(1, api.activeWatchCount());
    ResolverStats stats = provider.stats().get(0);
    assertEquals(2, stats.resolvers());
    assertEquals("#", stats.port());
    other.shutdown(second);
    channel.shutdown(first);
    resolvers.clear();
    awaitNoWatch(api);
    assertEquals(List.of(), provider.stats());
    assertNotNull(other);
  }

  /** Waits until the fake serves no watch; a bookmark reveals a watch whose client has gone. */
  static void awaitNoWatch(FakeApiServer api) throws InterruptedException {
    Fakes.await(() -> {
      api.sendBookmark();
      return api.activeWatchCount() == 0;
    }, () -> api.activeWatchCount() + " watches still open");
  }
}
