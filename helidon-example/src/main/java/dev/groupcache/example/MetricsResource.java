package dev.groupcache.example;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: the cache's and the node's figures in the Prometheus text format, when the
 * provider is a dependency of the service ({@code GroupcacheMetrics} bound to a Micrometer
 * registry of its own). Under the agent the service cannot see the provider's classes, and the
 * agent serves the same page on {@code groupcache.metrics.port}; here it answers 404 saying so.
 */
@Path("/metrics")
@ApplicationScoped
public class MetricsResource {
  private static final String AGENT = "under the agent, metrics are served on groupcache.metrics.port\n";
  private volatile Scraper scraper;

  /** The registry, bound at the first scrape, once the node runs. */
  interface Scraper {
    String scrape();
  }

  @GET
  @Produces("text/plain; version=0.0.4; charset=utf-8")
  public Response metrics() {
    Scraper s = scraper;
    if (s == null) {
      s = bind();
      if (s == null) {
        return Response.status(404).entity(AGENT).build();
      }
    }
    return Response.ok(s.scrape()).build();
  }

  private synchronized Scraper bind() {
    if (scraper == null && providerVisible()) {
      scraper = BoundRegistry.create();
    }
    return scraper;
  }

  private static boolean providerVisible() {
    try {
      Class.forName("dev.groupcache.jcache.GroupcacheMetrics", false, MetricsResource.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Loaded only when the provider's classes are visible. */
  static final class BoundRegistry {
    private BoundRegistry() {}

    static Scraper create() {
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
          new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
              io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
      new dev.groupcache.jcache.GroupcacheMetrics().bindTo(registry);
      return registry::scrape;
    }
  }
}
