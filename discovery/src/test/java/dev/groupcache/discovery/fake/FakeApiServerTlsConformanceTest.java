package dev.groupcache.discovery.fake;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static dev.groupcache.discovery.fake.Wire.ES_PATH;
import static dev.groupcache.discovery.fake.Wire.STEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Watch;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TLS with a CA generated at test time: trusted clients get through, others fail the handshake. */
@Timeout(30)
class FakeApiServerTlsConformanceTest {
    private static FakeApiServer api;

    @BeforeAll
    static void start() {
        api = FakeApiServer.startTls();
        api.upsert(endpointSlice("shop", "s").serviceName("svc").build());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static HttpClient jdkClient(SSLContext context) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .sslContext(context).build();
    }

    private static String listUrl() {
        return api.baseUrl() + String.format(ES_PATH, "shop");
    }

    @Test
    void aClientTrustingTheGeneratedCaGetsThrough() throws Exception {
        assertTrue(api.baseUrl().startsWith("https://127.0.0.1:"));
        HttpResponse<String> r = Wire.get(jdkClient(api.trustingSslContext()), listUrl());
        assertEquals(200, r.statusCode());
        assertEquals(List.of("s"), Wire.names(Wire.json(r).getAsJsonArray("items")));

        X509Certificate server = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
        assertEquals(List.of("127.0.0.1", "localhost"), server.getSubjectAlternativeNames().stream()
                .map(san -> (String) san.get(1)).collect(Collectors.toList()));
        assertEquals(api.caCertificate().getSubjectX500Principal(), server.getIssuerX500Principal());
        server.verify(api.caCertificate().getPublicKey());
    }

    @Test
    void theCaPemIsACaCertificate() throws Exception {
        String pem = api.caCertificatePem();
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n") && pem.endsWith("-----END CERTIFICATE-----\n"));
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(api.caCertificate(), ca);
        assertTrue(ca.getBasicConstraints() >= 0, "a CA");
    }

    @Test
    void aClientThatDoesNotTrustTheCaFailsTheHandshake() {
        assertThrows(SSLHandshakeException.class, () -> Wire.get(jdkClient(api.nonTrustingSslContext()), listUrl()));
    }

    @Test
    void clientJavaWithTheCaListsAndWatches() throws Exception {
        ApiClient client = ClientJava.client(api);
        DiscoveryV1Api discovery = new DiscoveryV1Api(client);
        assertEquals(1, discovery.listNamespacedEndpointSlice("shop").execute().getItems().size());

        long rv = api.resourceVersion();
        Watch<V1EndpointSlice> watch = ClientJava.watch(client, discovery.listNamespacedEndpointSlice("watched")
                .resourceVersion(Long.toString(rv)).watch(true).buildCall(null),
                new TypeToken<Watch.Response<V1EndpointSlice>>() {}.getType());
        try {
            api.upsert(endpointSlice("watched", "t").build());
            Watch.Response<V1EndpointSlice> added = ClientJava.next(watch, STEP);
            assertEquals("ADDED", added.type);
            assertEquals("t", added.object.getMetadata().getName());
        } finally {
            ClientJava.closeQuietly(watch);
        }
    }

    @Test
    void clientJavaWithoutTheCaFailsTheHandshake() {
        ApiClient wrongCa = new ClientBuilder().setBasePath(api.baseUrl())
                .setCertificateAuthority(FakeApiServer.unrelatedCaCertificatePem().getBytes(StandardCharsets.US_ASCII))
                .build();
        ApiException e = assertThrows(ApiException.class,
                () -> new DiscoveryV1Api(wrongCa).listNamespacedEndpointSlice("shop").execute());
        assertTrue(e.getCause() instanceof SSLHandshakeException, () -> "got " + e.getCause());

        ApiClient jdkDefaults = new ClientBuilder().setBasePath(api.baseUrl()).build();
        ApiException defaults = assertThrows(ApiException.class,
                () -> new DiscoveryV1Api(jdkDefaults).listNamespacedEndpointSlice("shop").execute());
        assertTrue(defaults.getCause() instanceof SSLHandshakeException, () -> "got " + defaults.getCause());
    }

    @Test
    void stopAndStartKeepTheCertificates() throws Exception {
        FakeApiServer other = FakeApiServer.startTls();
        try {
            SSLContext trusting = other.trustingSslContext();
            int port = other.port();
            other.stop();
            other.start();
            assertEquals(port, other.port());
            HttpResponse<String> r = jdkClient(trusting).send(HttpRequest.newBuilder(URI.create(other.baseUrl()
                    + "/api/v1/pods")).timeout(STEP).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        } finally {
            other.close();
        }
    }
}
