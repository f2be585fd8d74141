package dev.groupcache.discovery;

import java.util.Locale;

/** Address formatting and the choice between a pod's addresses; shared by the sources. */
final class Endpoints {
  private Endpoints() {}

  /** How far along its life an endpoint is. */
  enum State {
    READY,
    NOT_READY,
    DRAINING
  }

  /** One way to reach one pod. */
  record Candidate(String pod, String address, boolean ipv6, State state) {}

  /**
   * {@code host:port}, an IPv6 host in brackets. Hosts are taken as the API gives them, so every
   * node, reading the same objects, writes the same strings.
   */
  static String format(String host, int port) {
    String h = host.toLowerCase(Locale.ROOT);
    return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
  }

  static boolean isIpv6(String host) {
    return host.indexOf(':') >= 0;
  }

  /** Whether the family allows an address, before choosing among a pod's addresses. */
  static boolean allowed(AddressFamily family, boolean ipv6) {
    return family == AddressFamily.ANY || (family == AddressFamily.IPV6) == ipv6;
  }

  /**
   * Of two candidates for one pod, the one to keep: IPv4 before IPv6 (only {@code ANY} lets both
   * through), then the smaller address, so that every node keeps the same one.
   */
  static Candidate prefer(Candidate a, Candidate b) {
    if (a.ipv6() != b.ipv6()) {
      return a.ipv6() ? b : a;
    }
    return a.address().compareTo(b.address()) <= 0 ? a : b;
  }
}
