package dev.groupcache.discovery.fake;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static dev.groupcache.discovery.fake.PodBuilder.pod;
import static dev.groupcache.discovery.fake.Wire.ES_PATH;
import static dev.groupcache.discovery.fake.Wire.POD_PATH;
import static dev.groupcache.discovery.fake.Wire.STEP;
import static dev.groupcache.discovery.fake.Wire.get;
import static dev.groupcache.discovery.fake.Wire.json;
import static dev.groupcache.discovery.fake.Wire.name;
import static dev.groupcache.discovery.fake.Wire.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fault knobs: injected statuses, outages, unknown fields, RBAC denial, tokens, the request log. */
@Timeout(30)
class FakeApiServerFaultConformanceTest {
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

    private String listUrl() {
        return api.baseUrl() + String.format(ES_PATH, "shop");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "410 | Expired          | The resourceVersion for the provided list is too old.",
        "500 | InternalError    | Internal error occurred: injected by FakeApiServer",
        "429 | TooManyRequests  | Too many requests, please try again later.",
        "503 | ServiceUnavailable | the server is currently unable to handle the request",
        "504 | Timeout          | Timeout: request did not complete within requested timeout",
        "400 | BadRequest       | the server rejected our request for an unknown reason",
    })
    void failNextListsAnswersWithTheStatusAndAStatusBody(int code, String reason, String message) throws Exception {
        api.upsert(endpointSlice("shop", "a").build());
        api.failNextLists(2, code);

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = get(http, listUrl());
            assertEquals(code, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
            JsonObject status = json(r);
            assertEquals("Status", status.get("kind").getAsString());
            assertEquals("v1", status.get("apiVersion").getAsString());
            assertEquals("Failure", status.get("status").getAsString());
            assertEquals(reason, status.get("reason").getAsString());
            assertEquals(message, status.get("message").getAsString());
            assertEquals(code, status.get("code").getAsInt());
            if (code == 429) {
                assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
                assertEquals(1, status.getAsJsonObject("details").get("retryAfterSeconds").getAsInt());
            } else {
                assertTrue(r.headers().firstValue("Retry-After").isEmpty());
            }
        }
        HttpResponse<String> third = get(http, listUrl());
        assertEquals(200, third.statusCode(), "only the next two failed");
        assertEquals(List.of("a"), names(json(third).getAsJsonArray("items")));
    }

    @Test
    void the500BodyIsTheApiserversInternalError() throws Exception {
        api.failNextLists(1, 500);
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + "\"Internal error occurred: injected by FakeApiServer\",\"reason\":\"InternalError\",\"details\":"
                + "{\"causes\":[{\"message\":\"injected by FakeApiServer\"}]},\"code\":500}", get(http, listUrl()).body());
    }

    @Test
    void aChosenRetryAfter() throws Exception {
        api.failNextLists(1, 503, 7);
        HttpResponse<String> r = get(http, listUrl());
        assertEquals(503, r.statusCode());
        assertEquals("7", r.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(7, json(r).getAsJsonObject("details").get("retryAfterSeconds").getAsInt());
    }

    @Test
    void listAndWatchFailuresAreCountedSeparately() throws Exception {
        api.failNextWatches(1, 410);
        api.failNextLists(1, 500);

        HttpResponse<String> watch = get(http, listUrl() + "?watch=true&resourceVersion=100");
        assertEquals(410, watch.statusCode(), "the watch failure is used by the watch");
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + "\"The resourceVersion for the provided watch is too old.\",\"reason\":\"Expired\",\"code\":410}",
                watch.body());
        assertEquals(500, get(http, listUrl()).statusCode(), "the list failure is used by the list");
        assertEquals(200, get(http, listUrl()).statusCode());

        api.failNextWatches(3, 500);
        api.clearFailures();
        try (WatchLines w = WatchLines.open(http, listUrl() + "?watch=true")) {
            api.upsert(endpointSlice("shop", "a").build());
            assertEquals("a", name(w.expect("ADDED", STEP)));
        }
    }

    @Test
    void stopRefusesConnectionsAndStartComesBackOnTheSamePort() throws Exception {
        api.upsert(pod("shop", "before").build());
        int port = api.port();
        String url = api.baseUrl() + String.format(POD_PATH, "shop");
        try (WatchLines w = WatchLines.open(http, url + "?watch=true")) {
            assertEquals("before", name(w.expect("ADDED", STEP)));
            api.stop();
            assertFalse(api.isRunning());
            assertFalse(w.awaitEnd(STEP).clean(), "an open watch is cut when the server goes down");
        }
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
        });
        assertThrows(ConnectException.class, () -> get(http, url));

        api.upsert(pod("shop", "during").build());   // state changes while down

        api.start();
        assertEquals(port, api.port());
        JsonObject list = json(get(http, url));
        assertEquals(List.of("before", "during"), names(list.getAsJsonArray("items")));
        try (WatchLines w = WatchLines.open(http, url + "?watch=true&resourceVersion=101")) {
            assertEquals("during", name(w.expect("ADDED", STEP)), "history survived the outage");
        }
        assertThrows(IllegalStateException.class, api::start, "already running");
    }

    @Test
    void unknownFieldsAreInjectedWhereANewerApiserverWouldAddThem() throws Exception {
        api.upsert(endpointSlice("shop", "s").addEndpoint(endpoint("10.0.0.1").ready(true)).addPort("grpc", 7600, "TCP")
                .build());
        api.upsert(pod("shop", "p").podIP("10.0.0.1").build());
        api.injectUnknownFields(UnknownField.values());

        JsonObject slice = json(get(http, listUrl())).getAsJsonArray("items").get(0).getAsJsonObject();
        assertEquals(UnknownField.VALUE, slice.get("futureTopLevelField").getAsString());
        assertEquals(UnknownField.VALUE, slice.getAsJsonObject("metadata").get("futureMetadataField").getAsString());
        JsonObject endpoint = slice.getAsJsonArray("endpoints").get(0).getAsJsonObject();
        assertEquals(UnknownField.VALUE, endpoint.get("futureEndpointField").getAsString());
        assertTrue(endpoint.getAsJsonObject("conditions").get("futureCondition").getAsBoolean());
        assertTrue(endpoint.getAsJsonObject("conditions").get("ready").getAsBoolean());
        assertFalse(slice.has("status"), "no pod status on a slice");

        JsonObject pod = json(get(http, api.baseUrl() + String.format(POD_PATH, "shop") + "/p"));
        assertEquals(UnknownField.VALUE, pod.get("futureTopLevelField").getAsString());
        assertEquals(UnknownField.VALUE, pod.getAsJsonObject("status").get("futureStatusField").getAsString());
        assertEquals("10.0.0.1", pod.getAsJsonObject("status").get("podIP").getAsString());

        try (WatchLines w = WatchLines.open(http, listUrl() + "?watch=true")) {
            JsonObject event = w.expect("ADDED", STEP);
            assertEquals(UnknownField.VALUE, event.get("futureTopLevelField").getAsString());
        }

        assertFalse(api.get(ResourceKind.ENDPOINT_SLICE, "shop", "s").orElseThrow().has("futureTopLevelField"),
                "stored state is untouched");
        api.stopInjectingUnknownFields();
        assertFalse(json(get(http, listUrl())).getAsJsonArray("items").get(0).getAsJsonObject().has("futureTopLevelField"));

        api.injectUnknownFields(UnknownField.ENDPOINT_CONDITIONS);
        JsonObject only = json(get(http, listUrl())).getAsJsonArray("items").get(0).getAsJsonObject();
        assertFalse(only.has("futureTopLevelField"));
        assertTrue(only.getAsJsonArray("endpoints").get(0).getAsJsonObject().getAsJsonObject("conditions")
                .has("futureCondition"));
    }

    @Test
    void forbiddenAnswersTheApiserversRbacDenial() throws Exception {
        api.forbid(ResourceKind.ENDPOINT_SLICE, "system:serviceaccount:shop:groupcache");

        HttpResponse<String> list = get(http, listUrl());
        assertEquals(403, list.statusCode());
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + "\"endpointslices.discovery.k8s.io is forbidden: User \\\"system:serviceaccount:shop:groupcache\\\" cannot"
                + " list resource \\\"endpointslices\\\" in API group \\\"discovery.k8s.io\\\" in the namespace \\\"shop\\\"\","
                + "\"reason\":\"Forbidden\",\"details\":{\"group\":\"discovery.k8s.io\",\"kind\":\"endpointslices\"},"
                + "\"code\":403}", list.body());

        assertEquals("endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:shop:groupcache\" cannot"
                + " watch resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"shop\"",
                json(get(http, listUrl() + "?watch=true")).get("message").getAsString());
        assertEquals("endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:shop:groupcache\" cannot"
                + " list resource \"endpointslices\" in API group \"discovery.k8s.io\" at the cluster scope",
                json(get(http, api.baseUrl() + "/apis/discovery.k8s.io/v1/endpointslices")).get("message").getAsString());
        JsonObject getOne = json(get(http, listUrl() + "/s1"));
        assertEquals("endpointslices.discovery.k8s.io \"s1\" is forbidden: User \"system:serviceaccount:shop:groupcache\""
                + " cannot get resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"shop\"",
                getOne.get("message").getAsString());
        assertEquals("{\"name\":\"s1\",\"group\":\"discovery.k8s.io\",\"kind\":\"endpointslices\"}",
                getOne.getAsJsonObject("details").toString());

        assertEquals(200, get(http, api.baseUrl() + String.format(POD_PATH, "shop")).statusCode(), "pods still allowed");
        api.forbid(ResourceKind.POD);
        JsonObject pods = json(get(http, api.baseUrl() + String.format(POD_PATH, "shop")));
        assertEquals("pods is forbidden: User \"system:serviceaccount:default:default\" cannot list resource \"pods\" in"
                + " API group \"\" in the namespace \"shop\"", pods.get("message").getAsString());
        assertEquals("{\"kind\":\"pods\"}", pods.getAsJsonObject("details").toString());

        api.allow(ResourceKind.ENDPOINT_SLICE);
        assertEquals(200, get(http, listUrl()).statusCode());
    }

    @Test
    void aRequiredBearerTokenAndItsRotation() throws Exception {
        api.requireBearerToken("token-1");
        String unauthorized = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";

        HttpResponse<String> none = get(http, listUrl());
        assertEquals(401, none.statusCode());
        assertEquals(unauthorized, none.body());
        assertEquals(401, withToken("wrong").statusCode());
        assertEquals(401, send(Map.of("Authorization", "Basic dXNlcjpwdw==")).statusCode());
        assertEquals(200, withToken("token-1").statusCode());
        assertEquals(200, send(Map.of("Authorization", "bearer token-1")).statusCode(), "the scheme is case-insensitive");

        assertEquals(401, get(http, listUrl() + "?watch=true").statusCode(), "watches need the token too");

        // A watch opened with the old token outlives the rotation.
        HttpResponse<InputStream> open = http.send(HttpRequest.newBuilder(URI.create(listUrl() + "?watch=true"))
                .header("Authorization", "Bearer token-1").timeout(STEP).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, open.statusCode());

        api.rotateBearerToken("token-2");
        assertEquals(401, withToken("token-1").statusCode(), "no grace: the old token is refused at once");
        assertEquals(200, withToken("token-2").statusCode());

        assertTrue(api.awaitActiveWatches(1, STEP), "the watch opened with token-1 is still being served");
        api.upsert(endpointSlice("shop", "after-rotation").build());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open.body(), StandardCharsets.UTF_8))) {
            assertTrue(r.readLine().contains("after-rotation"));
        }

        api.rotateBearerToken("token-3", Duration.ofMillis(300));
        assertEquals(200, withToken("token-2").statusCode(), "within the grace period");
        assertEquals(200, withToken("token-3").statusCode());
        long deadline = System.nanoTime() + STEP.toNanos();
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = withToken("token-2").statusCode();
        }
        assertEquals(401, status, "refused once the grace period is over");
        assertEquals(200, withToken("token-3").statusCode());

        api.requireBearerToken(null);
        assertEquals(200, get(http, listUrl()).statusCode(), "anonymous again");
    }

    private HttpResponse<String> withToken(String token) throws Exception {
        return send(Map.of("Authorization", "Bearer " + token));
    }

    private HttpResponse<String> send(Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(listUrl())).GET();
        headers.forEach(b::header);
        return Wire.send(http, b);
    }

    @Test
    void theRequestLogHasMethodPathDecodedQueryAndAuthorization() throws Exception {
        api.clearRequests();
        String query = "labelSelector=app%20in%20%28peer%29&resourceVersion=&watch=false";
        Wire.send(http, HttpRequest.newBuilder(URI.create(api.baseUrl() + String.format(POD_PATH, "shop") + "?" + query))
                .header("Authorization", "Bearer abc"));
        get(http, api.baseUrl() + String.format(POD_PATH, "shop") + "?allowWatchBookmarks=true&watch=true&timeoutSeconds=1");

        List<RecordedRequest> requests = api.requests();
        assertEquals(2, requests.size());
        RecordedRequest list = requests.get(0);
        assertEquals("GET", list.method());
        assertEquals("/api/v1/namespaces/shop/pods", list.path());
        assertEquals(Map.of("labelSelector", "app in (peer)", "resourceVersion", "", "watch", "false"), list.query());
        assertEquals(List.of("labelSelector", "resourceVersion", "watch"), List.copyOf(list.query().keySet()));
        assertEquals(query, list.rawQuery());
        assertEquals("", list.param("resourceVersion"), "an empty resourceVersion= is recorded as empty, not absent");
        assertNull(list.param("limit"));
        assertFalse(list.isWatch());
        assertTrue(list.hasAuthorization());
        assertEquals("Bearer abc", list.authorization());

        RecordedRequest watch = requests.get(1);
        assertTrue(watch.isWatch());
        assertEquals("true", watch.param("allowWatchBookmarks"));
        assertFalse(watch.hasAuthorization());

        assertEquals(1, api.requests(RecordedRequest::isWatch).size());
        assertTrue(api.awaitRequest(r -> "1".equals(r.param("timeoutSeconds")), STEP).isPresent());
        assertTrue(api.awaitRequest(r -> r.path().contains("services"), Duration.ofMillis(50)).isEmpty());
    }
}
