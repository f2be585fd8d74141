package dev.groupcache.manifests;

import static dev.groupcache.manifests.Kustomize.list;
import static dev.groupcache.manifests.Kustomize.map;
import static dev.groupcache.manifests.Kustomize.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring overlay: its PodMonitor scrapes the pods it deploys, its alerts pass Prometheus's
 * own checker and fire on their signals ({@code promtool test rules}), and every query of the
 * dashboard and of the alerts is valid PromQL naming only metrics the README lists. That they
 * name metrics a pod really exports is checked against scraped pages by the end-to-end test.
 */
class MonitoringTest {
  static final Path OVERLAY = Path.of("overlays", "monitoring");
  static final Path DASHBOARD = OVERLAY.resolve("dashboard.json");
  private static final Path README = Path.of("..", "README.md");
  /** A metric name in PromQL (no label or function of ours starts so). */
  private static final Pattern METRIC = Pattern.compile("\\b((?:groupcache|cache)_[a-z_]+)\\b");

  @Test
  void podMonitorScrapesTheDeployedPodsOnTheirMetricsPort() throws Exception {
    List<Map<String, Object>> objects = Kustomize.renderGeneric(OVERLAY);
    Map<String, Object> deployment = only(objects, "Deployment");
    Map<String, Object> podTemplate = map(map(deployment, "spec"), "template");
    Map<String, Object> podLabels = map(map(podTemplate, "metadata"), "labels");
    Map<String, Object> container = list(map(podTemplate, "spec"), "containers").get(0);
    Set<String> ports = new TreeSet<>();
    list(container, "ports").forEach(p -> ports.add((String) p.get("name")));

    Map<String, Object> monitor = map(only(objects, "PodMonitor"), "spec");
    Map<String, Object> selector = map(map(monitor, "selector"), "matchLabels");
    assertTrue(podLabels.entrySet().containsAll(selector.entrySet()),
        "the PodMonitor " + selector + " selects the pods " + podLabels);
    Map<String, Object> endpoint = list(monitor, "podMetricsEndpoints").get(0);
    assertTrue(ports.contains((String) endpoint.get("port")), "a named container port: " + endpoint + " of " + ports);
    assertEquals("/metrics", endpoint.get("path"));

    Map<String, Object> dashboards = only(objects, "ConfigMap");
    assertEquals("1", map(map(dashboards, "metadata"), "labels").get("grafana_dashboard"),
        "Grafana's sidecar loads ConfigMaps labelled grafana_dashboard");
    assertEquals(Files.readString(DASHBOARD), map(dashboards, "data").get("groupcache.json"));
  }

  @Test
  void alertsPassPromtoolAndFireOnTheirSignals(@TempDir Path dir) throws Exception {
    Path rules = writeRules(dir);
    assertEquals(0, promtool(dir, "check", "rules", rules.toString()), "promtool check rules");
    Files.copy(OVERLAY.resolve("rules-test.yaml"), dir.resolve("rules-test.yaml"));
    assertEquals(0, promtool(dir, "test", "rules", "rules-test.yaml"), "promtool test rules");
  }

  @Test
  void dashboardQueriesAreValidPromQl(@TempDir Path dir) throws Exception {
    // promtool parses PromQL only in rule files: each panel query becomes a recording rule
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", "dashboard");
    List<Map<String, Object>> rules = new ArrayList<>();
    int i = 0;
    for (String expr : dashboardQueries()) {
      rules.add(Map.of("record", "dashboard:query" + i++, "expr",
          expr.replace("$__rate_interval", "1m").replace("$namespace", "shop")));
    }
    group.put("rules", rules);
    Path file = dir.resolve("dashboard-rules.yaml");
    Files.writeString(file, dump(Map.of("groups", List.of(group))));
    assertFalse(rules.isEmpty());
    assertEquals(0, promtool(dir, "check", "rules", file.toString()), "every dashboard query parses");
  }

  @Test
  void dashboardAndAlertsNameOnlyMetricsTheReadmeLists() throws Exception {
    String readme = Files.readString(README);
    Set<String> named = metricNames();
    assertTrue(named.size() >= 20, "the dashboard and alerts cover the figures: " + named);
    for (String metric : named) {
      String base = metric.replaceAll("_(bucket|sum|count)$", "");
      assertTrue(readme.contains("`" + base + "`"), metric + " is not in the README's metrics table");
    }
  }

  /** Every metric name that a dashboard query or an alert names, histogram suffixes kept. */
  static Set<String> metricNames() throws IOException {
    Set<String> names = new TreeSet<>();
    List<String> queries = new ArrayList<>(dashboardQueries());
    queries.addAll(alertExpressions());
    for (String query : queries) {
      // label values ("... outcome!=\"miss\"") and label names are not metrics
      Matcher m = METRIC.matcher(query.replaceAll("\"[^\"]*\"", "\"\""));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  static List<String> dashboardQueries() throws IOException {
    JsonObject dashboard = JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject();
    List<String> queries = new ArrayList<>();
    for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
      for (JsonElement target : panel.getAsJsonObject().getAsJsonArray("targets")) {
        queries.add(target.getAsJsonObject().get("expr").getAsString());
      }
    }
    return queries;
  }

  @SuppressWarnings("unchecked")
  static List<String> alertExpressions() throws IOException {
    Map<String, Object> rule = new Yaml().load(Files.readString(OVERLAY.resolve("prometheus-rule.yaml")));
    List<String> expressions = new ArrayList<>();
    for (Map<String, Object> group : list(map(rule, "spec"), "groups")) {
      for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
        expressions.add((String) r.get("expr"));
      }
    }
    return expressions;
  }

  /** The PrometheusRule's spec as the plain rule file promtool reads. */
  static Path writeRules(Path dir) throws IOException {
    Map<String, Object> rule = new Yaml().load(Files.readString(OVERLAY.resolve("prometheus-rule.yaml")));
    Path file = dir.resolve("rules.yaml");
    Files.writeString(file, dump(map(rule, "spec")));
    return file;
  }

  /** Runs {@code promtool args} in {@code dir}; its exit status. Missing promtool fails in CI. */
  static int promtool(Path dir, String... args) throws IOException, InterruptedException {
    boolean present = Kustomize.onPath("promtool");
    if (System.getenv("CI") != null) {
      assertTrue(present, "promtool is installed in CI (.ci/run installs Debian's prometheus package)");
    }
    assumeTrue(present, "promtool is not installed (Debian: apt-get install prometheus)");
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finishes");
    if (p.exitValue() != 0) {
      System.err.println(String.join(" ", command) + ":\n" + out);
    }
    return p.exitValue();
  }

  private static String dump(Object yaml) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(yaml);
  }
}
