package dev.groupcache.example.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a pod's {@code /metrics} in the Prometheus text format, as Prometheus reads it:
 * every sample with its labels, each page checked by {@code promtool check metrics} when scraped.
 */
record MetricsPage(String pod, List<Sample> samples) {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  /** A metric that the shipped dashboard or alerts name (alert names are CamelCase, settings dotted). */
  private static final Pattern NAMED = Pattern.compile("\\b((?:groupcache|cache)_[a-z_]+)\\b");
  private static final Path MONITORING = Path.of("..", "manifests", "overlays", "monitoring");

  record Sample(String name, Map<String, String> labels, double value) {}

  /** Scrapes {@code http://ip:port/metrics}, saves the page under {@code logs} and runs promtool on it. */
  static MetricsPage scrape(String pod, String ip, int port, Path logs) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).header("Accept", "text/plain; version=0.0.4").GET().build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertEquals(200, response.statusCode(), pod + " /metrics");
    String text = response.body();
    Files.createDirectories(logs);
    Files.writeString(logs.resolve(pod + "-metrics.txt"), text);
    promtoolAccepts(pod, text);
    return parse(pod, text);
  }

  /** The status of {@code GET http://ip:port/path}. */
  static int status(String ip, int port, String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  static MetricsPage parse(String pod, String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = brace < 0 ? line.indexOf(' ') : line.indexOf(' ', line.lastIndexOf('}'));
      String name = line.substring(0, brace < 0 ? space : brace);
      Map<String, String> labels = new TreeMap<>();
      if (brace >= 0) {
        Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
      }
      String[] rest = line.substring(space + 1).trim().split(" ");
      samples.add(new Sample(name, labels, Double.parseDouble(rest[0])));
    }
    return new MetricsPage(pod, samples);
  }

  /** The sum of the samples of {@code name} whose labels pass {@code labels}; 0 if there are none. */
  double sum(String name, Predicate<Map<String, String>> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels()))
        .mapToDouble(Sample::value).sum();
  }

  double sum(String name) {
    return sum(name, l -> true);
  }

  /** Whether any sample of {@code name} is on the page. */
  boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  Set<String> names() {
    Set<String> names = new TreeSet<>();
    samples.forEach(s -> names.add(s.name()));
    return names;
  }

  /** Every metric the shipped dashboard and alerts name. */
  static Set<String> namedByMonitoring() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String file : List.of("dashboard.json", "prometheus-rule.yaml")) {
      Matcher m = NAMED.matcher(Files.readString(MONITORING.resolve(file)));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** {@code promtool check metrics}: Prometheus's own linter of exposition pages. */
  private static void promtoolAccepts(String pod, String text) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finishes");
    assertEquals(0, p.exitValue(), "promtool check metrics on " + pod + "'s page:\n" + out);
  }
}
