package dev.groupcache.discovery.fake;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static dev.groupcache.discovery.fake.PodBuilder.pod;
import static dev.groupcache.discovery.fake.Wire.STEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.Watch;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Documents reality: client-java 27's own bugs, reproduced against the apiserver's faithful shapes.
 * These tests pass while the bugs exist. If one starts failing after a client-java upgrade, the bug
 * was fixed upstream: update the test and the code that works around it.
 */
@Timeout(30)
class ClientJavaKnownBugsTest {
    private static final Type POD_EVENT = new TypeToken<Watch.Response<V1Pod>>() {}.getType();
    private static final Type SLICE_EVENT = new TypeToken<Watch.Response<V1EndpointSlice>>() {}.getType();

    private FakeApiServer api;
    private ApiClient client;

    @BeforeEach
    void start() {
        api = FakeApiServer.startHttp();
        client = ClientJava.client(api);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** kubernetes-client/java#4160: the apiserver's Pod bookmark has "spec":{"containers":null}. */
    @Test
    void bug4160_aPodBookmarkInTheApiserversShapeBreaksClientJavasTypedWatch() throws Exception {
        api.upsert(pod("shop", "p").build());
        Watch<V1Pod> watch = ClientJava.watch(client, new CoreV1Api(client).listNamespacedPod("shop")
                .resourceVersion("101").allowWatchBookmarks(true).watch(true).buildCall(null), POD_EVENT);
        try {
            assertTrue(api.awaitActiveWatches(1, STEP));
            api.sendBookmark();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientJava.next(watch, STEP));
            assertTrue(e.getMessage().startsWith("Expected the field `containers` to be an array in the JSON string but"
                    + " got `null`"), e.getMessage());
        } finally {
            ClientJava.closeQuietly(watch);
        }
    }

    /** The practical effect of #4160: a Pod informer that asks for bookmarks re-lists on every one. */
    @Test
    void bug4160_aPodInformerWithBookmarksFailsAndRelistsOnEveryBookmark() throws Exception {
        api.upsert(pod("shop", "p").build());
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        SharedInformerFactory factory = new SharedInformerFactory(client);
        try {
            CoreV1Api core = new CoreV1Api(client);
            SharedIndexInformer<V1Pod> informer = factory.sharedIndexInformerFor(
                    params -> core.listNamespacedPod("shop").allowWatchBookmarks(true)
                            .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
                            .watch(params.watch).buildCall(null),
                    V1Pod.class, V1PodList.class, 0, (type, t) -> errors.add(t));
            factory.startAllRegisteredInformers();
            assertTrue(api.awaitActiveWatches(1, STEP));
            assertTrue(informer.hasSynced());
            assertEquals(1, api.requests(r -> !r.isWatch()).size());

            api.sendBookmark();
            assertTrue(ClientJavaConformanceTest.awaitError(errors, IllegalArgumentException.class),
                    "the bookmark reaches the exception handler");
            assertTrue(api.awaitRequest(r -> !r.isWatch() && "101".equals(r.param("resourceVersion")), STEP).isPresent(),
                    "and the informer lists everything again");
        } finally {
            factory.stopAllRegisteredInformers();
        }
    }

    /** The contrast to #4160: the EndpointSlice bookmark of the same apiserver parses. */
    @Test
    void bug4160_doesNotAffectEndpointSliceBookmarks() throws Exception {
        Watch<V1EndpointSlice> watch = ClientJava.watch(client, new DiscoveryV1Api(client)
                .listNamespacedEndpointSlice("shop").resourceVersion("100").allowWatchBookmarks(true).watch(true)
                .buildCall(null), SLICE_EVENT);
        try {
            assertTrue(api.awaitActiveWatches(1, STEP));
            api.sendBookmark();
            Watch.Response<V1EndpointSlice> bookmark = ClientJava.next(watch, STEP);
            assertEquals("BOOKMARK", bookmark.type);
            assertEquals("100", bookmark.object.getMetadata().getResourceVersion());
        } finally {
            ClientJava.closeQuietly(watch);
        }
    }

