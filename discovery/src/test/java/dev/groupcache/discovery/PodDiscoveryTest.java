package dev.groupcache.discovery;

import static dev.groupcache.discovery.fake.PodBuilder.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pod discovery against the fake API server, through the real client-java. */
class PodDiscoveryTest {
  private FakeApiServer api;
  private PeerSource source;

  @BeforeEach
  void startApi() {
    api = FakeApiServer.startHttp();
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    api.close();
  }

  private boolean start(DiscoveryConfig.Builder config) {
    source = Sources.against(api, config);
    return source.start(Duration.ofSeconds(5));
  }

  private static DiscoveryConfig.Builder pods() {
    return DiscoveryConfig.builder().mode(DiscoveryMode.PODS).labelSelector("app=cache").port(7600)
        .debounce(Duration.ZERO);
  }

  private void awaitPeers(PeerSet expected) throws InterruptedException {
    Sources.awaitTrue(() -> source.current().equals(expected),
        () -> "peers " + source.current() + ", wanted " + expected + "; " + source.stats());
  }

  @Test
  void readyPodsWithAnIpAreMembersAndPodsBeingDeletedDrain() throws Exception {
    api.upsert(pod("shop", "a").label("app", "cache").podIP("10.0.0.1").ready(true).build());
    api.upsert(pod("shop", "b").label("app", "cache").podIP("10.0.0.2").ready(false).build());
    api.upsert(pod("shop", "c").label("app", "cache").ready(true).build()); // no IP yet
    api.upsert(pod("shop", "d").label("app", "cache").podIP("10.0.0.4").ready(true)
        .deletionTimestamp(Instant.now()).build());
    api.upsert(pod("shop", "e").label("app", "web").podIP("10.0.0.5").ready(true).build());
    assertTrue(start(pods()));
    assertEquals(new PeerSet(List.of("10.0.0.1:7600"), List.of("10.0.0.4:7600")), source.current());
    api.upsert(pod("shop", "b").label("app", "cache").podIP("10.0.0.2").ready(true).build());
    awaitPeers(new PeerSet(List.of("10.0.0.1:7600", "10.0.0.2:7600"), List.of("10.0.0.4:7600")));
    api.delete(ResourceKind.POD, "shop", "d");
    api.upsert(pod("shop", "a").label("app", "other").podIP("10.0.0.1").ready(true).build()); // leaves the selector
    awaitPeers(new PeerSet(List.of("10.0.0.2:7600"), List.of()));
  }

  @Test
  void podBookmarksDoNotCauseRelistStorms() throws Exception {
    api.upsert(pod("shop", "a").label("app", "cache").podIP("10.0.0.1").ready(true).build());
    assertTrue(start(pods()));
    assertTrue(api.awaitActiveWatches(1, Duration.ofSeconds(10)));
    for (int i = 0; i < 5; i++) {
      api.sendBookmark(); // client-java's typed watch fails on each of these (#4160)
      Thread.sleep(50);
    }
    api.upsert(pod("shop", "b").label("app", "cache").podIP("10.0.0.2").ready(true).build());
    awaitPeers(new PeerSet(List.of("10.0.0.1:7600", "10.0.0.2:7600"), List.of()));
    assertEquals(0, source.stats().relists(), source.stats().toString());
    assertEquals(0, source.stats().watchRestarts(), source.stats().toString());
    assertEquals(1, api.requests(r -> !r.isWatch()).size(), "one list in all");
  }

  @Test
  void theNamedContainerPortAndTheFamilyOfDualStackPods() throws Exception {
    api.upsert(pod("shop", "a").label("app", "cache").podIP("10.0.0.1", "fd00::1").ready(true)
        .containerPort("groupcache", 7601).build());
    assertTrue(start(DiscoveryConfig.builder().mode(DiscoveryMode.PODS).labelSelector("app=cache")
        .portName("groupcache").debounce(Duration.ZERO)));
    assertEquals(List.of("10.0.0.1:7601"), source.current().peers());
    source.close();
    assertTrue(start(DiscoveryConfig.builder().mode(DiscoveryMode.PODS).labelSelector("app=cache")
        .portName("groupcache").addressFamily(AddressFamily.IPV6).debounce(Duration.ZERO)));
    assertEquals(List.of("[fd00::1]:7601"), source.current().peers());
  }

  @Test
  void setBasedSelectorsAreSentAsGiven() throws Exception {
    api.upsert(pod("shop", "a").label("app", "cache").label("tier", "gold").podIP("10.0.0.1").ready(true).build());
    api.upsert(pod("shop", "b").label("app", "cache").label("tier", "bronze").podIP("10.0.0.2").ready(true).build());
    assertTrue(start(DiscoveryConfig.builder().mode(DiscoveryMode.PODS).labelSelector("app=cache,tier in (gold,silver)")
        .port(7600).debounce(Duration.ZERO)));
    assertEquals(List.of("10.0.0.1:7600"), source.current().peers());
  }
}
