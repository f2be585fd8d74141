package dev.groupcache.discovery;

import java.util.Locale;

/** Where the peers come from. */
public enum DiscoveryMode {
  /** The EndpointSlices of a Service (the default): readiness and termination as Kubernetes sees them. */
  ENDPOINTSLICES,
  /** Pods matching a label selector that are Ready, not being deleted, and have an IP. */
  PODS,
  /** The A and AAAA records of a headless Service, resolved again on an interval; needs no RBAC. */
  DNS,
  /** A fixed list. */
  STATIC;

  /** Parses {@code endpointslices}, {@code pods}, {@code dns} or {@code static}, in any case. */
  public static DiscoveryMode parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("discovery mode '" + value
          + "' is not one of endpointslices, pods, dns, static");
    }
  }
}
