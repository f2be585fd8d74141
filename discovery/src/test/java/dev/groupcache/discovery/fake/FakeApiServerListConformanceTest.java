package dev.groupcache.discovery.fake;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static dev.groupcache.discovery.fake.PodBuilder.pod;
import static dev.groupcache.discovery.fake.Wire.ES_PATH;
import static dev.groupcache.discovery.fake.Wire.POD_PATH;
import static dev.groupcache.discovery.fake.Wire.enc;
import static dev.groupcache.discovery.fake.Wire.get;
import static dev.groupcache.discovery.fake.Wire.json;
import static dev.groupcache.discovery.fake.Wire.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** List, get, selectors, pagination and resourceVersion bookkeeping, seen on the raw wire. */
@Timeout(30)
class FakeApiServerListConformanceTest {
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

    private String url(String pathFormat, String namespace, String query) {
        return api.baseUrl() + String.format(pathFormat, namespace) + (query == null ? "" : "?" + query);
    }

    @Test
    void listHasTheApiserversShapeAndItemsLackKindAndApiVersion() throws Exception {
        api.upsert(endpointSlice("shop", "svc-a-2").serviceName("svc-a").addEndpoint(endpoint("10.0.0.2")).build());
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").addEndpoint(endpoint("10.0.0.1")).build());
        api.upsert(endpointSlice("other", "svc-b-1").serviceName("svc-b").build());

        HttpResponse<String> response = get(http, url(ES_PATH, "shop", null));

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(response.headers().firstValue("Content-Length").isPresent(), "a list has a Content-Length body");
        assertTrue(response.body().startsWith("{\"kind\":\"EndpointSliceList\",\"apiVersion\":\"discovery.k8s.io/v1\","
                + "\"metadata\":{\"resourceVersion\":\"103\"},\"items\":["), response.body());
        JsonObject list = json(response);
        assertEquals(List.of("svc-a-1", "svc-a-2"), names(list.getAsJsonArray("items")), "sorted by namespace/name");
        JsonObject item = list.getAsJsonArray("items").get(0).getAsJsonObject();
        assertFalse(item.has("kind"), "list items carry no kind");
        assertFalse(item.has("apiVersion"), "list items carry no apiVersion");
        JsonObject meta = item.getAsJsonObject("metadata");
        assertEquals(List.of("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "labels"),
                List.copyOf(meta.keySet()), "ObjectMeta in Go's field order");
        assertEquals("102", meta.get("resourceVersion").getAsString());
        assertEquals(1, meta.get("generation").getAsInt());
        assertTrue(meta.get("creationTimestamp").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
        assertEquals(36, meta.get("uid").getAsString().length());
        assertEquals(List.of("metadata", "addressType", "endpoints", "ports"), List.copyOf(item.keySet()));
    }

    @Test
    void listsAcrossAllNamespacesAndPodLists() throws Exception {
        api.upsert(endpointSlice("b", "x").build());
        api.upsert(endpointSlice("a", "y").build());
        api.upsert(pod("a", "p1").label("app", "peer").podIP("10.0.0.1").build());

        JsonObject slices = json(get(http, api.baseUrl() + "/apis/discovery.k8s.io/v1/endpointslices"));
        assertEquals(List.of("y", "x"), names(slices.getAsJsonArray("items")), "ordered by namespace, then name");

        JsonObject pods = json(get(http, api.baseUrl() + "/api/v1/pods"));
        assertEquals("PodList", pods.get("kind").getAsString());
        assertEquals("v1", pods.get("apiVersion").getAsString());
        assertEquals("103", pods.getAsJsonObject("metadata").get("resourceVersion").getAsString());
        assertEquals(List.of("p1"), names(pods.getAsJsonArray("items")));
        assertEquals("10.0.0.1", pods.getAsJsonArray("items").get(0).getAsJsonObject()
                .getAsJsonObject("status").get("podIP").getAsString());
    }

    @Test
    void anEmptyListHasAnEmptyItemsArrayAndTheCurrentResourceVersion() throws Exception {
        HttpResponse<String> response = get(http, url(POD_PATH, "shop", null));
        assertEquals("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"100\"},\"items\":[]}",
                response.body());
    }

    @Test
    void everyWriteTakesTheNextValueOfOneGlobalCounter() throws Exception {
        assertEquals(101, api.upsert(endpointSlice("shop", "s").addEndpoint(endpoint("10.0.0.1")).build()));
        assertEquals(102, api.upsert(pod("shop", "p").label("app", "peer").build()));
        String uid = api.get(ResourceKind.ENDPOINT_SLICE, "shop", "s").orElseThrow()
                .getAsJsonObject("metadata").get("uid").getAsString();

        // An EndpointSlice update bumps generation and keeps uid and creationTimestamp.
        assertEquals(103, api.upsert(endpointSlice("shop", "s").addEndpoint(endpoint("10.0.0.2")).build()));
        JsonObject meta = api.get(ResourceKind.ENDPOINT_SLICE, "shop", "s").orElseThrow().getAsJsonObject("metadata");
        assertEquals(uid, meta.get("uid").getAsString());
        assertEquals(2, meta.get("generation").getAsInt());
        assertEquals("103", meta.get("resourceVersion").getAsString());

        // An update that changes nothing is a no-op: no new resourceVersion.
        assertEquals(103, api.upsert(endpointSlice("shop", "s").addEndpoint(endpoint("10.0.0.2")).build()));

        // A Pod label change does not touch the spec, so generation stays.
        assertEquals(104, api.upsert(pod("shop", "p").label("app", "other").build()));
        assertEquals(1, api.get(ResourceKind.POD, "shop", "p").orElseThrow()
                .getAsJsonObject("metadata").get("generation").getAsInt());

        assertEquals(105, api.delete(ResourceKind.POD, "shop", "p").orElseThrow());
        assertTrue(api.delete(ResourceKind.POD, "shop", "p").isEmpty(), "deleting nothing takes no version");
        assertEquals(105, api.resourceVersion());
        assertEquals("105", json(get(http, url(ES_PATH, "shop", null)))
                .getAsJsonObject("metadata").get("resourceVersion").getAsString(), "lists report the global counter");

        // Re-created: a new uid.
        api.upsert(pod("shop", "p").build());
        assertNotEquals(uid, api.get(ResourceKind.POD, "shop", "p").orElseThrow()
                .getAsJsonObject("metadata").get("uid").getAsString());
    }

    @ParameterizedTest(name = "resourceVersion={0}")
    @ValueSource(strings = {"<absent>", "", "0", "101", "999"})
    void everyResourceVersionOnAListReturnsTheCurrentState(String rv) throws Exception {
        api.upsert(endpointSlice("shop", "a").build());
        api.upsert(endpointSlice("shop", "b").build());
        api.delete(ResourceKind.ENDPOINT_SLICE, "shop", "a");
        String query = rv.equals("<absent>") ? null : "resourceVersion=" + rv + "&watch=false";
        JsonObject list = json(get(http, url(ES_PATH, "shop", query)));
        assertEquals("103", list.getAsJsonObject("metadata").get("resourceVersion").getAsString());
        assertEquals(List.of("b"), names(list.getAsJsonArray("items")));
    }

    @Test
    void getReturnsOneObjectWithKindOrANotFoundStatus() throws Exception {
        api.upsert(endpointSlice("shop", "s").serviceName("svc").build());
        HttpResponse<String> found = get(http, url(ES_PATH, "shop", null) + "/s");
        assertEquals(200, found.statusCode());
        assertTrue(found.body().startsWith("{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\","
                + "\"metadata\":{\"name\":\"s\",\"namespace\":\"shop\""), found.body());

        HttpResponse<String> missing = get(http, url(ES_PATH, "shop", null) + "/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"endpointslices.discovery.k8s.io \\\"nope\\\" not found\",\"reason\":\"NotFound\","
                + "\"details\":{\"name\":\"nope\",\"group\":\"discovery.k8s.io\",\"kind\":\"endpointslices\"},\"code\":404}",
                missing.body());

        HttpResponse<String> missingPod = get(http, url(POD_PATH, "shop", null) + "/nope");
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"pods \\\"nope\\\" not found\",\"reason\":\"NotFound\","
                + "\"details\":{\"name\":\"nope\",\"kind\":\"pods\"},\"code\":404}", missingPod.body());
    }

    @Test
    void unknownPathsAre404() throws Exception {
        for (String path : List.of("/api/v1/services", "/apis/discovery.k8s.io/v1beta1/endpointslices", "/version",
                "/api/v1/pods/x", "/api/v1/namespaces/shop/pods/x/status")) {
            HttpResponse<String> r = get(http, api.baseUrl() + path);
            assertEquals(404, r.statusCode(), path);
            assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                    + "\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"details\":{},"
                    + "\"code\":404}", r.body(), path);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void writesOverHttpAre405(String method) throws Exception {
        api.upsert(endpointSlice("shop", "s").build());
        for (String path : List.of(String.format(ES_PATH, "shop"), String.format(ES_PATH, "shop") + "/s")) {
            HttpResponse<String> r = Wire.send(http, HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"x\"}}")));
            assertEquals(405, r.statusCode());
            assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                    + "\"the server does not allow this method on the requested resource\",\"reason\":\"MethodNotAllowed\","
                    + "\"details\":{},\"code\":405}", r.body());
        }
        assertEquals(101, api.resourceVersion(), "nothing was written");
    }

    /** a: app=peer,tier=cache; b: app=peer,tier=web; c: app=other; d: tier=cache (no app). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "app=peer                    | a b",
        "app==peer                   | a b",
        "app!=peer                   | c d",
        "app in (peer,other)         | a b c",
        "app notin (peer)            | c d",
        "tier                        | a b d",
        "!tier                       | c",
        "!app                        | d",
        "app=peer,tier=cache         | a",
        "app in (peer), tier notin (web) | a",
        "' app = peer , tier '       | a b",
        "app=peer,!tier              | ''",
        "tier=cache,app              | a",
        "app in (nobody)             | ''",
    })
    void labelSelectorOperators(String selector, String expected) throws Exception {
        api.upsert(pod("shop", "a").label("app", "peer").label("tier", "cache").build());
        api.upsert(pod("shop", "b").label("app", "peer").label("tier", "web").build());
        api.upsert(pod("shop", "c").label("app", "other").build());
        api.upsert(pod("shop", "d").label("tier", "cache").build());
        JsonObject list = json(get(http, url(POD_PATH, "shop", "labelSelector=" + enc(selector))));
        List<String> want = expected.isBlank() ? List.of() : Arrays.asList(expected.trim().split(" "));
        assertEquals(want, names(list.getAsJsonArray("items")));
    }

    @Test
    void labelSelectorsOnEndpointSlicesUseTheServiceNameLabel() throws Exception {
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").build());
        api.upsert(endpointSlice("shop", "svc-b-1").serviceName("svc-b").build());
        JsonObject list = json(get(http, url(ES_PATH, "shop", "labelSelector=" + enc("kubernetes.io/service-name=svc-a"))));
        assertEquals(List.of("svc-a-1"), names(list.getAsJsonArray("items")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app in (peer", "app in ()", "=peer", "app=peer,", "app=a b", "app==(x)", "-bad=x",
        "app=-bad", "Example.com/app=x", "app in (a) b", "!", "a>b", "app in peer"})
    void aMalformedLabelSelectorIs400BadRequest(String selector) throws Exception {
        HttpResponse<String> r = get(http, url(POD_PATH, "shop", "labelSelector=" + enc(selector)));
        assertEquals(400, r.statusCode(), r.body());
        JsonObject status = json(r);
        assertEquals("Status", status.get("kind").getAsString());
        assertEquals("BadRequest", status.get("reason").getAsString());
        assertEquals(400, status.get("code").getAsInt());
        assertTrue(status.get("message").getAsString().startsWith("unable to parse requirement: "), r.body());
    }

    @Test
    void fieldSelectorsOnNameAndNamespace() throws Exception {
        api.upsert(pod("a", "p1").build());
        api.upsert(pod("a", "p2").build());
        api.upsert(pod("b", "p1").build());
        String all = api.baseUrl() + "/api/v1/pods?fieldSelector=";
        assertEquals(List.of("p1", "p1"), names(json(get(http, all + enc("metadata.name=p1"))).getAsJsonArray("items")));
        assertEquals(List.of("p2"), names(json(get(http, all + enc("metadata.name!=p1"))).getAsJsonArray("items")));
        assertEquals(List.of("p1"),
                names(json(get(http, all + enc("metadata.namespace==b"))).getAsJsonArray("items")));
        assertEquals(List.of("p2"), names(json(get(http, all + enc("metadata.namespace=a,metadata.name=p2")))
                .getAsJsonArray("items")));

        HttpResponse<String> unsupported = get(http, all + enc("spec.hostname=x"));
        assertEquals(400, unsupported.statusCode());
        assertEquals("field label not supported: spec.hostname", json(unsupported).get("message").getAsString());
        HttpResponse<String> podOnly = get(http, api.baseUrl() + "/apis/discovery.k8s.io/v1/endpointslices?fieldSelector="
                + enc("status.phase=Running"));
        assertEquals(400, podOnly.statusCode());
    }

    @Test
    void paginationServesAConsistentSnapshotAtTheFirstPagesResourceVersion() throws Exception {
        for (String n : List.of("a", "b", "c", "d", "e")) {
            api.upsert(endpointSlice("shop", n).build());
        }
        JsonObject page1 = json(get(http, url(ES_PATH, "shop", "limit=2")));
        JsonObject meta1 = page1.getAsJsonObject("metadata");
        assertEquals(List.of("a", "b"), names(page1.getAsJsonArray("items")));
        assertEquals("105", meta1.get("resourceVersion").getAsString());
        assertEquals(3, meta1.get("remainingItemCount").getAsInt());
        assertEquals(List.of("resourceVersion", "continue", "remainingItemCount"), List.copyOf(meta1.keySet()));

        // Changes after the first page do not show up in later pages.
        api.delete(ResourceKind.ENDPOINT_SLICE, "shop", "d");
        api.upsert(endpointSlice("shop", "c").serviceName("changed").build());
        api.upsert(endpointSlice("shop", "bb").build());

        JsonObject page2 = json(get(http, url(ES_PATH, "shop", "limit=2&continue=" + enc(meta1.get("continue").getAsString()))));
        assertEquals(List.of("c", "d"), names(page2.getAsJsonArray("items")));
        assertEquals("105", page2.getAsJsonObject("metadata").get("resourceVersion").getAsString());
        assertNull(Wire.label(page2.getAsJsonArray("items").get(0).getAsJsonObject(), EndpointSliceBuilder.SERVICE_NAME_LABEL),
                "the snapshot's version of c");
        String continue2 = page2.getAsJsonObject("metadata").get("continue").getAsString();

        JsonObject page3 = json(get(http, url(ES_PATH, "shop", "limit=2&continue=" + enc(continue2))));
        assertEquals(List.of("e"), names(page3.getAsJsonArray("items")));
        assertEquals("{\"resourceVersion\":\"105\"}", page3.getAsJsonObject("metadata").toString(), "last page: no continue");

        // A fresh list sees the present.
        JsonObject fresh = json(get(http, url(ES_PATH, "shop", null)));
        assertEquals(List.of("a", "b", "bb", "c", "e"), names(fresh.getAsJsonArray("items")));
        assertEquals("108", fresh.getAsJsonObject("metadata").get("resourceVersion").getAsString());
    }

    @Test
    void paginationWithASelectorHasNoRemainingItemCount() throws Exception {
        for (String n : List.of("a", "b", "c")) {
            api.upsert(pod("shop", n).label("app", "peer").build());
        }
        api.upsert(pod("shop", "x").label("app", "other").build());
        JsonObject page1 = json(get(http, url(POD_PATH, "shop", "labelSelector=app%3Dpeer&limit=2")));
        assertEquals(List.of("a", "b"), names(page1.getAsJsonArray("items")));
        assertFalse(page1.getAsJsonObject("metadata").has("remainingItemCount"));
        String token = page1.getAsJsonObject("metadata").get("continue").getAsString();
        JsonObject page2 = json(get(http, url(POD_PATH, "shop", "labelSelector=app%3Dpeer&limit=2&continue=" + enc(token))));
        assertEquals(List.of("c"), names(page2.getAsJsonArray("items")));
        assertFalse(page2.getAsJsonObject("metadata").has("continue"));
    }

    @Test
    void aContinueTokenFromBeforeACompactionIs410Expired() throws Exception {
        for (String n : List.of("a", "b", "c")) {
            api.upsert(endpointSlice("shop", n).build());
        }
        JsonObject page1 = json(get(http, url(ES_PATH, "shop", "limit=1")));
        String token = page1.getAsJsonObject("metadata").get("continue").getAsString();
        api.upsert(endpointSlice("shop", "d").build());
        api.compact();

        HttpResponse<String> r = get(http, url(ES_PATH, "shop", "limit=1&continue=" + enc(token)));
        assertEquals(410, r.statusCode());
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + "\"The provided continue parameter is too old to display a consistent list result. You can start a new"
                + " list without the continue parameter.\",\"reason\":\"Expired\",\"code\":410}", r.body());
    }

    @Test
    void aMalformedContinueTokenIs400() throws Exception {
        HttpResponse<String> r = get(http, url(ES_PATH, "shop", "continue=not-a-token"));
        assertEquals(400, r.statusCode());
        assertEquals("BadRequest", json(r).get("reason").getAsString());
    }
}
