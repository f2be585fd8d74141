package dev.groupcache.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.util.Yaml;
import dev.groupcache.jcache.configuration.SettingsKey;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The manifests as {@code kubectl kustomize} renders them, loaded by client-java's strict YAML
 * loader (unknown fields and wrong types fail) and checked for what no schema checks: that the
 * parts agree with one another and with the cache's configuration keys.
 */
class ManifestsTest {
  private static final Path BASE = Path.of("base");
  private static final Path DNS = Path.of("overlays", "dns");
  private static final Path EXAMPLE_CONFIG =
      Path.of("..", "helidon-example", "src", "main", "resources", "META-INF", "microprofile-config.properties");

  @Test
  void baseRunsThreePodsDiscoveringEachOtherThroughEndpointSlices() throws Exception {
    List<Object> objects = render(BASE);
    V1Deployment deployment = only(objects, V1Deployment.class);
    V1Service service = only(objects, V1Service.class);
    V1Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();

    assertEquals(3, deployment.getSpec().getReplicas());
    assertSelects(deployment.getSpec().getSelector().getMatchLabels(), podLabels, "Deployment");
    assertSelects(service.getSpec().getSelector(), podLabels, "Service");
    assertSelects(only(objects, V1PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels(), podLabels,
        "PodDisruptionBudget");

    // the Service's named ports are the container's, and the cache's port is the configured one
    Map<String, Integer> containerPorts = container.getPorts().stream()
        .collect(Collectors.toMap(V1ContainerPort::getName, V1ContainerPort::getContainerPort));
    assertEquals(Set.of("http", "groupcache", "metrics"), containerPorts.keySet());
    for (V1ServicePort port : service.getSpec().getPorts()) {
      assertTrue(containerPorts.containsKey(port.getTargetPort().getStrValue()), "target port " + port);
    }
    Map<String, V1EnvVar> env = environment(container);
    assertEquals(String.valueOf(containerPorts.get("groupcache")), env.get("GROUPCACHE_PORT").getValue());
    assertEquals(String.valueOf(containerPorts.get("metrics")), env.get("GROUPCACHE_METRICS_PORT").getValue());
    assertEquals(service.getMetadata().getName(), env.get("GROUPCACHE_KUBERNETES_SERVICE").getValue());
    assertEquals("status.podIP", env.get("POD_IP").getValueFrom().getFieldRef().getFieldPath(),
        "self is the pod's IP from the downward API, never a DNS guess");
    assertTrue(env.get("JAVA_TOOL_OPTIONS").getValue().contains("-javaagent:"), "the agent, no code change");
    assertOnlyKnownKeys(env.keySet());

    // the ports are the example service's own (its REST port; the peer port it is configured with)
    Properties example = new Properties();
    try (var in = Files.newBufferedReader(EXAMPLE_CONFIG)) {
      example.load(in);
    }
    assertEquals(example.getProperty("server.port"), String.valueOf(containerPorts.get("http")));
    assertEquals(example.getProperty("groupcache.port"), String.valueOf(containerPorts.get("groupcache")));

    // probes on the agent's health endpoints (NetnsClusterIT asks them), on the named metrics port
    assertEquals("/health/ready", container.getReadinessProbe().getHttpGet().getPath());
    assertEquals("metrics", container.getReadinessProbe().getHttpGet().getPort().getStrValue());
    assertEquals("/health/live", container.getLivenessProbe().getHttpGet().getPath());
    assertEquals("metrics", container.getLivenessProbe().getHttpGet().getPort().getStrValue());
    assertNotNull(container.getLifecycle().getPreStop(), "a preStop pause so peers re-ring first");
    assertTrue(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() >= 15);

    // non-root, read-only, no privileges; memory bounded
    assertTrue(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
    assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
    assertNotNull(container.getResources().getLimits().get("memory"));

    // RBAC: exactly read access to EndpointSlices, for the pods' own service account
    String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    assertEquals(account, only(objects, V1ServiceAccount.class).getMetadata().getName());
    V1Role role = only(objects, V1Role.class);
    assertEquals(1, role.getRules().size());
    V1PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of("discovery.k8s.io"), rule.getApiGroups());
    assertEquals(List.of("endpointslices"), rule.getResources());
    assertEquals(List.of("get", "list", "watch"), rule.getVerbs());
    assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());
    V1RoleBinding binding = only(objects, V1RoleBinding.class);
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals("Role", binding.getRoleRef().getKind());
    assertEquals(account, binding.getSubjects().get(0).getName());
  }

  @Test
  void dnsOverlayNeedsNoApiAccess() throws Exception {
    List<Object> objects = render(DNS);
    assertTrue(objects.stream().noneMatch(o -> o instanceof V1Role || o instanceof V1RoleBinding
        || o instanceof V1ServiceAccount), "no RBAC at all: " + objects.stream().map(o -> o.getClass().getSimpleName()).toList());
    V1Deployment deployment = only(objects, V1Deployment.class);
    assertEquals(Boolean.FALSE, deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken());
    assertNull(deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    Map<String, V1EnvVar> env = environment(deployment.getSpec().getTemplate().getSpec().getContainers().get(0));
    assertEquals("dns", env.get("GROUPCACHE_DISCOVERY").getValue());
    assertNull(env.get("GROUPCACHE_KUBERNETES_SERVICE"));
    assertOnlyKnownKeys(env.keySet());

    V1Service headless = objects.stream().filter(V1Service.class::isInstance).map(V1Service.class::cast)
        .filter(s -> "None".equals(s.getSpec().getClusterIP())).findFirst().orElseThrow();
    assertEquals(headless.getMetadata().getName(), env.get("GROUPCACHE_DNS_NAME").getValue());
    assertSelects(headless.getSpec().getSelector(), deployment.getSpec().getTemplate().getMetadata().getLabels(),
        "headless Service");
  }

  @Test
  void strictLoaderRejectsWhatKubectlKustomizeLetsThrough() {
    // the reason for loading with client-java: kustomize renders a misspelt field without a word
    String misspelt = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selectr: {}\n";
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> Yaml.loadAll(new StringReader(misspelt)));
    assertTrue(String.valueOf(e.getMessage()).contains("selectr"), e.toString());
  }

  /** Every GROUPCACHE_* variable is the environment form of a configuration key. */
  static void assertOnlyKnownKeys(Set<String> names) {
    Set<String> known = Arrays.stream(SettingsKey.values())
        .map(k -> k.key().replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT))
        .collect(Collectors.toSet());
    for (String name : names) {
      if (name.startsWith("GROUPCACHE_")) {
        assertTrue(known.contains(name), name + " is no configuration key's environment variable");
      }
    }
  }

  static void assertSelects(Map<String, String> selector, Map<String, String> labels, String what) {
    assertNotNull(selector, what + " selector");
    assertTrue(labels.entrySet().containsAll(selector.entrySet()), what + " selector " + selector
        + " does not select the pods " + labels);
  }

  static Map<String, V1EnvVar> environment(V1Container container) {
    return container.getEnv().stream().collect(Collectors.toMap(V1EnvVar::getName, v -> v));
  }

  static <T> T only(List<Object> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, found.size(), "one " + type.getSimpleName());
    return found.get(0);
  }

  private static List<Object> render(Path dir) throws IOException, InterruptedException {
    return Kustomize.render(dir);
  }
}
