package dev.groupcache.agent.it;

import static dev.groupcache.agent.it.AgentJvm.ANSWER;
import static dev.groupcache.agent.it.AgentJvm.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.testing.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One JVM of the example application under the agent with {@code metrics.port}: its {@code
 * /metrics} page moves as gets are driven, is accepted by {@code promtool check metrics}, and its
 * health endpoints answer for the probes, with no application code.
 */
class AgentMetricsIT {
  private static final int PORT = 17561;
  private static final int METRICS_PORT = 17562;
  private static final int KEYS = 12;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void metricsMoveWithGetsAndHealthAnswers(@TempDir Path dir) throws Exception {
    String self = "127.0.0.1:" + PORT;
    try (ChildJvm jvm = AgentJvm.start("metrics-1", "discovery=static,static.peers=" + self + ",port=" + PORT
        + ",self=" + self + ",bind-host=127.0.0.1,metrics.port=" + METRICS_PORT + ",agent.weave=example.")) {
      assertEquals("ready", jvm.await("ready", START), jvm.log());
      String node = AgentJvm.awaitNode(jvm, "ready=true");
      assertTrue(node.startsWith("ready=true"), node + "\n" + jvm.log());

      assertEquals(200, get("/health/live", null).statusCode());
      assertEquals(200, get("/health/ready", null).statusCode(), "ready like NodeMXBean.isReady()");

      String before = get("/metrics", null).body();
      for (int k = 0; k < KEYS; k++) {
        assertTrue(jvm.call("price p" + k, ANSWER).startsWith("p" + k + "="));
      }
      for (int k = 0; k < KEYS; k++) {
        jvm.call("price p" + k, ANSWER); // owned hits now
      }

      HttpResponse<String> text = get("/metrics", null);
      assertEquals(200, text.statusCode());
      assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), text.headers().toString());
      String page = text.body();
      assertEquals(KEYS, sum(page, "groupcache_jcache_loads_total{", "cache=\"prices\"")
          - sum(before, "groupcache_jcache_loads_total{", "cache=\"prices\""), page);
      assertTrue(sum(page, "groupcache_jcache_gets_total{", "outcome=\"owned_hit\"")
          - sum(before, "groupcache_jcache_gets_total{", "outcome=\"owned_hit\"") >= KEYS, page);
      assertEquals(1.0, sum(page, "groupcache_node_ready", ""), page);
      assertEquals(1.0, sum(page, "groupcache_ring_members", ""), page);
      assertTrue(page.contains("groupcache_jcache_load_duration_seconds_bucket{"), page);

      HttpResponse<String> openMetrics = get("/metrics", "application/openmetrics-text; version=1.0.0");
      assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("")
          .startsWith("application/openmetrics-text"), openMetrics.headers().toString());
      assertTrue(openMetrics.body().endsWith("# EOF\n"), "an OpenMetrics page ends with # EOF");

      promtoolAccepts(dir, page);
    }
  }

  private HttpResponse<String> get(String path, String accept) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + METRICS_PORT + path))
        .timeout(ANSWER);
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The sum of the samples of {@code prefix}'s lines that contain {@code label}. */
  private static double sum(String page, String prefix, String label) {
    double total = 0;
    for (String line : page.split("\n")) {
      if (line.startsWith(prefix) && line.contains(label)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /**
   * {@code promtool check metrics} exits 0 on the page; without promtool this is skipped, unless
   * the environment variable CI is set (CI installs it).
   */
  private static void promtoolAccepts(Path dir, String page) throws IOException, InterruptedException {
    if (!onPath("promtool")) {
      assertTrue(System.getenv("CI") == null, "promtool is not on PATH, and CI is set");
      return;
    }
    Path file = dir.resolve("metrics.txt");
    Files.writeString(file, page);
    Path out = dir.resolve("promtool.out");
    Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, promtool.exitValue(), Files.readString(out));
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
