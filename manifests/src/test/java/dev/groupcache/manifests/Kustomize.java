package dev.groupcache.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kubernetes.client.util.Yaml;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code kubectl kustomize} of a directory, loaded strictly or, for custom resources, generically. */
final class Kustomize {
  private Kustomize() {}

  /** Loaded by client-java's strict loader: unknown fields and wrong types fail. */
  static List<Object> render(Path dir) throws IOException, InterruptedException {
    return Yaml.loadAll(new StringReader(yaml(dir)));
  }

  /** As maps: for custom resources (cert-manager's, the Prometheus Operator's) with no model here. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> renderGeneric(Path dir) throws IOException, InterruptedException {
    List<Map<String, Object>> objects = new ArrayList<>();
    new org.yaml.snakeyaml.Yaml().loadAll(yaml(dir)).forEach(o -> objects.add((Map<String, Object>) o));
    return objects;
  }

  /** The one object of {@code kind} among generically loaded ones. */
  static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
    List<Map<String, Object>> found = objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }

  /** The object of {@code kind} named {@code name} among generically loaded ones. */
  static Map<String, Object> named(List<Map<String, Object>> objects, String kind, String name) {
    return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(map(o, "metadata").get("name")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> parent, String key) {
    return (Map<String, Object>) parent.get(key);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    return (List<Map<String, Object>>) parent.get(key);
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String yaml(Path dir) throws IOException, InterruptedException {
    assumeTrue(onPath("kubectl"), "kubectl is not installed: the manifests cannot be rendered");
    Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finishes");
    assertEquals(0, p.exitValue(), "kubectl kustomize " + dir);
    return yaml;
  }
}
