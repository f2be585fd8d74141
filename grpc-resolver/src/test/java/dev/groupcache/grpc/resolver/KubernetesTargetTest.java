package dev.groupcache.grpc.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.discovery.KubernetesAccess;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.NameResolverRegistry;
import io.kubernetes.client.util.ClientBuilder;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Target forms, the errors for bad ones, and how the provider is found. */
class KubernetesTargetTest {
  private static KubernetesTarget t(String service, String namespace, int port, String portName) {
    return new KubernetesTarget(service, namespace, port, portName);
  }

  @Test
  void everyFormKuberesolverAccepts() {
    assertEquals(t("svc", null, 8080, null), KubernetesTarget.parse("kubernetes:///svc:8080"));
    assertEquals(t("svc", "ns", 8080, null), KubernetesTarget.parse("kubernetes:///svc.ns:8080"));
    assertEquals(t("svc", "ns", 8080, null), KubernetesTarget.parse("kubernetes:///svc.ns.svc.cluster.local:8080"));
    assertEquals(t("svc", "ns", 8080, null), KubernetesTarget.parse("kubernetes:///svc.ns.svc:8080"));
    assertEquals(t("svc", "ns", 8080, null), KubernetesTarget.parse("kubernetes://ns/svc:8080"));
    assertEquals(t("svc", "ns", 8080, null), KubernetesTarget.parse("kubernetes://svc.ns:8080"));
    assertEquals(t("svc", "ns", 8080, null), KubernetesTarget.parse("kubernetes://svc.ns:8080/"));
    assertEquals(t("svc", "ns", 0, "grpc"), KubernetesTarget.parse("kubernetes:///svc.ns:grpc"));
    assertEquals(t("svc", "ns", 0, "grpc"), KubernetesTarget.parse("kubernetes://ns/svc:grpc"));
    assertEquals(t("svc", "ns", 0, "grpc"), KubernetesTarget.parse("kubernetes://svc.ns:grpc/"));
    assertEquals(t("svc", null, 0, "grpc-web"), KubernetesTarget.parse("kubernetes:///svc:grpc-web"));
    assertEquals(t("svc", "ns", 0, null), KubernetesTarget.parse("kubernetes:///svc.ns"));
    assertEquals(t("my-svc2", "team-a", 65535, null), KubernetesTarget.parse("kubernetes:///my-svc2.team-a:65535"));
  }

  @Test
  void authorityAndText() {
    KubernetesTarget target = KubernetesTarget.parse("kubernetes://ns/svc:grpc");
    assertEquals("svc.ns", target.serviceAuthority());
    assertEquals("kubernetes:///svc.ns:grpc", target.toString());
    assertThrows(IllegalStateException.class, () -> KubernetesTarget.parse("kubernetes:///svc:1").serviceAuthority());
  }

  @Test
  void badFormsSayWhatIsWrong() {
    bad("kubernetes:///", "no service named");
    bad("kubernetes:///:8080", "no service named");
    bad("kubernetes:///svc:", "empty port");
    bad("kubernetes:///svc:0", "port must be 1-65535: 0");
    bad("kubernetes:///svc:70000", "port must be 1-65535: 70000");
    bad("kubernetes:///svc:99999999999", "port must be 1-65535");
    bad("kubernetes:///Svc.ns:8080", "service name 'Svc' is not a lower-case DNS label starting with a letter");
    bad("kubernetes:///Svc.ns:8080", "(Kubernetes names are lower case)");
    bad("kubernetes:///1svc:8080", "service name '1svc'");
    bad("kubernetes:///svc.n_s:8080", "namespace 'n_s'");
    bad("kubernetes:///svc.ns.cluster.local:8080", "is not svc, svc.ns or svc.ns.svc.<cluster domain>");
    bad("kubernetes:///svc..ns:8080", "empty label");
    bad("kubernetes://ns/svc.other:8080", "the namespace is given twice");
    bad("kubernetes://ns:1/svc:8080", "the namespace has no port");
    bad("kubernetes:///ns/svc:8080", "more than one segment");
    bad("kubernetes:///svc:8080?x=1", "no query or fragment");
    bad("kubernetes:svc:8080", "must follow '//' or '///'");
    bad("kubernetes:///svc:a_port", "port name 'a_port'");
    bad("kubernetes:///svc:1234-", "port name '1234-'");
    bad("kubernetes:///svc:averyveryverylongname", "port name");
    bad("kubernetes:///svc:a--b", "no '--'");
    bad("kubernetes:///svc 1:80", "not a URI");
    bad("kubernetes://u@svc.ns:80", "no user information");
  }

  private static void bad(String target, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KubernetesTarget.parse(target),
        target);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().startsWith("bad kubernetes target '" + target + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("use kubernetes:///svc:port"), e.getMessage());
  }

  @Test
  void theServiceLoaderRegistersTheProvider() {
    assertInstanceOf(KubernetesNameResolverProvider.class,
        NameResolverRegistry.getDefaultRegistry().getProviderForScheme("kubernetes"));
  }

  @Test
  void aBadTargetFailsTheChannelBuildWithTheParseError() {
    NameResolverRegistry registry = new NameResolverRegistry();
    registry.register(KubernetesNameResolverProvider.builder().access(unusedAccess()).build());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Grpc.newChannelBuilder("kubernetes:///svc:0", InsecureChannelCredentials.create(), registry).build());
    assertTrue(String.valueOf(e.getMessage()).contains("port must be 1-65535: 0")
        || String.valueOf(e.getCause()).contains("port must be 1-65535: 0"), e.toString());
  }

  @Test
  void otherSchemesAreNotThisProvidersAndTheSchemeIsConfigurable() {
    KubernetesNameResolverProvider provider = KubernetesNameResolverProvider.builder().access(unusedAccess())
        .scheme("k8s").build();
    assertEquals("k8s", provider.getDefaultScheme());
    assertNull(provider.newNameResolver(URI.create("kubernetes:///svc:80"), new Recorder().args));
    assertEquals("svc.ns", provider.newNameResolver(URI.create("k8s:///svc.ns:80"), new Recorder().args)
        .getServiceAuthority());
    assertThrows(IllegalArgumentException.class, () -> KubernetesNameResolverProvider.builder().scheme("1x"));
    assertThrows(IllegalArgumentException.class,
        () -> KubernetesNameResolverProvider.builder().serviceConfig(java.util.Map.of("x", new Object())));
  }

  /** An access for a resolver that is never started: nothing listens there. */
  private static KubernetesAccess unusedAccess() {
    return KubernetesAccess.of(new ClientBuilder().setBasePath("http://127.0.0.1:9").build(), "default");
  }
}
