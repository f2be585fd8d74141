package dev.groupcache;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The address of a node, {@code host:port}, in one canonical spelling.
 *
 * <p>Every node must place the same peers on its ring, so two spellings of one address must become
 * one string: host names are lower-cased and IPv6 literals are written as RFC 5952 prescribes
 * (lower-case, shortest form) inside brackets, {@code [2001:db8::1]:8080}. An IPv6 literal
 * without brackets is rejected rather than guessed at, because {@code 2001:db8::1:8080} is itself a
 * valid address. Parsing never consults DNS.
 */
public final class PeerAddress implements Comparable<PeerAddress> {
  private final String host;
  private final int port;
  private final String text;

  private PeerAddress(String host, int port) {
    this.host = host;
    this.port = port;
    this.text = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}.
   *
   * @throws IllegalArgumentException naming the input and what is wrong with it
   */
  public static PeerAddress parse(String address) {
    String s = address.trim();
    String host;
    String port;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
        throw invalid(address, "expected [ipv6]:port");
      }
      host = s.substring(1, close);
      port = s.substring(close + 2);
      if (host.indexOf(':') < 0) {
        throw invalid(address, "only IPv6 literals go inside brackets");
      }
      host = canonicalIpv6(address, host);
    } else {
      int colon = s.lastIndexOf(':');
      if (colon < 0) {
        throw invalid(address, "expected host:port");
      }
      if (s.indexOf(':') != colon) {
        throw invalid(address, "an IPv6 address must be bracketed, as in [2001:db8::1]:8080");
      }
      host = s.substring(0, colon).toLowerCase(Locale.ROOT);
      port = s.substring(colon + 1);
      if (host.isEmpty()) {
        throw invalid(address, "the host is empty");
      }
    }
    return new PeerAddress(host, parsePort(address, port));
  }

  /** Returns the address of {@code host} and {@code port}; an IPv6 host may be given bare. */
  public static PeerAddress of(String host, int port) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return parse((h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port);
  }

  /** The host: a name, an IPv4 literal or an unbracketed IPv6 literal. */
  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  @Override
  public int compareTo(PeerAddress o) {
    return text.compareTo(o.text);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof PeerAddress && ((PeerAddress) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** The canonical {@code host:port}, with IPv6 hosts in brackets. */
  @Override
  public String toString() {
    return text;
  }

  private static int parsePort(String address, String port) {
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw invalid(address, "the port is not a number");
    }
    if (p < 1 || p > 65535) {
      throw invalid(address, "the port must be 1-65535");
    }
    return p;
  }

  private static String canonicalIpv6(String address, String literal) {
    int zone = literal.indexOf('%');
    String bare = zone < 0 ? literal : literal.substring(0, zone);
    if (!bare.matches("[0-9A-Fa-f:.]+")) {
      throw invalid(address, "not an IPv6 literal");
    }
    InetAddress parsed;
    try {
      parsed = InetAddress.getByName(bare); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      throw invalid(address, "not an IPv6 literal");
    }
    if (!(parsed instanceof Inet6Address)) {
      return parsed.getHostAddress(); // ::ffff:a.b.c.d is the IPv4 address a.b.c.d
    }
    return rfc5952(parsed.getAddress()) + (zone < 0 ? "" : literal.substring(zone));
  }

  /** Lower-case hex groups without leading zeros; the longest run of two or more zero groups is {@code ::}. */
  static String rfc5952(byte[] a) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  private static IllegalArgumentException invalid(String address, String why) {
    return new IllegalArgumentException("invalid peer address '" + address + "': " + why);
  }
}
