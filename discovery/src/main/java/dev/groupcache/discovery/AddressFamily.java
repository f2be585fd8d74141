package dev.groupcache.discovery;

import java.util.Locale;

/**
 * Which address a dual-stack pod is known by. Every node must use the same family, or they build
 * different rings.
 */
public enum AddressFamily {
  IPV4,
  IPV6,
  /** IPv4 where a pod has one, else IPv6 (the default). */
  ANY;

  /** Parses {@code ipv4}, {@code ipv6} or {@code any}, in any case. */
  public static AddressFamily parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("address family '" + value + "' is not one of ipv4, ipv6, any");
    }
  }
}
