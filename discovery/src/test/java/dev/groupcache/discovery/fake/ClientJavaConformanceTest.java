package dev.groupcache.discovery.fake;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static dev.groupcache.discovery.fake.PodBuilder.pod;
import static dev.groupcache.discovery.fake.Wire.STEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import java.lang.reflect.Type;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** client-java 27 accepts what the fake serves: typed lists, gets, raw watches and informers. */
@Timeout(30)
class ClientJavaConformanceTest {
    private static final Type SLICE_EVENT = new TypeToken<Watch.Response<V1EndpointSlice>>() {}.getType();
    private static final Type POD_EVENT = new TypeToken<Watch.Response<V1Pod>>() {}.getType();
    private static final String SVC_A = EndpointSliceBuilder.SERVICE_NAME_LABEL + "=svc-a";

    private FakeApiServer api;
    private ApiClient client;
    private DiscoveryV1Api discovery;
    private CoreV1Api core;
    private final List<SharedInformerFactory> factories = new ArrayList<>();

    @BeforeEach
    void start() {
        api = FakeApiServer.startHttp();
        client = ClientJava.client(api);
        discovery = new DiscoveryV1Api(client);
        core = new CoreV1Api(client);
    }

    @AfterEach
    void stop() {
        factories.forEach(SharedInformerFactory::stopAllRegisteredInformers);
        api.close();
    }

    @Test
    void typedListsOfBothKinds() throws Exception {
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a")
                .addEndpoint(endpoint("10.0.0.1").ready(true).serving(true).terminating(false).targetPod("a-0")
                        .nodeName("node-1").zone("zone-a"))
                .addEndpoint(endpoint("10.0.0.2").ready(false).terminating(true))
                .addEndpoint(endpoint("10.0.0.3"))
                .addPort("grpc", 7600, "TCP")
                .build());
        api.upsert(endpointSlice("shop", "svc-b-1").serviceName("svc-b").build());
        Instant deleting = Instant.parse("2026-01-02T03:04:05Z");
        api.upsert(pod("shop", "a-0").label("app", "peer").podIP("10.0.0.1", "fd00::1").ready(true).nodeName("node-1")
                .containerPort("grpc", 7600).build());
        api.upsert(pod("shop", "a-1").label("app", "peer").podIP("10.0.0.2").ready(false).deletionTimestamp(deleting)
                .build());

        V1EndpointSliceList slices = discovery.listNamespacedEndpointSlice("shop").labelSelector(SVC_A).execute();
        assertEquals("104", slices.getMetadata().getResourceVersion());
        assertEquals(1, slices.getItems().size());
        V1EndpointSlice slice = slices.getItems().get(0);
        assertEquals("IPv4", slice.getAddressType());
        assertEquals(7600, slice.getPorts().get(0).getPort());
        List<V1Endpoint> eps = slice.getEndpoints();
        assertEquals(List.of("10.0.0.1"), eps.get(0).getAddresses());
        assertEquals(Boolean.TRUE, eps.get(0).getConditions().getReady());
        assertEquals(Boolean.FALSE, eps.get(0).getConditions().getTerminating());
        assertEquals("a-0", eps.get(0).getTargetRef().getName());
        assertEquals("Pod", eps.get(0).getTargetRef().getKind());
        assertEquals("node-1", eps.get(0).getNodeName());
        assertEquals("zone-a", eps.get(0).getZone());
        assertEquals(Boolean.FALSE, eps.get(1).getConditions().getReady());
        assertEquals(Boolean.TRUE, eps.get(1).getConditions().getTerminating());
        assertNull(eps.get(1).getConditions().getServing(), "absent stays absent");
        assertNull(eps.get(2).getConditions().getReady(), "absent stays absent");

        V1EndpointSlice empty = discovery.readNamespacedEndpointSlice("svc-b-1", "shop").execute();
        assertEquals("EndpointSlice", empty.getKind());
        assertNull(empty.getEndpoints(), "\"endpoints\":null parses");

