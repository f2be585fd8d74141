package dev.groupcache.discovery.fake;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static dev.groupcache.discovery.fake.PodBuilder.pod;
import static dev.groupcache.discovery.fake.Wire.ES_PATH;
import static dev.groupcache.discovery.fake.Wire.POD_PATH;
import static dev.groupcache.discovery.fake.Wire.STEP;
import static dev.groupcache.discovery.fake.Wire.enc;
import static dev.groupcache.discovery.fake.Wire.label;
import static dev.groupcache.discovery.fake.Wire.name;
import static dev.groupcache.discovery.fake.Wire.rv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Watch semantics on the raw wire: replay, expiry, selector transitions, endings, bookmarks. */
@Timeout(30)
class FakeApiServerWatchConformanceTest {
    private FakeApiServer api;
    private HttpClient http;

    @BeforeEach
    void start() {
        api = FakeApiServer.startHttp();
        http = Wire.client();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private WatchLines watch(String pathFormat, String namespace, String query) throws Exception {
        return WatchLines.open(http, api.baseUrl() + String.format(pathFormat, namespace) + "?" + query);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"watch=true", "watch=1", "watch=true&resourceVersion=", "watch=true&resourceVersion=0",
        "resourceVersion=0&watch=true&allowWatchBookmarks=false"})
    void aWatchWithoutAResourceVersionStartsWithSyntheticAddedEvents(String query) throws Exception {
        api.upsert(endpointSlice("shop", "b").build());
        api.upsert(endpointSlice("shop", "a").build());
        api.upsert(endpointSlice("elsewhere", "c").build());
        api.upsert(endpointSlice("shop", "a").addEndpoint(endpoint("10.0.0.1")).build());

        try (WatchLines w = watch(ES_PATH, "shop", query)) {
            HttpResponse<?> response = w.response();
            assertEquals("chunked", response.headers().firstValue("Transfer-Encoding").orElseThrow());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());

            JsonObject a = w.expect("ADDED", STEP);
            assertEquals("a", name(a));
            assertEquals("104", rv(a), "the object's own current resourceVersion");
            assertEquals("EndpointSlice", a.get("kind").getAsString(), "watch objects carry kind");
            assertEquals("discovery.k8s.io/v1", a.get("apiVersion").getAsString());
            assertEquals("b", name(w.expect("ADDED", STEP)));

            api.upsert(endpointSlice("shop", "d").build());
            JsonObject d = w.expect("ADDED", STEP);
            assertEquals("d", name(d));
            assertEquals("105", rv(d));
        }
    }

    @Test
    void aWatchFromNReplaysTheHistoryAfterNThenGoesLive() throws Exception {
        api.upsert(pod("shop", "p").podIP("10.0.0.1").build());       // 101
        api.upsert(pod("shop", "p").podIP("10.0.0.2").build());       // 102
        api.upsert(pod("shop", "q").build());                         // 103
        api.delete(ResourceKind.POD, "shop", "q");                    // 104

        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=101")) {
            JsonObject modified = w.expect("MODIFIED", STEP);
            assertEquals("102", rv(modified));
            assertEquals("10.0.0.2", modified.getAsJsonObject("status").get("podIP").getAsString());
            assertEquals("Pod", modified.get("kind").getAsString());
            assertEquals("103", rv(w.expect("ADDED", STEP)));
            JsonObject deleted = w.expect("DELETED", STEP);
            assertEquals("q", name(deleted));
            assertEquals("104", rv(deleted));

            api.upsert(pod("shop", "r").build());
            assertEquals("105", rv(w.expect("ADDED", STEP)));
        }
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=105")) {
            api.upsert(pod("shop", "s").build());
            JsonObject s = w.expect("ADDED", STEP);
            assertEquals("s", name(s), "nothing replayed from the current version");
        }
    }

    @Test
    void deletedCarriesTheLastStateWithTheDeletionsResourceVersion() throws Exception {
        api.upsert(pod("shop", "p").label("app", "peer").podIP("10.0.0.9").ready(true).build());
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=101")) {
            api.delete(ResourceKind.POD, "shop", "p");
            JsonObject deleted = w.expect("DELETED", STEP);
            assertEquals("102", rv(deleted));
            assertEquals("peer", label(deleted, "app"));
            assertEquals("10.0.0.9", deleted.getAsJsonObject("status").get("podIP").getAsString());
        }
    }

    @Test
    void aWatchFromBeforeACompactionGetsTheExactInStream410AndTheEnd() throws Exception {
        api.upsert(endpointSlice("shop", "a").build());   // 101
        api.upsert(endpointSlice("shop", "b").build());   // 102
        api.compact();

        RawHttp.Response raw = RawHttp.get(api.port(), String.format(ES_PATH, "shop") + "?resourceVersion=101&watch=true", 5_000);
        assertEquals(200, raw.status());
        assertTrue(raw.isChunked());
        assertEquals("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                + "\"status\":\"Failure\",\"message\":\"too old resource version: 101 (102)\",\"reason\":\"Expired\","
                + "\"code\":410}}\n", raw.body());
        assertTrue(raw.terminatingChunkSeen(), "a clean end of stream after the error");

        // From the compaction point itself a watch is fine.
        try (WatchLines w = watch(ES_PATH, "shop", "watch=true&resourceVersion=102")) {
            api.upsert(endpointSlice("shop", "c").build());
            assertEquals("c", name(w.expect("ADDED", STEP)));
        }
    }

    @Test
    void aBoundedHistoryExpiresWatchesFromVersionsItNoLongerHolds() throws Exception {
        api.setHistoryLimit(2);
        for (String n : List.of("a", "b", "c", "d")) {
            api.upsert(pod("shop", n).build());                   // 101..104
        }
        assertEquals(102, api.oldestWatchableResourceVersion());
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=101")) {
            JsonObject error = w.expect("ERROR", STEP);
            assertEquals("too old resource version: 101 (102)", error.get("message").getAsString());
            assertTrue(w.awaitEnd(STEP).clean());
        }
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=102")) {
            assertEquals("c", name(w.expect("ADDED", STEP)));
            assertEquals("d", name(w.expect("ADDED", STEP)));
        }
    }

    @Test
    void selectorTransitionsFollowTheWatchCache() throws Exception {
        long start = api.resourceVersion();
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=" + start
                + "&labelSelector=" + enc("app in (peer)"))) {
            api.upsert(pod("shop", "x").label("app", "peer").podIP("10.0.0.1").build());     // 101 in
            JsonObject added = w.expect("ADDED", STEP);
            assertEquals("101", rv(added));

            api.upsert(pod("shop", "x").label("app", "peer").podIP("10.0.0.2").build());     // 102 stays in
            JsonObject modified = w.expect("MODIFIED", STEP);
            assertEquals("102", rv(modified));
            assertEquals("10.0.0.2", modified.getAsJsonObject("status").get("podIP").getAsString());

            api.upsert(pod("shop", "x").label("app", "other").podIP("10.0.0.3").build());    // 103 moves out
            JsonObject out = w.expect("DELETED", STEP);
            assertEquals("103", rv(out), "the new resourceVersion");
            assertEquals("peer", label(out, "app"), "the previous content");
            assertEquals("10.0.0.2", out.getAsJsonObject("status").get("podIP").getAsString(), "the previous content");

            api.upsert(pod("shop", "x").label("app", "other").podIP("10.0.0.4").build());    // 104 unselected change
            api.upsert(pod("shop", "y").label("app", "other").build());                       // 105 never selected
            api.upsert(pod("elsewhere", "z").label("app", "peer").build());                   // 106 other namespace
            api.delete(ResourceKind.POD, "shop", "y");                                        // 107 unselected delete

            api.upsert(pod("shop", "x").label("app", "peer").podIP("10.0.0.5").build());     // 108 moves in
            JsonObject in = w.expect("ADDED", STEP);
            assertEquals("108", rv(in), "nothing was sent for 104..107");
            assertEquals("10.0.0.5", in.getAsJsonObject("status").get("podIP").getAsString());

            api.delete(ResourceKind.POD, "shop", "x");                                         // 109
            assertEquals("109", rv(w.expect("DELETED", STEP)));
        }
        // The same transitions are replayed from history.
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=" + start
                + "&labelSelector=" + enc("app=peer"))) {
            List<String> seen = List.of("ADDED", "MODIFIED", "DELETED", "ADDED", "DELETED");
            List<String> rvs = List.of("101", "102", "103", "108", "109");
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(rvs.get(i), rv(w.expect(seen.get(i), STEP)));
            }
        }
    }

    @Test
    void aFieldSelectorOnAWatchAcrossAllNamespaces() throws Exception {
        try (WatchLines w = WatchLines.open(http, api.baseUrl()
                + "/apis/discovery.k8s.io/v1/endpointslices?watch=true&fieldSelector=" + enc("metadata.name=want"))) {
            api.upsert(endpointSlice("a", "other").build());
            api.upsert(endpointSlice("b", "want").build());
            JsonObject want = w.expect("ADDED", STEP);
            assertEquals("b", want.getAsJsonObject("metadata").get("namespace").getAsString());
        }
    }

    @Test
    void timeoutSecondsEndsTheStreamWithTheTerminatingChunk() throws Exception {
        api.upsert(pod("shop", "a").build());
        api.upsert(pod("shop", "b").build());
        long t0 = System.nanoTime();
        RawHttp.Response raw = RawHttp.get(api.port(), String.format(POD_PATH, "shop") + "?timeoutSeconds=1&watch=true", 10_000);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertTrue(elapsedMs >= 900 && elapsedMs < 5_000, "ended after about a second: " + elapsedMs + " ms");
        assertEquals(200, raw.status());
        assertEquals("application/json", raw.header("Content-Type"));
        assertTrue(raw.isChunked());
        assertTrue(raw.terminatingChunkSeen(), "complete chunked stream");
        assertEquals(2, raw.chunks().size(), "one flushed chunk per event");
        for (String chunk : raw.chunks()) {
            assertTrue(chunk.startsWith("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":"));
            assertTrue(chunk.endsWith("}\n") && chunk.indexOf('\n') == chunk.length() - 1, "one JSON line per chunk");
        }

        // The JDK client sees an ordinary end of stream.
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true&resourceVersion=102&timeoutSeconds=1")) {
            assertTrue(w.awaitEnd(STEP).clean());
        }
    }

    @Test
    void endAllWatchesEndsThemCleanly() throws Exception {
        try (WatchLines w1 = watch(POD_PATH, "shop", "watch=true");
                WatchLines w2 = watch(ES_PATH, "shop", "watch=true")) {
            assertTrue(api.awaitActiveWatches(2, STEP));
            assertEquals(2, api.endAllWatches());
            assertTrue(w1.awaitEnd(STEP).clean());
            assertTrue(w2.awaitEnd(STEP).clean());
        }
        assertTrue(waitForNoWatches());
    }

    @Test
    void cutAllWatchesTruncatesTheStream() throws Exception {
        api.upsert(pod("shop", "a").build());
        CompletableFuture<RawHttp.Response> raw = CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.get(api.port(), String.format(POD_PATH, "shop") + "?watch=true", 10_000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (WatchLines w = watch(POD_PATH, "shop", "watch=true")) {
            assertEquals("ADDED", w.next(STEP).get("type").getAsString());
            assertTrue(api.awaitActiveWatches(2, STEP));
            assertEquals(2, api.cutAllWatches());

            WatchLines.End end = w.awaitEnd(STEP);
            assertFalse(end.clean(), "the JDK client reports the truncated chunked stream as an IOException");

            RawHttp.Response response = raw.get(10, TimeUnit.SECONDS);
            assertTrue(response.isChunked());
            assertEquals(1, response.chunks().size(), "the event sent before the cut");
            assertFalse(response.terminatingChunkSeen(), "no terminating chunk: a truncated stream");
        }
        assertTrue(waitForNoWatches());
    }

    @Test
    void bookmarksOnDemandHaveTheApiserversExactShape() throws Exception {
        api.upsert(endpointSlice("shop", "a").build());   // 101
        api.upsert(pod("shop", "p").build());             // 102
        try (WatchLines slices = watch(ES_PATH, "shop", "watch=true&resourceVersion=102&allowWatchBookmarks=true");
                WatchLines pods = watch(POD_PATH, "shop", "watch=true&resourceVersion=102&allowWatchBookmarks=true");
                WatchLines plain = watch(POD_PATH, "shop", "watch=true&resourceVersion=102")) {
            assertTrue(api.awaitActiveWatches(3, STEP));
            assertEquals(102, api.sendBookmark());
            assertEquals("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\","
                    + "\"metadata\":{\"resourceVersion\":\"102\",\"creationTimestamp\":null},\"addressType\":\"\","
                    + "\"endpoints\":null,\"ports\":null}}", slices.nextLine(STEP));
            assertEquals("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":"
                    + "{\"resourceVersion\":\"102\",\"creationTimestamp\":null},\"spec\":{\"containers\":null},"
                    + "\"status\":{}}}", pods.nextLine(STEP));

            // A watch that did not ask for bookmarks gets none: its next event is the next change.
            api.upsert(pod("shop", "q").build());         // 103
            JsonObject next = plain.next(STEP);
            assertEquals("ADDED", next.get("type").getAsString());
            assertEquals("103", rv(next.getAsJsonObject("object")));
            assertEquals("ADDED", pods.next(STEP).get("type").getAsString());
            slices.expectNothing(Duration.ofMillis(200));
        }
    }

    @Test
    void periodicBookmarksWhenAnIntervalIsSet() throws Exception {
        try (WatchLines w = watch(ES_PATH, "shop", "watch=true&allowWatchBookmarks=true")) {
            assertTrue(api.awaitActiveWatches(1, STEP));
            api.setBookmarkInterval(Duration.ofMillis(100));
            assertEquals("100", rv(w.expect("BOOKMARK", STEP)));
            api.upsert(endpointSlice("shop", "a").build());
            // Bookmarks keep coming, and the ADDED event arrives among them.
            boolean sawAdded = false;
            String lastBookmarkRv = null;
            for (int i = 0; i < 50 && (!sawAdded || !"101".equals(lastBookmarkRv)); i++) {
                JsonObject event = w.next(STEP);
                if (event.get("type").getAsString().equals("ADDED")) {
                    sawAdded = true;
                } else {
                    assertEquals("BOOKMARK", event.get("type").getAsString());
                    lastBookmarkRv = rv(event.getAsJsonObject("object"));
                }
            }
            assertTrue(sawAdded);
            assertEquals("101", lastBookmarkRv, "bookmarks follow the current resourceVersion");
            api.setBookmarkInterval(null);
        }
    }

    @Test
    void malformedWatchParametersAre400NotAStream() throws Exception {
        for (String query : List.of("watch=true&labelSelector=" + enc("app in ("), "watch=true&resourceVersion=abc",
                "watch=true&timeoutSeconds=soon")) {
            HttpResponse<String> r = Wire.get(http, api.baseUrl() + String.format(POD_PATH, "shop") + "?" + query);
            assertEquals(400, r.statusCode(), query);
            assertEquals("BadRequest", Wire.json(r).get("reason").getAsString());
        }
        assertEquals(0, api.activeWatchCount());
    }

    private boolean waitForNoWatches() throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (api.activeWatchCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return api.activeWatchCount() == 0;
    }
}
