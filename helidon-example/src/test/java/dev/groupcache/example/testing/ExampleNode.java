package dev.groupcache.example.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the example service in its own JVM, as the quick start and the end-to-end test
 * run it, and its HTTP API as a client sees it. Its output goes to {@code <logDir>/<name>.log}.
 */
public final class ExampleNode implements AutoCloseable {
  /** Helidon MP's main class: the example has no main of its own. */
  public static final String MAIN = "io.helidon.microprofile.cdi.Main";

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final URI base;
  private final Process process;
  private final Path log;

  private ExampleNode(String name, URI base, Process process, Path log) {
    this.name = name;
    this.base = base;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts an instance.
   *
   * @param name for logs and messages
   * @param prefix what runs the JVM, e.g. {@code ip netns exec ns1}; empty to run it here
   * @param example the example's build output: {@code helidon-example.jar}, {@code libs/}, {@code provider/}
   * @param agent the agent jar to run under, or null for the provider as a plain dependency
   * @param httpHost where clients reach its REST port
   * @param httpPort its REST port ({@code server.port})
   * @param settings system properties ({@code groupcache.*}, {@code server.*} ...)
   * @param environment extra environment variables
   */
  public static ExampleNode start(String name, List<String> prefix, Path example, Path agent, String httpHost,
      int httpPort, Map<String, String> settings, Map<String, String> environment, Path logDir) {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1"); // short-lived: start fast rather than peak
    if (agent != null) {
      command.add("-javaagent:" + agent.toAbsolutePath());
    }
    command.add("-Dserver.port=" + httpPort);
    new TreeMap<>(settings).forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    String sep = java.io.File.pathSeparator;
    Path root = example.toAbsolutePath();
    command.add(root.resolve("helidon-example.jar") + sep + root.resolve("libs") + "/*"
        + (agent == null ? sep + root.resolve("provider") + "/*" : ""));
    command.add(MAIN);
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      for (int run = 2; Files.exists(log); run++) {
        log = logDir.resolve(name + "-" + run + ".log"); // a restart keeps the log of the run before
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      URI base = URI.create("http://" + (httpHost.contains(":") ? "[" + httpHost + "]" : httpHost) + ":" + httpPort);
      return new ExampleNode(name, base, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  public String name() {
    return name;
  }

  /** Waits until {@code /health/ready} answers 200; false if it did not within {@code timeout}. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        if (status("/health/ready") == 200) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** {@code GET /quotes/{symbol}}. */
  public Quote quote(String symbol) throws IOException, InterruptedException {
    return Quote.of(json("/quotes/" + symbol));
  }

  /** {@code DELETE /quotes/{symbol}}: its status, 204 if there was a quote, 404 if not. */
  public int remove(String symbol) throws IOException, InterruptedException {
    HttpRequest delete = HttpRequest.newBuilder(base.resolve("/quotes/" + symbol)).timeout(REQUEST_TIMEOUT).DELETE().build();
    return HTTP.send(delete, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** {@code GET /stats}. */
  public JsonObject stats() throws IOException, InterruptedException {
    return json("/stats");
  }

  /** The backend calls this node made, per symbol (from {@code /stats}). */
  public Map<String, Long> loads() throws IOException, InterruptedException {
    Map<String, Long> loads = new TreeMap<>();
    stats().getAsJsonObject("backend").getAsJsonObject("bySymbol")
        .entrySet().forEach(e -> loads.put(e.getKey(), e.getValue().getAsLong()));
    return loads;
  }

  /** The backend calls of {@code nodes} per symbol, summed: the cluster-wide loads. */
  public static Map<String, Long> loads(Collection<ExampleNode> nodes) throws IOException, InterruptedException {
    Map<String, Long> total = new TreeMap<>();
    for (ExampleNode node : nodes) {
      node.loads().forEach((s, n) -> total.merge(s, n, Long::sum));
    }
    return total;
  }

  /** The ring as this node sees it (from {@code /stats}). */
  public List<String> peers() throws IOException, InterruptedException {
    List<String> peers = new ArrayList<>();
    stats().getAsJsonObject("node").getAsJsonArray("peers").forEach(p -> peers.add(p.getAsString()));
    return peers;
  }

  /** A GET's JSON answer; an {@link IOException} for any status but 200. */
  public JsonObject json(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(request(path), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new IOException(name + " answered " + r.statusCode() + " to GET " + path + ": " + r.body());
    }
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  /** A GET's body as text; an {@link IOException} for any status but 200. */
  public String text(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(request(path), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new IOException(name + " answered " + r.statusCode() + " to GET " + path + ": " + r.body());
    }
    return r.body();
  }

  /** A GET's status. */
  public int status(String path) throws IOException, InterruptedException {
    return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).GET().build();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM, as the kubelet sends it; the exit code, or -1 if it did not exit within {@code timeout}. */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** The last lines of its output, for failure messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return name + " (" + log + "):\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return name + ": no log (" + e.getMessage() + ")";
    }
  }

  /** Kills it at once if it still runs. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One answer of {@code GET /quotes/{symbol}}. */
  public record Quote(String symbol, double price, String loadedBy, String loadedAt, String servedBy, long micros) {
    static Quote of(JsonObject o) {
      return new Quote(o.get("symbol").getAsString(), o.get("price").getAsDouble(), o.get("loadedBy").getAsString(),
          o.get("loadedAt").getAsString(), o.get("servedBy").getAsString(), o.get("micros").getAsLong());
    }
  }

  /** Whether {@code e} means that nothing listens (yet or any more). */
  public static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }
}