        V1PodList pods = core.listNamespacedPod("shop").labelSelector("app in (peer)").execute();
        assertEquals(2, pods.getItems().size());
        V1Pod a0 = pods.getItems().get(0);
        assertEquals("10.0.0.1", a0.getStatus().getPodIP());
        assertEquals(2, a0.getStatus().getPodIPs().size());
        assertEquals("Running", a0.getStatus().getPhase());
        V1PodCondition ready = a0.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                .findFirst().orElseThrow();
        assertEquals("True", ready.getStatus());
        assertNull(a0.getMetadata().getDeletionTimestamp());
        assertEquals(deleting, pods.getItems().get(1).getMetadata().getDeletionTimestamp().toInstant());
        assertEquals(2, core.listPodForAllNamespaces().execute().getItems().size());
    }

    @Test
    void paginationAndErrorsThroughClientJava() throws Exception {
        for (int i = 0; i < 5; i++) {
            api.upsert(endpointSlice("shop", "s" + i).build());
        }
        List<String> names = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            V1EndpointSliceList page = discovery.listNamespacedEndpointSlice("shop").limit(2)._continue(token).execute();
            page.getItems().forEach(s -> names.add(s.getMetadata().getName()));
            token = page.getMetadata().getContinue();
            pages++;
        } while (token != null && !token.isEmpty());
        assertEquals(List.of("s0", "s1", "s2", "s3", "s4"), names);
        assertEquals(3, pages);

        ApiException notFound = assertThrows(ApiException.class,
                () -> discovery.readNamespacedEndpointSlice("nope", "shop").execute());
        assertEquals(404, notFound.getCode());

        api.failNextLists(1, 410);
        ApiException gone = assertThrows(ApiException.class, () -> discovery.listNamespacedEndpointSlice("shop").execute());
        assertEquals(410, gone.getCode());
        assertTrue(gone.getResponseBody().contains("\"reason\":\"Expired\""));

        api.forbid(ResourceKind.ENDPOINT_SLICE, "system:serviceaccount:shop:groupcache");
        ApiException forbidden = assertThrows(ApiException.class,
                () -> discovery.listNamespacedEndpointSlice("shop").execute());
        assertEquals(403, forbidden.getCode());
        assertTrue(forbidden.getResponseBody().contains("cannot list resource \\\"endpointslices\\\""));
    }

    @Test
    void aBearerTokenFromClientJava() throws Exception {
        api.requireBearerToken("sa-token");
        ApiException unauthorized = assertThrows(ApiException.class,
                () -> discovery.listNamespacedEndpointSlice("shop").execute());
        assertEquals(401, unauthorized.getCode());

        ApiClient withToken = new ClientBuilder().setBasePath(api.baseUrl())
                .setAuthentication(new AccessTokenAuthentication("sa-token")).build();
        assertNotNull(new DiscoveryV1Api(withToken).listNamespacedEndpointSlice("shop").execute());
        RecordedRequest last = api.requests().get(api.requests().size() - 1);
        assertEquals("Bearer sa-token", last.authorization());
        assertNull(api.requests().get(0).authorization(), "client-java sends no Authorization unless configured");
    }

    @Test
    void aTypedWatchSeesEventsBookmarksAndTheInStreamExpiry() throws Exception {
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").build());          // 101
        Watch<V1EndpointSlice> watch = ClientJava.watch(client, discovery.listNamespacedEndpointSlice("shop")
                .labelSelector(SVC_A).resourceVersion("101").allowWatchBookmarks(true).watch(true).buildCall(null),
                SLICE_EVENT);
        try {
            api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").addEndpoint(endpoint("10.0.0.1")).build());
            Watch.Response<V1EndpointSlice> modified = ClientJava.next(watch, STEP);
            assertEquals("MODIFIED", modified.type);
            assertEquals("102", modified.object.getMetadata().getResourceVersion());
            assertEquals("10.0.0.1", modified.object.getEndpoints().get(0).getAddresses().get(0));

            assertTrue(api.awaitActiveWatches(1, STEP));
            api.sendBookmark();
            Watch.Response<V1EndpointSlice> bookmark = ClientJava.next(watch, STEP);
            assertEquals("BOOKMARK", bookmark.type, "an EndpointSlice bookmark in the apiserver's shape parses");
            assertEquals("102", bookmark.object.getMetadata().getResourceVersion());

            api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-b").build());          // 103: moves out
            Watch.Response<V1EndpointSlice> out = ClientJava.next(watch, STEP);
            assertEquals("DELETED", out.type);
            assertEquals("103", out.object.getMetadata().getResourceVersion());
        } finally {
            ClientJava.closeQuietly(watch);
        }

        api.compact();
        Watch<V1Pod> expired = ClientJava.watch(client,
                core.listNamespacedPod("shop").resourceVersion("101").watch(true).buildCall(null), POD_EVENT);
        try {
            Watch.Response<V1Pod> error = ClientJava.next(expired, STEP);
            assertEquals("ERROR", error.type);
            V1Status status = error.status;
            assertEquals(410, status.getCode());
            assertEquals("Expired", status.getReason());
            assertEquals("too old resource version: 101 (103)", status.getMessage());
            assertFalse(expired.hasNext(), "then the end of the stream");
        } finally {
            ClientJava.closeQuietly(expired);
        }
    }

    @Test
    void anInformerSyncsAndFollowsSelectorTransitions() throws Exception {
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").addEndpoint(endpoint("10.0.0.1")).build()); // 101
        api.upsert(endpointSlice("shop", "svc-b-1").serviceName("svc-b").build());                                   // 102
        SharedInformerFactory factory = factory();
        SharedIndexInformer<V1EndpointSlice> informer = factory.sharedIndexInformerFor(
                params -> discovery.listNamespacedEndpointSlice("shop").labelSelector(SVC_A)
                        .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch).buildCall(null),
                V1EndpointSlice.class, V1EndpointSliceList.class);
        ClientJava.Recorder<V1EndpointSlice> events = new ClientJava.Recorder<>();
        informer.addEventHandler(events);
        factory.startAllRegisteredInformers();

        events.expect("ADD svc-a-1@101", STEP);
        assertTrue(awaitSynced(informer));
        RecordedRequest watch = api.awaitRequest(RecordedRequest::isWatch, STEP).orElseThrow();
        RecordedRequest list = api.requests().get(0);
        assertEquals("0", list.param("resourceVersion"), "the informer's first list");
        assertEquals("false", list.param("watch"));
        assertEquals("102", watch.param("resourceVersion"), "then it watches from the list's resourceVersion");
        assertNotNull(watch.param("timeoutSeconds"));
        assertEquals(SVC_A, watch.param("labelSelector"));

        api.upsert(endpointSlice("shop", "svc-a-2").serviceName("svc-a").build());                                   // 103
        events.expect("ADD svc-a-2@103", STEP);
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").addEndpoint(endpoint("10.0.0.9")).build()); // 104
        events.expect("UPDATE svc-a-1@104", STEP);
        api.upsert(endpointSlice("shop", "svc-b-1").serviceName("svc-b").addEndpoint(endpoint("10.0.0.5")).build()); // 105
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-c").addEndpoint(endpoint("10.0.0.9")).build()); // 106
        events.expect("DELETE svc-a-1@106", STEP);
        api.delete(ResourceKind.ENDPOINT_SLICE, "shop", "svc-a-2");                                                  // 107
        events.expect("DELETE svc-a-2@107", STEP);
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").build());                                   // 108
        events.expect("ADD svc-a-1@108", STEP);
        assertEquals(List.of("svc-a-1"), informer.getIndexer().list().stream().map(s -> s.getMetadata().getName()).toList());

        // A clean end of the watch: the informer simply watches again from its last version.
        api.endAllWatches();
        RecordedRequest rewatch = api.awaitRequest(r -> r.isWatch() && "108".equals(r.param("resourceVersion")), STEP)
                .orElseThrow();
        assertNotNull(rewatch);
        api.upsert(endpointSlice("shop", "svc-a-3").serviceName("svc-a").build());                                   // 109
        events.expect("ADD svc-a-3@109", STEP);
        assertEquals(1, api.requests(r -> !r.isWatch()).size(), "no re-list after a clean end");
    }

    @Test
    void anInformerRelistsWithAnEmptyResourceVersionAfterAnInStreamExpiry() throws Exception {
        api.upsert(endpointSlice("shop", "svc-a-1").serviceName("svc-a").build());    // 101
        SharedInformerFactory factory = factory();
        SharedIndexInformer<V1EndpointSlice> informer = factory.sharedIndexInformerFor(
                params -> discovery.listNamespacedEndpointSlice("shop").labelSelector(SVC_A)
                        .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch).buildCall(null),
                V1EndpointSlice.class, V1EndpointSliceList.class);
        ClientJava.Recorder<V1EndpointSlice> events = new ClientJava.Recorder<>();
        informer.addEventHandler(events);
        factory.startAllRegisteredInformers();
        events.expect("ADD svc-a-1@101", STEP);
        assertTrue(api.awaitActiveWatches(1, STEP));

        api.upsert(pod("shop", "unrelated").build());                                  // 102, unseen by the informer
        api.compact();                                                                 // history starts after 102
        api.clearRequests();
        api.endAllWatches();                                                           // re-watch from 101: too old
        api.upsert(endpointSlice("shop", "svc-a-2").serviceName("svc-a").build());    // 103

        events.awaitEvent("ADD svc-a-2@103", Duration.ofSeconds(10));
        List<RecordedRequest> requests = api.requests();
        assertEquals("101", requests.get(0).param("resourceVersion"), "re-watch from the last version");
        assertTrue(requests.get(0).isWatch());
        RecordedRequest relist = requests.stream().filter(r -> !r.isWatch()).findFirst().orElseThrow();
        assertEquals("", relist.param("resourceVersion"), "after the in-stream 410: re-list with resourceVersion=");
    }

    @Test
    void aPodInformerSurvivesTheServerGoingDownAndComingBack() throws Exception {
        api.upsert(pod("shop", "p1").label("app", "peer").podIP("10.0.0.1").build());   // 101
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        SharedInformerFactory factory = factory();
        SharedIndexInformer<V1Pod> informer = factory.sharedIndexInformerFor(
                params -> core.listNamespacedPod("shop").labelSelector("app=peer")
                        .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch).buildCall(null),
                V1Pod.class, V1PodList.class, 0, (type, t) -> errors.add(t));
        ClientJava.Recorder<V1Pod> events = new ClientJava.Recorder<>();
        informer.addEventHandler(events);
        factory.startAllRegisteredInformers();
        events.expect("ADD p1@101", STEP);
        assertTrue(api.awaitActiveWatches(1, STEP));

        api.stop();
        api.upsert(pod("shop", "p2").label("app", "peer").podIP("10.0.0.2").build());   // 102, while down
        assertTrue(awaitError(errors, ConnectException.class), "the informer reports the refused connection");

        api.start();
        events.awaitEvent("ADD p2@102", Duration.ofSeconds(10));
        api.upsert(pod("shop", "p1").label("app", "peer").podIP("10.0.0.3").build());   // 103
        events.awaitEvent("UPDATE p1@103", STEP);
    }

    private SharedInformerFactory factory() {
        SharedInformerFactory factory = new SharedInformerFactory(client);
        factories.add(factory);
        return factory;
    }

    private static boolean awaitSynced(SharedIndexInformer<?> informer) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!informer.hasSynced() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return informer.hasSynced();
    }

    /** Waits (bounded) for an error whose root cause is {@code type}, skipping others. */
    static boolean awaitError(BlockingQueue<Throwable> errors, Class<? extends Throwable> type)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Throwable t = errors.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (t != null && type.isInstance(rootCause(t))) {
                return true;
            }
        }
        return false;
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
