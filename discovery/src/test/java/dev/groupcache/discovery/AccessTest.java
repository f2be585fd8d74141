package dev.groupcache.discovery;

import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpoint;
import static dev.groupcache.discovery.fake.EndpointSliceBuilder.endpointSlice;
import static dev.groupcache.discovery.Sources.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.fake.FakeApiServer;
import dev.groupcache.discovery.fake.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access to the API server: RBAC refusals, in-cluster TLS and token rotation. */
class AccessTest {
  @TempDir
  Path serviceAccount;

  private FakeApiServer api;
  private PeerSource source;

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    if (api != null) {
      api.close();
    }
  }

  private static DiscoveryConfig.Builder cache(KubernetesAccess access) {
    return DiscoveryConfig.builder().service("cache").port(7600).debounce(Duration.ZERO).access(access);
  }

  private void slice(String... ips) {
    var slice = endpointSlice("shop", "cache-a").serviceName("cache").addPort("groupcache", 7600, "TCP");
    for (String ip : ips) {
      slice.addEndpoint(endpoint(ip).ready(true));
    }
    api.upsert(slice.build());
  }

  @Test
  void a403IsOneClearLineAndNotReadyUntilTheRuleIsGranted() throws Exception {
    api = FakeApiServer.startHttp();
    slice("10.0.0.1");
    api.forbid(ResourceKind.ENDPOINT_SLICE, "system:serviceaccount:shop:orders");
    List<String> errors = new ArrayList<>();
    List<String> infos = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        String line = java.text.MessageFormat.format(r.getMessage(), r.getParameters());
        if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
          synchronized (errors) {
            errors.add(line);
          }
        } else if (r.getLevel() == java.util.logging.Level.INFO) {
          synchronized (infos) {
            infos.add(line);
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger(PeerSource.class.getName());
    logger.addHandler(capture);
    try {
      source = Sources.against(api, DiscoveryConfig.builder().service("cache").port(7600).debounce(Duration.ZERO));
      assertFalse(source.start(Duration.ofSeconds(3)), "refused, so not synced");
      assertFalse(source.isReady());
      assertTrue(source.stats().forbidden());
      assertTrue(api.requests(r -> !r.isWatch()).size() >= 2, "it keeps trying");
      synchronized (errors) {
        assertEquals(1, errors.size(), "one line, not one per retry: " + errors);
        String line = errors.get(0);
        assertTrue(line.contains("system:serviceaccount:shop:orders"), line);
        assertTrue(line.contains("namespace 'shop'"), line);
        assertTrue(line.contains("apiGroups: [\"discovery.k8s.io\"], resources: [\"endpointslices\"], "
            + "verbs: [\"get\", \"list\", \"watch\"]"), line);
      }
      assertEquals(List.of(), source.current().peers(), "never a silent standalone: no peers, not ready");
      api.allow(ResourceKind.ENDPOINT_SLICE);
      awaitTrue(source::isReady, () -> source.stats().toString());
      assertEquals(List.of("10.0.0.1:7600"), source.current().peers());
      assertFalse(source.stats().forbidden());
      synchronized (infos) {
        List<String> again = infos.stream().filter(l -> l.contains("again")).toList();
        assertEquals(1, again.size(), "one line when the rule is granted: " + infos);
        assertTrue(again.get(0).contains("endpointslices in namespace 'shop' again"), again.get(0));
      }
      synchronized (errors) {
        assertEquals(1, errors.size(), "no more errors once allowed: " + errors);
      }
    } finally {
      logger.removeHandler(capture);
    }
  }

  @Test
  void inClusterAccessVerifiesTlsAndFollowsTokenRotation() throws Exception {
    api = FakeApiServer.startTls();
    slice("10.0.0.1");
    String first = jwt("system:serviceaccount:shop:orders", "1");
    api.requireBearerToken(first);
    Files.writeString(serviceAccount.resolve("ca.crt"), api.caCertificatePem());
    Files.writeString(serviceAccount.resolve("namespace"), "shop");
    Files.writeString(serviceAccount.resolve("token"), first);
    KubernetesAccess access = KubernetesAccess.inCluster(api.baseUrl(), serviceAccount);
    assertEquals("shop", access.namespace());
    assertEquals("system:serviceaccount:shop:orders", access.identity());
    source = Discovery.create(DiscoveryConfig.builder().service("cache").port(7600).debounce(Duration.ZERO)
        .access(access).build()); // the namespace comes from the service account
    assertTrue(source.start(Duration.ofSeconds(10)));
    assertEquals(List.of("10.0.0.1:7600"), source.current().peers());
    // Synced means listed; the watch may not be open yet, and one opening with the old token just
    // after the cut below would stay open, so that no watch ever needed the new token.
    assertTrue(api.awaitActiveWatches(1, Duration.ofSeconds(10)), "the watch is open");

    // The kubelet writes a new token; the API server stops accepting the old one.
    String second = jwt("system:serviceaccount:shop:orders", "2");
    Files.writeString(serviceAccount.resolve("token"), second);
    api.rotateBearerToken(second);
    api.cutAllWatches();
    assertTrue(api.awaitRequest(r -> r.isWatch() && ("Bearer " + second).equals(r.authorization()),
        Duration.ofSeconds(30)).isPresent(), "the watch came back with the new token");
    slice("10.0.0.1", "10.0.0.2"); // seen only through the re-authenticated watch
    awaitTrue(() -> source.current().peers().size() == 2, () -> source.stats().toString());
    assertTrue(source.isReady());
  }

  @Test
  void anApiServerWithAnUntrustedCertificateIsRefused() throws Exception {
    api = FakeApiServer.startTls();
    slice("10.0.0.1");
    Files.writeString(serviceAccount.resolve("ca.crt"), FakeApiServer.unrelatedCaCertificatePem());
    Files.writeString(serviceAccount.resolve("token"), jwt("system:serviceaccount:shop:orders", "1"));
    KubernetesAccess access = KubernetesAccess.inCluster(api.baseUrl(), serviceAccount);
    source = Discovery.create(cache(access).namespace("shop").build());
    assertFalse(source.start(Duration.ofSeconds(3)));
    assertFalse(source.isReady());
    assertTrue(source.stats().lastError().contains("SSL") || source.stats().lastError().contains("certificat"),
        source.stats().lastError());
    assertEquals(0, api.requests().size(), "no request got through the handshake");
  }

  @Test
  void fromOutsideTheClusterThroughAKubeconfig() throws Exception {
    api = FakeApiServer.startTls();
    slice("10.0.0.1");
    api.requireBearerToken("kubeconfig-token");
    Path kubeconfig = api.writeKubeconfig(serviceAccount.resolve("config"), "shop", "kubeconfig-token");
    KubernetesAccess access = KubernetesAccess.kubeconfig(kubeconfig);
    assertEquals("shop", access.namespace());
    source = Discovery.create(DiscoveryConfig.builder().service("cache").port(7600).access(access).build());
    assertTrue(source.start(Duration.ofSeconds(10)), source.stats().toString());
    assertEquals(List.of("10.0.0.1:7600"), source.current().peers());
  }

  /** A token shaped like a service account's JWT (unsigned: the fake compares strings). */
  private static String jwt(String subject, String serial) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(("{\"sub\":\"" + subject + "\",\"jti\":\"" + serial + "\"}").getBytes(StandardCharsets.UTF_8))
        + ".sig";
  }

}
