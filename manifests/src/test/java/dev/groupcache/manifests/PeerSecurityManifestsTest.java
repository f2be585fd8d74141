package dev.groupcache.manifests;

import static dev.groupcache.manifests.Kustomize.list;
import static dev.groupcache.manifests.Kustomize.map;
import static dev.groupcache.manifests.Kustomize.named;
import static dev.groupcache.manifests.Kustomize.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicyIngressRule;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPeer;
import io.kubernetes.client.openapi.models.V1NetworkPolicyPort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The manifests' defaults keep non-members off the peer port: a NetworkPolicy in the base, and
 * the TLS overlay's certificates from cert-manager reaching the {@code groupcache.tls.*} settings.
 */
class PeerSecurityManifestsTest {
  private static final Path BASE = Path.of("base");
  private static final Path TLS = Path.of("overlays", "tls");

  @Test
  void basePolicyAdmitsThePeerPortOnlyFromTheAppsOwnPods() throws Exception {
    List<Object> objects = Kustomize.render(BASE);
    V1Deployment deployment = ManifestsTest.only(objects, V1Deployment.class);
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    Set<String> containerPorts = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts()
        .stream().map(p -> p.getName()).collect(Collectors.toSet());
    V1NetworkPolicy policy = ManifestsTest.only(objects, V1NetworkPolicy.class);
    ManifestsTest.assertSelects(policy.getSpec().getPodSelector().getMatchLabels(), podLabels, "NetworkPolicy");
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());

    Set<String> admitted = new HashSet<>();
    for (V1NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      assertNotNull(rule.getPorts(), "a rule without ports admits every port, the peer port too: " + rule);
      List<String> ports = new ArrayList<>();
      for (V1NetworkPolicyPort port : rule.getPorts()) {
        String name = port.getPort().getStrValue();
        assertTrue(containerPorts.contains(name), "a named container port: " + name);
        ports.add(name);
      }
      admitted.addAll(ports);
      if (ports.contains("groupcache")) {
        assertEquals(List.of("groupcache"), ports, "the peer port has a rule of its own");
        assertFalse(rule.getFrom() == null || rule.getFrom().isEmpty(), "the peer port is not open to all");
        for (V1NetworkPolicyPeer from : rule.getFrom()) {
          assertNull(from.getIpBlock(), "no address ranges on the peer port");
          assertNull(from.getNamespaceSelector(), "no other namespace on the peer port");
          ManifestsTest.assertSelects(podLabels, from.getPodSelector().getMatchLabels(),
              "the peer port's sources are this app's pods only:");
        }
      }
    }
    assertEquals(containerPorts, admitted, "every container port has its rule, nothing else is admitted");
  }

  @Test
  void tlsOverlayMountsCertManagersSecretAndNamesItsFilesAndIdentity() throws Exception {
    List<Map<String, Object>> objects = Kustomize.renderGeneric(TLS);
    // the chain: a self-signed root, a CA Issuer that signs with it, the members' Certificate
    Map<String, Object> peers = map(named(objects, "Certificate", "quotes-peers"), "spec");
    Map<String, Object> issuer = map(named(objects, "Issuer", (String) map(peers, "issuerRef").get("name")), "spec");
    Map<String, Object> ca = map(named(objects, "Certificate", "quotes-ca"), "spec");
    assertEquals(ca.get("secretName"), map(issuer, "ca").get("secretName"), "the members' issuer signs with the CA");
    assertEquals(Boolean.TRUE, ca.get("isCA"));
    assertEquals(List.of("server auth", "client auth"), peers.get("usages"), "every member is server and client");
    assertEquals("PKCS8", map(peers, "privateKey").get("encoding"), "groupcache.tls.key reads PKCS#8 keys");

    // the Secret mounted as a directory (renewals reach it), the settings naming its files
    Map<String, Object> pod = map(map(only(objects, "Deployment"), "spec"), "template");
    Map<String, Object> volume = list(map(pod, "spec"), "volumes").stream()
        .filter(v -> v.containsKey("secret")).findFirst().orElseThrow();
    assertEquals(peers.get("secretName"), map(volume, "secret").get("secretName"));
    Map<String, Object> container = list(map(pod, "spec"), "containers").get(0);
    Map<String, Object> mount = list(container, "volumeMounts").stream()
        .filter(m -> volume.get("name").equals(m.get("name"))).findFirst().orElseThrow();
    assertNull(mount.get("subPath"), "a subPath mount is never updated on renewal");
    assertEquals(Boolean.TRUE, mount.get("readOnly"));
    String dir = (String) mount.get("mountPath");
    Map<String, String> env = list(container, "env").stream().filter(e -> e.get("value") != null)
        .collect(Collectors.toMap(e -> (String) e.get("name"), e -> (String) e.get("value")));
    assertEquals(dir + "/tls.crt", env.get("GROUPCACHE_TLS_CERT"));
    assertEquals(dir + "/tls.key", env.get("GROUPCACHE_TLS_KEY"));
    assertEquals(dir + "/ca.crt", env.get("GROUPCACHE_TLS_CA"));
    ManifestsTest.assertOnlyKnownKeys(env.keySet());

    // the identity pattern admits the members' names, and not names merely containing them
    Pattern identity = Pattern.compile(env.get("GROUPCACHE_TLS_PEER_IDENTITY"));
    @SuppressWarnings("unchecked")
    List<String> names = (List<String>) peers.get("dnsNames");
    assertFalse(names.isEmpty());
    for (String name : names) {
      assertTrue(identity.matcher(name).matches(), name + " matches " + identity);
      assertFalse(identity.matcher("evil." + name).matches(), "a longer name is not a member's");
      assertFalse(identity.matcher(name.replace('.', 'x')).matches(), "dots are escaped in " + identity);
    }
  }

  @Test
  void tlsOverlayKeepsTheBasesPolicyAndProbes() throws Exception {
    List<Map<String, Object>> objects = Kustomize.renderGeneric(TLS);
    only(objects, "NetworkPolicy");
    Map<String, Object> container = list(map(map(map(only(objects, "Deployment"), "spec"), "template"), "spec"),
        "containers").get(0);
    assertNotNull(container.get("readinessProbe"));
    assertTrue(list(container, "env").stream().anyMatch(e -> "POD_IP".equals(e.get("name"))),
        "the patch adds to the base's environment, it does not replace it");
  }
}