    /**
     * kubernetes-client/java#3428 (also #3980, #4809): a field the generated model does not know,
     * as served by a newer apiserver, fails the whole typed list.
     */
    @ParameterizedTest
    @EnumSource(value = UnknownField.class, names = {"TOP_LEVEL", "METADATA", "ENDPOINT", "ENDPOINT_CONDITIONS"})
    void bug3428_anUnknownFieldBreaksClientJavasTypedEndpointSliceList(UnknownField place) throws Exception {
        api.upsert(endpointSlice("shop", "s").addEndpoint(endpoint("10.0.0.1").ready(true)).build());
        DiscoveryV1Api discovery = new DiscoveryV1Api(client);
        assertEquals(1, discovery.listNamespacedEndpointSlice("shop").execute().getItems().size(), "fine before");

        api.injectUnknownFields(place);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> discovery.listNamespacedEndpointSlice("shop").execute());
        assertTrue(e.getMessage().startsWith("The field `" + place.fieldName() + "` in the JSON string is not defined in"
                + " the `"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = UnknownField.class, names = {"TOP_LEVEL", "METADATA", "POD_STATUS"})
    void bug3428_anUnknownFieldBreaksClientJavasTypedPodListAndWatch(UnknownField place) throws Exception {
        api.upsert(pod("shop", "p").podIP("10.0.0.1").build());
        api.injectUnknownFields(place);
        CoreV1Api core = new CoreV1Api(client);
        IllegalArgumentException list = assertThrows(IllegalArgumentException.class,
                () -> core.listNamespacedPod("shop").execute());
        assertTrue(list.getMessage().contains("`" + place.fieldName() + "`"), list.getMessage());

        Watch<V1Pod> watch = ClientJava.watch(client, core.listNamespacedPod("shop").watch(true).buildCall(null), POD_EVENT);
        try {
            IllegalArgumentException event = assertThrows(IllegalArgumentException.class,
                    () -> ClientJava.next(watch, STEP));
            assertTrue(event.getMessage().contains("`" + place.fieldName() + "`"), event.getMessage());
        } finally {
            ClientJava.closeQuietly(watch);
        }
    }

    /** The practical effect of #3428: an informer never syncs and keeps reporting the error. */
    @Test
    void bug3428_anInformerNeverSyncsWhenTheApiserverAddsAField() throws Exception {
        api.upsert(endpointSlice("shop", "s").addEndpoint(endpoint("10.0.0.1").ready(true)).build());
        api.injectUnknownFields(UnknownField.ENDPOINT_CONDITIONS);
        BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        SharedInformerFactory factory = new SharedInformerFactory(client);
        try {
            DiscoveryV1Api discovery = new DiscoveryV1Api(client);
            SharedIndexInformer<V1EndpointSlice> informer = factory.sharedIndexInformerFor(
                    params -> discovery.listNamespacedEndpointSlice("shop").resourceVersion(params.resourceVersion)
                            .timeoutSeconds(params.timeoutSeconds).watch(params.watch).buildCall(null),
                    V1EndpointSlice.class, V1EndpointSliceList.class, 0, (type, t) -> errors.add(t));
            factory.startAllRegisteredInformers();

            assertTrue(ClientJavaConformanceTest.awaitError(errors, IllegalArgumentException.class));
            assertTrue(ClientJavaConformanceTest.awaitError(errors, IllegalArgumentException.class), "and again");
            assertFalse(informer.hasSynced());
            assertTrue(api.requests(RecordedRequest::isWatch).isEmpty(), "it never gets as far as a watch");

            api.stopInjectingUnknownFields();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!informer.hasSynced() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(informer.hasSynced(), "it recovers once the fields are gone");
        } finally {
            factory.stopAllRegisteredInformers();
        }
    }
}
