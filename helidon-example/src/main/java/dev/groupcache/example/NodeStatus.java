package dev.groupcache.example;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.util.List;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * This JVM's cluster member as JMX shows it ({@code dev.groupcache:type=Node}). Read through JMX
 * rather than the provider's classes so that it works alike with the provider as a dependency and
 * under the agent, whose classes the application cannot see.
 */
@ApplicationScoped
public class NodeStatus {
  private static final ObjectName NODE = name("dev.groupcache:type=Node");

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  /** The node's address once known: fixed for its life, and every quote names it. */
  private volatile String self = "";

  /** Whether there is a node: it starts with the first cache manager. */
  public boolean exists() {
    return server.isRegistered(NODE);
  }

  /** Whether discovery has synced and the node is a full member (not a local-only fallback). */
  public boolean ready() {
    return Boolean.TRUE.equals(attribute("Ready"));
  }

  public boolean localOnly() {
    return Boolean.TRUE.equals(attribute("LocalOnly"));
  }

  /** This node's address on the ring, or "" before the node starts. */
  public String self() {
    String known = self;
    if (known.isEmpty()) {
      Object attribute = attribute("Self");
      known = attribute == null ? "" : attribute.toString();
      self = known;
    }
    return known;
  }

  /** The members of the ring as this node sees it. */
  public List<String> peers() {
    Object peers = attribute("Peers");
    return peers == null ? List.of() : List.of((String[]) peers);
  }

  /** Requests this node answered as the owner of a key. */
  public long ownerRequests() {
    Object n = attribute("OwnerRequests");
    return n == null ? 0 : (Long) n;
  }

  private Object attribute(String name) {
    try {
      return server.getAttribute(NODE, name);
    } catch (InstanceNotFoundException e) {
      return null;
    } catch (JMException e) {
      throw new IllegalStateException("cannot read " + NODE + " " + name, e);
    }
  }

  static ObjectName name(String name) {
    try {
      return new ObjectName(name);
    } catch (JMException e) {
      throw new IllegalArgumentException(name, e);
    }
  }
}
