package dev.groupcache.example;

import static dev.groupcache.example.Jsons.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * {@code GET /stats}: this node (address, readiness, the ring as it sees it), the backend calls it
 * made per symbol, and the {@code quotes} cache's JSR-107 statistics. Summing {@code backend.calls}
 * over the nodes gives the cluster-wide load count.
 */
@Path("/stats")
@ApplicationScoped
public class StatsResource {
  private static final String[] CACHE_FIGURES = {"CacheGets", "CacheHits", "CacheMisses", "CachePuts",
      "CacheRemovals", "CacheEvictions", "AverageGetTime"};
  private static final ObjectName CACHE_STATISTICS =
      NodeStatus.name("javax.cache:type=CacheStatistics,Cache=" + QuoteCache.NAME + ",*");

  private final NodeStatus node;
  private final QuoteBackend backend;
  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  @Inject
  StatsResource(NodeStatus node, QuoteBackend backend) {
    this.node = node;
    this.backend = backend;
  }

  /** For CDI's proxy. */
  StatsResource() {
    this.node = null;
    this.backend = null;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public JsonObject stats() {
    JsonArrayBuilder peers = JSON.createArrayBuilder();
    node.peers().forEach(peers::add);
    Map<String, Long> bySymbol = backend.callsBySymbol();
    JsonObjectBuilder symbols = JSON.createObjectBuilder();
    bySymbol.forEach(symbols::add);
    return JSON.createObjectBuilder()
        .add("node", JSON.createObjectBuilder()
            .add("self", node.self())
            .add("ready", node.ready())
            .add("localOnly", node.localOnly())
            .add("peers", peers)
            .add("ownerRequests", node.ownerRequests()))
        .add("backend", JSON.createObjectBuilder()
            .add("calls", bySymbol.values().stream().mapToLong(Long::longValue).sum())
            .add("bySymbol", symbols))
        .add("cache", cacheStatistics())
        .build();
  }

  private JsonObjectBuilder cacheStatistics() {
    JsonObjectBuilder figures = JSON.createObjectBuilder();
    try {
      for (ObjectName name : server.queryNames(CACHE_STATISTICS, null)) {
        for (String figure : CACHE_FIGURES) {
          Object value = server.getAttribute(name, figure);
          if (value instanceof Float f) {
            figures.add(figure, f.doubleValue());
          } else if (value instanceof Number n) {
            figures.add(figure, n.longValue());
          }
        }
      }
    } catch (JMException e) {
      throw new IllegalStateException("cannot read the cache's statistics", e);
    }
    return figures;
  }
}
