package dev.groupcache.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.util.Yaml;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RBAC manifests grant exactly what discovery uses: read access to one resource in the pod's
 * own namespace. Loaded with client-java's strict YAML loader, which rejects unknown fields.
 */
class RbacManifestTest {
  @Test
  void endpointSlicesModeNeedsOnlyToReadEndpointSlices() throws Exception {
    check("endpointslices.yaml", "discovery.k8s.io", "endpointslices");
  }

  @Test
  void podsModeNeedsOnlyToReadPods() throws Exception {
    check("pods.yaml", "", "pods");
  }

  private static void check(String file, String apiGroup, String resource) throws Exception {
    List<Object> objects = Yaml.loadAll(new File("../manifests/rbac/" + file));
    assertEquals(3, objects.size());
    V1ServiceAccount account = (V1ServiceAccount) objects.get(0);
    V1Role role = (V1Role) objects.get(1);
    V1RoleBinding binding = (V1RoleBinding) objects.get(2);
    assertEquals(1, role.getRules().size(), "one rule");
    V1PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of(apiGroup), rule.getApiGroups());
    assertEquals(List.of(resource), rule.getResources());
    assertEquals(List.of("get", "list", "watch"), rule.getVerbs(), "read only: what ListWatch sends");
    assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty());
    assertEquals("Role", binding.getRoleRef().getKind(), "namespaced, not a ClusterRole");
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals(1, binding.getSubjects().size());
    assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
    assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());
  }
}
