package dev.groupcache.discovery;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static dev.groupcache.discovery.Sources.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.EndpointSliceBuilder;
import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import dev.groupcache.discovery.fake.UnknownField;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EndpointSlice discovery against the fake API server, through the real client-java. */
class EndpointSliceDiscoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private FakeApiServer api;
  private PeerSource source;
  private final LinkedBlockingQueue<PeerSet> heard = new LinkedBlockingQueue<>();

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

  private boolean start(DiscoveryConfig.Builder config) throws Exception {
    source = Sources.against(api, config);
    boolean synced = source.start(Duration.ofSeconds(5));
    source.addListener(heard::add);
    return synced;
  }

  private static DiscoveryConfig.Builder cache() {
    return DiscoveryConfig.builder().service("cache").port(7600).debounce(Duration.ZERO);
  }

  private static EndpointSliceBuilder slice(String name, String... ips) {
    EndpointSliceBuilder slice = endpointSlice("shop", name).serviceName("cache").addPort("groupcache", 7600, "TCP");
    for (String ip : ips) {
      slice.addEndpoint(endpoint(ip).ready(true).targetPod("shop", "pod-" + ip, "uid-" + ip));
    }
    return slice;
  }

  /** Waits until the published set has exactly these peers. */
  private void awaitPeers(String... peers) throws InterruptedException {
    awaitTrue(() -> source.current().peers().equals(List.of(peers)),
        () -> "peers " + source.current().peers() + ", wanted " + List.of(peers) + "; " + source.stats());
  }

  @Test
  void listenersHearTheFirstSyncedSetEvenEmptyAndWhyTheSourceCannotSync() throws Exception {
    api.forbid(ResourceKind.ENDPOINT_SLICE);
    LinkedBlockingQueue<String> failures = new LinkedBlockingQueue<>();
    source = Sources.against(api, cache());
    source.addListener(new PeerListener() { // before start: it hears everything from the first sync
      @Override
      public void peersChanged(PeerSet peers) {
        heard.add(peers);
      }

      @Override
      public void failed(String problem, boolean refused) {
        failures.add(refused + " " + problem);
      }
    });
    assertFalse(source.start(Duration.ofSeconds(1)), "refused: not synced");
    String failure = failures.poll(5, TimeUnit.SECONDS);
    assertTrue(failure != null && failure.startsWith("true "), "told of the refusal: " + failure);
    assertEquals(0, heard.size(), "no set before the sync");

    api.allow(ResourceKind.ENDPOINT_SLICE);
    PeerSet first = heard.poll(20, TimeUnit.SECONDS);
    assertEquals(List.of(), first == null ? null : first.peers(), "the first synced set, empty as it is");
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertEquals(List.of("10.0.0.1:7600"), heard.poll(20, TimeUnit.SECONDS).peers());
  }

  @Test
  void syncsTheUnionOfTheServicesSlicesSelectedServerSide() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1", "10.0.0.2").build());
    api.upsert(slice("cache-b", "10.0.0.3").build());
    api.upsert(endpointSlice("shop", "other-x").serviceName("other").addPort("groupcache", 7600, "TCP")
        .addEndpoint(endpoint("10.9.9.9").ready(true)).build());
    assertTrue(start(cache()));
    assertTrue(source.isReady());
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600", "10.0.0.3:7600"), source.current().peers());
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600", "10.0.0.3:7600"), heard.poll(5, TimeUnit.SECONDS).peers(),
        "a listener added after the sync hears the current set");
    assertTrue(api.requests(r -> !r.isWatch()).stream().allMatch(
        r -> "kubernetes.io/service-name=cache".equals(r.param("labelSelector"))), "selected server-side");
  }

  @Test
  void followsAddsModificationsDeletionsAndLabelChanges() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertTrue(start(cache()));
    api.upsert(slice("cache-b", "10.0.0.2").build());
    awaitPeers("10.0.0.1:7600", "10.0.0.2:7600");
    api.upsert(slice("cache-a", "10.0.0.1", "10.0.0.4").build()); // modified
    awaitPeers("10.0.0.1:7600", "10.0.0.2:7600", "10.0.0.4:7600");
    api.delete(ResourceKind.ENDPOINT_SLICE, "shop", "cache-b"); // only its own endpoints go
    awaitPeers("10.0.0.1:7600", "10.0.0.4:7600");
    api.upsert(slice("cache-a", "10.0.0.1", "10.0.0.4").serviceName("moved").build()); // out of the selector
    awaitPeers();
    api.upsert(slice("cache-a", "10.0.0.5").build()); // back in
    awaitPeers("10.0.0.5:7600");
    assertEquals(0, source.stats().relists(), "no re-list for ordinary changes");
  }

  @Test
  void threeSlicesOfOneServiceWithMoreThanAHundredEndpoints() throws Exception {
    List<String> expected = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      List<String> ips = new ArrayList<>();
      for (int i = 0; i < (s < 2 ? 100 : 20); i++) {
        String ip = "10.1." + s + "." + (i + 1);
        ips.add(ip);
        expected.add(ip + ":7600");
      }
      api.upsert(slice("cache-" + s, ips.toArray(new String[0])).build());
    }
    assertTrue(start(cache()));
    assertEquals(220, source.current().peers().size());
    assertEquals(new PeerSet(expected, List.of()), source.current());
    api.delete(ResourceKind.ENDPOINT_SLICE, "shop", "cache-1");
    awaitTrue(() -> source.current().peers().size() == 120, () -> source.current().peers().size() + " peers");
  }

  @Test
  void readyNullIsReadyFalseIsOutAndTerminatingDrains() throws Exception {
    api.upsert(endpointSlice("shop", "cache-a").serviceName("cache").addPort("groupcache", 7600, "TCP")
        .addEndpoint(endpoint("10.0.0.1").ready(null).targetPod("p1"))
        .addEndpoint(endpoint("10.0.0.2").ready(true).targetPod("p2"))
        .addEndpoint(endpoint("10.0.0.3").ready(false).targetPod("p3"))
        .addEndpoint(endpoint("10.0.0.4").ready(false).serving(true).terminating(true).targetPod("p4"))
        .build());
    assertTrue(start(cache()));
    assertEquals(new PeerSet(List.of("10.0.0.1:7600", "10.0.0.2:7600"), List.of("10.0.0.4:7600")), source.current());
  }

  @Test
  void aDualStackPodIsOnePeerInTheChosenFamily() throws Exception {
    api.upsert(endpointSlice("shop", "cache-v4").serviceName("cache").addressType("IPv4").addPort("groupcache", 7600, "TCP")
        .addEndpoint(endpoint("10.0.0.1").ready(true).targetPod("shop", "p1", "uid-1"))
        .addEndpoint(endpoint("10.0.0.2").ready(true).targetPod("shop", "p2", "uid-2")).build());
    api.upsert(endpointSlice("shop", "cache-v6").serviceName("cache").addressType("IPv6").addPort("groupcache", 7600, "TCP")
        .addEndpoint(endpoint("fd00::1").ready(true).targetPod("shop", "p1", "uid-1"))
        .addEndpoint(endpoint("fd00::2").ready(true).targetPod("shop", "p2", "uid-2")).build());
    assertTrue(start(cache()));
    assertEquals(List.of("10.0.0.1:7600", "10.0.0.2:7600"), source.current().peers());
    source.close();
    assertTrue(start(cache().addressFamily(AddressFamily.IPV6)));
    assertEquals(List.of("[fd00::1]:7600", "[fd00::2]:7600"), source.current().peers());
  }

  @Test
  void thePortComesFromTheSliceByName() throws Exception {
    api.upsert(endpointSlice("shop", "cache-a").serviceName("cache").addPort("http", 8080, "TCP")
        .addPort("groupcache", 7601, "TCP").addEndpoint(endpoint("10.0.0.1").ready(true)).build());
    assertTrue(start(DiscoveryConfig.builder().service("cache").portName("groupcache").debounce(Duration.ZERO)));
    assertEquals(List.of("10.0.0.1:7601"), source.current().peers());
  }

  @Test
  void aCleanEndOfTheWatchResumesFromTheLastVersionWithoutAList() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertTrue(start(cache()));
    assertTrue(api.awaitActiveWatches(1, WAIT));
    long lists = api.requests(r -> !r.isWatch()).size();
    String version = String.valueOf(api.resourceVersion());
    api.endAllWatches();
    api.upsert(slice("cache-b", "10.0.0.2").build());
    awaitPeers("10.0.0.1:7600", "10.0.0.2:7600");
    assertEquals(lists, api.requests(r -> !r.isWatch()).size(), "re-listed after a clean end");
    assertTrue(api.requests(r -> r.isWatch() && version.equals(r.param("resourceVersion"))).size() >= 1);
    assertTrue(source.stats().watchRestarts() >= 1);
  }

  @Test
  void aCutConnectionResumesAndMissesNothing() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertTrue(start(cache()));
    assertTrue(api.awaitActiveWatches(1, WAIT));
    api.cutAllWatches();
    api.upsert(slice("cache-b", "10.0.0.2").build()); // happens while the watch is down
    awaitPeers("10.0.0.1:7600", "10.0.0.2:7600");
  }

  @Test
  void deletionsLostInAWatchGapAreHandledByTheRelistAfter410() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    api.upsert(slice("cache-b", "10.0.0.2").build());
    assertTrue(start(cache()));
    assertTrue(api.awaitActiveWatches(1, WAIT));
    api.stop(); // the watch is cut and nothing can reconnect
    api.delete(ResourceKind.ENDPOINT_SLICE, "shop", "cache-b");
    api.upsert(slice("cache-c", "10.0.0.3").build());
    api.compact(); // the history the watch would resume from is gone: in-stream 410 Expired
    api.start();
    awaitPeers("10.0.0.1:7600", "10.0.0.3:7600");
    assertTrue(source.stats().relists() >= 1, source.stats().toString());
    assertTrue(api.requests(r -> !r.isWatch() && (r.param("resourceVersion") == null || r.param("resourceVersion").isEmpty())).size() >= 2);
  }

  @Test
  void listsAnsweredWith410Or500AreRetried() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    api.failNextLists(1, 410);
    api.failNextLists(2, 500);
    assertTrue(start(cache().debounce(Duration.ZERO)) || awaitReady());
    assertEquals(List.of("10.0.0.1:7600"), source.current().peers());
    assertTrue(api.requests(r -> !r.isWatch()).size() >= 4, "three failed lists, then one that worked");
  }

  private boolean awaitReady() throws InterruptedException {
    awaitTrue(source::isReady, () -> source.stats().toString());
    return true;
  }

  @Test
  void retriesBackOffExponentiallyWithJitter() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    api.failNextLists(4, 500);
    start(cache());
    awaitTrue(source::isReady, () -> source.stats().toString());
    List<java.time.Instant> lists = api.requests(r -> !r.isWatch()).stream()
        .map(dev.groupcache.discovery.fake.RecordedRequest::time).toList();
    assertEquals(5, lists.size(), "four refused lists, then one that worked");
    double previous = 0;
    for (int i = 1; i < lists.size(); i++) {
      double gap = Duration.between(lists.get(i - 1), lists.get(i)).toMillis();
      double base = ListWatch.INITIAL_BACKOFF_MILLIS * Math.pow(2, i - 1); // 500, 1000, 2000, 4000
      assertTrue(gap >= base * 0.8 && gap <= base * 1.2 + 300, "gap " + i + " = " + gap + " ms, base " + base);
      assertTrue(gap > previous, "backoff grows");
      previous = gap;
    }
  }

  @Test
  void aServerThatGoesDownAndComesBackIsFollowedAgain() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertTrue(start(cache()));
    assertTrue(api.awaitActiveWatches(1, WAIT));
    api.stop();
    Thread.sleep(1_500); // a few refused reconnections
    api.upsert(slice("cache-a", "10.0.0.1", "10.0.0.2").build());
    api.start();
    awaitPeers("10.0.0.1:7600", "10.0.0.2:7600");
    assertTrue(source.isReady());
    assertTrue(source.stats().lastError() == null || source.isReady());
  }

  @Test
  void bookmarksAdvanceTheVersionWithoutEventsOrLists() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertTrue(start(cache()));
    assertTrue(api.awaitActiveWatches(1, WAIT));
    assertTrue(api.requests(r -> r.isWatch()).stream()
        .allMatch(r -> "true".equals(r.param("allowWatchBookmarks"))), "bookmarks asked for");
    api.upsert(endpointSlice("shop", "unrelated").serviceName("other").addPort("x", 1, "TCP").build()); // moves the version on
    long bookmark = api.sendBookmark();
    long events = source.stats().events();
    Thread.sleep(300);
    api.endAllWatches();
    awaitTrue(() -> api.requests(r -> r.isWatch() && String.valueOf(bookmark).equals(r.param("resourceVersion"))).size() == 1,
        () -> "no watch resumed from the bookmark's version " + bookmark + ": " + api.requests(r -> r.isWatch()));
    assertEquals(events, source.stats().events(), "a bookmark is not an event");
    assertEquals(0, source.stats().relists());
  }

  @Test
  void fieldsUnknownToClientJavaDoNotBreakDiscovery() throws Exception {
    api.injectUnknownFields(UnknownField.values());
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertTrue(start(cache()), "client-java's own informer never syncs here (#3428, #4809)");
    api.upsert(slice("cache-a", "10.0.0.1", "10.0.0.2").build());
    awaitPeers("10.0.0.1:7600", "10.0.0.2:7600");
  }

  @Test
  void listenersHearOnlyRealChangesAndBurstsAreCoalesced() throws Exception {
    api.upsert(slice("cache-a", "10.0.0.1").build());
    assertTrue(start(cache().debounce(Duration.ofMillis(300))));
    assertEquals(List.of("10.0.0.1:7600"), heard.poll(5, TimeUnit.SECONDS).peers());
    for (int i = 2; i <= 6; i++) { // a burst of five changes inside the debounce
      api.upsert(slice("cache-" + i, "10.0.0." + i).build());
    }
    PeerSet after = heard.poll(5, TimeUnit.SECONDS);
    assertEquals(6, after.peers().size(), "the burst arrives as one set: " + after);
    api.upsert(slice("cache-2", "10.0.0.2").label("note", "relabelled but same endpoints").build());
    assertEquals(null, heard.poll(1, TimeUnit.SECONDS), "a change that leaves the set alone is not told");
  }
}
