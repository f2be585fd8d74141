package dev.groupcache.agent.inside;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.groupcache.jcache.GroupcacheMetrics;
import dev.groupcache.jcache.NodeMXBean;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The agent's HTTP endpoint on {@code groupcache.metrics.port}: {@code /metrics} in the Prometheus
 * text format, or OpenMetrics when the scraper asks for it, written by Micrometer's Prometheus
 * registry; {@code /health/ready} (200 while the node is ready, else 503) and {@code /health/live}
 * (200) for the pod's probes. One daemon thread answers; a scrape reads counters, it changes none.
 */
final class MetricsEndpoint implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MetricsEndpoint.class.getName());
  private static final String OPEN_METRICS = "application/openmetrics-text";
  private static final String OPEN_METRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private static final String TEXT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private MetricsEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Serves this JVM's node and caches on {@code port} of every interface. */
  static MetricsEndpoint start(int port, NodeMXBean node) throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new GroupcacheMetrics().bindTo(registry);
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "groupcache-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/metrics", exchange -> {
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      boolean openMetrics = accept != null && accept.contains(OPEN_METRICS);
      String contentType = openMetrics ? OPEN_METRICS_TYPE : TEXT_TYPE;
      respond(exchange, 200, contentType, registry.scrape(contentType));
    });
    server.createContext("/health/ready", health(node::isReady));
    server.createContext("/health/live", health(() -> true));
    server.start();
    LOG.log(Level.INFO, "groupcache metrics and health on port {0}: /metrics, /health/ready, /health/live",
        String.valueOf(server.getAddress().getPort()));
    return new MetricsEndpoint(server);
  }

  private static com.sun.net.httpserver.HttpHandler health(BooleanSupplier up) {
    return exchange -> {
      boolean ok = up.getAsBoolean();
      respond(exchange, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "UP\n" : "DOWN\n");
    };
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
