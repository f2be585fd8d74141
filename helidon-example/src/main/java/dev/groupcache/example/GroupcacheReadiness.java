package dev.groupcache.example;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once this node's discovery has synced: before that it does not know the ring, and a
 * Service should not send it traffic. A node that could not join (a local-only fallback) stays
 * not ready, so that the failure shows in the pod's status rather than as a cache silently split.
 */
@Readiness
@ApplicationScoped
public class GroupcacheReadiness implements HealthCheck {
  private final NodeStatus node;

  @Inject
  GroupcacheReadiness(NodeStatus node) {
    this.node = node;
  }

  /** For CDI's proxy. */
  GroupcacheReadiness() {
    this.node = null;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("groupcache")
        .status(node.exists() && node.ready())
        .withData("self", node.self())
        .withData("peers", node.peers().size())
        .withData("localOnly", node.localOnly())
        .build();
  }
}
