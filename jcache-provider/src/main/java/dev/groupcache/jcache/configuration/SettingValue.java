package dev.groupcache.jcache.configuration;

import dev.groupcache.GroupConfig;
import dev.groupcache.PeerAddress;
import java.io.ObjectInputFilter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A setting's value as found, and its parsing into what {@link Settings} holds: each parser fails
 * with an {@link IllegalArgumentException} that names the key, the value, where it came from and
 * what was expected.
 *
 * @param text null if the key is unset and has no default
 * @param origin where the value came from; null for the default
 */
record SettingValue(String key, String text, String origin) {
  static final String PORT_RANGE = "an integer 1-65535";
  static final String DURATION = "a duration such as 500ms, 5s, 2m, 1h, PT5S or 0";
  static final String POSITIVE_DURATION = "a positive duration such as 500ms, 5s, 2m, 1h or PT5S";
  static final String SIZE_EXAMPLES = "such as 65536, 64KiB, 16MiB or 1GiB";
  static final String ADDRESS = "host:port or [ipv6]:port";
  static final Pattern DURATION_UNITS = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|k|kib|m|mib|g|gib)?", Pattern.CASE_INSENSITIVE);
  static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d*)?|\\.\\d+");
  static final double MAX_HOT_SHARE = GroupConfig.MAX_HOT_SHARE;

  String where() {
    return origin == null ? " (the default)" : " (from " + origin + ")";
  }

  IllegalArgumentException invalid(String problem, String expected) {
    return new IllegalArgumentException(key + " = \"" + text + "\"" + (origin == null ? "" : where())
        + (problem.isEmpty() ? "" : " " + problem) + ": expected " + expected);
  }

  static Optional<String> text(SettingValue v) {
    return Optional.ofNullable(v.text());
  }

  static int port(SettingValue v) {
    Integer p = parseInt(v.text());
    if (p == null || p < 1 || p > 65535) {
      throw v.invalid("is not a port", PORT_RANGE);
    }
    return p;
  }

  static int integer(SettingValue v, int min, int max, String what) {
    Integer i = parseInt(v.text());
    if (i == null) {
      throw v.invalid("is not " + what, "an integer " + min + "-" + max);
    }
    if (i < min || i > max) {
      throw v.invalid("is out of range", "an integer " + min + "-" + max);
    }
    return i;
  }

  private static Integer parseInt(String s) {
    if (!s.matches("-?\\d{1,10}")) {
      return null;
    }
    long l = Long.parseLong(s);
    return l < Integer.MIN_VALUE || l > Integer.MAX_VALUE ? null : (int) l;
  }

  static <E extends Enum<E>> E choice(SettingValue v, Class<E> type) {
    StringJoiner allowed = new StringJoiner(", ", "one of ", "");
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name().toLowerCase(Locale.ROOT));
      if (e.name().equalsIgnoreCase(v.text())) {
        return e;
      }
    }
    throw v.invalid("", allowed.toString());
  }

  static boolean bool(SettingValue v) {
    switch (v.text().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "y", "on", "1":
        return true;
      case "false", "no", "n", "off", "0":
        return false;
      default:
        throw v.invalid("is not a boolean", "true or false");
    }
  }

  static double share(SettingValue v) {
    String expected = "a number from 0 to " + MAX_HOT_SHARE;
    if (!DECIMAL.matcher(v.text()).matches()) {
      throw v.invalid(v.text().startsWith("-") ? "is out of range" : "is not a number", expected);
    }
    double d = Double.parseDouble(v.text());
    if (d > MAX_HOT_SHARE) {
      throw v.invalid("is out of range", expected);
    }
    return d;
  }

  /** A duration from {@code min} to {@code max}, spelled as in the README, e.g. "100ms-1m". */
  static Duration duration(SettingValue v, Duration min, Duration max, String range) {
    Duration d = duration(v, true);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw v.invalid("is out of range", "a duration from " + range);
    }
    return d;
  }

  static Duration duration(SettingValue v, boolean positive) {
    String expected = positive ? POSITIVE_DURATION : DURATION;
    Duration d = parseDuration(v.text());
    if (d == null) {
      throw v.invalid(v.text().startsWith("-") ? "is negative" : "is not a duration", expected);
    }
    if (d.isNegative()) {
      throw v.invalid("is negative", expected);
    }
    if (positive && d.isZero()) {
      throw v.invalid("is not positive", expected);
    }
    return d;
  }

  static long size(SettingValue v, long min, long max) {
    String expected = max == Long.MAX_VALUE
        ? "a size of at least " + min + ", " + SIZE_EXAMPLES
        : "a size from " + min + " to " + formatSize(max) + ", " + SIZE_EXAMPLES;
    long s = parseSize(v.text());
    if (s < 0) {
      throw v.invalid(v.text().startsWith("-") ? "is negative" : "is not a size", expected);
    }
    if (s < min || s > max) {
      throw v.invalid("is out of range", expected);
    }
    return s;
  }

  static Optional<String> dnsServer(SettingValue v) {
    if (v.text() == null) {
      return Optional.empty();
    }
    String s = v.text();
    boolean portless = s.indexOf(':') < 0 || (s.startsWith("[") && s.endsWith("]"));
    try {
      PeerAddress.parse(portless ? s + ":53" : s);
    } catch (IllegalArgumentException e) {
      throw v.invalid("is not a DNS server" + reason(e), "host, host:port or [ipv6]:port");
    }
    return Optional.of(s);
  }

  static Optional<String> self(SettingValue v, Function<String, String> environment, int port) {
    if (v.text() != null) {
      try {
        PeerAddress.parse(v.text());
      } catch (IllegalArgumentException e) {
        throw v.invalid("is not an address" + reason(e), ADDRESS);
      }
      return Optional.of(v.text());
    }
    String podIp = environment.apply("POD_IP");
    if (podIp == null || podIp.isBlank()) {
      return Optional.empty();
    }
    SettingValue ip = new SettingValue("POD_IP", podIp.trim(), "environment variable POD_IP");
    String host = ip.text().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") || host.indexOf('/') >= 0 || host.indexOf(',') >= 0) {
      throw ip.invalid("is not an IP address", "one address, as the downward API's status.podIP gives");
    }
    String address = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    try {
      PeerAddress.parse(address);
    } catch (IllegalArgumentException e) {
      throw ip.invalid("is not an IP address" + reason(e),
          "one address, as the downward API's status.podIP gives");
    }
    return Optional.of(address);
  }

  static List<String> peers(SettingValue v) {
    List<String> peers = list(v);
    for (String peer : peers) {
      try {
        PeerAddress.parse(peer);
      } catch (IllegalArgumentException e) {
        throw v.invalid("has \"" + peer + "\", which is not an address" + reason(e),
            "comma-separated " + ADDRESS);
      }
    }
    return peers;
  }

  static List<String> allowlist(SettingValue v) {
    List<String> patterns = list(v);
    for (String p : patterns) {
      boolean ok = p.indexOf('=') < 0 && p.indexOf(';') < 0 && !p.equals("!");
      if (ok) {
        try {
          ObjectInputFilter.Config.createFilter(p);
        } catch (IllegalArgumentException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw v.invalid("has \"" + p + "\", which is not a class-name pattern",
            "comma-separated java.io.ObjectInputFilter class patterns and presets (hibernate, spring)"
                + " such as hibernate,com.example.model.*,java.util.*");
      }
    }
    return patterns;
  }

  /** A file that exists and can be read now; empty if unset. Its content is checked by its user. */
  static Optional<Path> readableFile(SettingValue v) {
    if (v.text() == null) {
      return Optional.empty();
    }
    String expected = "the path of a readable PEM file";
    Path path;
    try {
      path = Path.of(v.text());
    } catch (InvalidPathException e) {
      throw v.invalid("is not a path (" + e.getReason() + ")", expected);
    }
    if (!Files.exists(path)) {
      throw v.invalid("does not exist", expected);
    }
    if (!Files.isRegularFile(path)) {
      throw v.invalid("is not a file", expected);
    }
    if (!Files.isReadable(path)) {
      throw v.invalid("cannot be read by this process", expected);
    }
    return Optional.of(path);
  }

  /** A Java regular expression; empty if unset. */
  static Optional<Pattern> pattern(SettingValue v) {
    if (v.text() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Pattern.compile(v.text()));
    } catch (PatternSyntaxException e) {
      throw v.invalid("is not a regular expression (" + e.getDescription() + " near index " + e.getIndex() + ")",
          "a java.util.regex pattern such as spiffe://cluster\\.local/ns/shop/sa/orders");
    }
  }

  static List<String> list(SettingValue v) {
    if (v.text() == null) {
      return List.of();
    }
    List<String> items = new ArrayList<>();
    for (String item : v.text().split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return List.copyOf(items);
  }

  /**
   * The reason in a {@link PeerAddress} message as {@code " (why)"}, without the repeated address;
   * empty when it only says what was expected, which the caller's message says anyway.
   */
  private static String reason(IllegalArgumentException e) {
    String m = String.valueOf(e.getMessage());
    int at = m.indexOf("': ");
    String why = at < 0 ? m : m.substring(at + 3);
    return why.startsWith("expected") ? "" : " (" + why + ")";
  }

  /**
   * Parses {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, ISO-8601 such as {@code PT5S}, or
   * {@code 0}; null if {@code text} is none of these. ISO-8601 may yield a negative duration.
   */
  static Duration parseDuration(String text) {
    String t = text.trim();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_UNITS.matcher(t);
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
          case "ms":
            return Duration.ofMillis(n);
          case "s":
            return Duration.ofSeconds(n);
          case "m":
            return Duration.ofMinutes(n);
          default:
            return Duration.ofHours(n);
        }
      } catch (ArithmeticException | NumberFormatException e) {
        return null;
      }
    }
    if (t.matches("[-+]?[Pp].*")) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * Parses a byte count, {@code 65536}, or with a binary unit: {@code 64KiB}, {@code 16MiB},
   * {@code 1GiB}, or {@code k}, {@code m}, {@code g} for the same (any case); -1 if {@code text}
   * is none of these, negative, or does not fit a {@code long}.
   */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return -1;
    }
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    int shift = switch (unit) {
      case "k", "kib" -> 10;
      case "m", "mib" -> 20;
      case "g", "gib" -> 30;
      default -> 0;
    };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      return -1;
    }
  }

  /** {@code bytes} in the largest binary unit that divides it exactly, such as {@code 16MiB}. */
  static String formatSize(long bytes) {
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return bytes / (1L << 30) + "GiB";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return bytes / (1L << 20) + "MiB";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return bytes / (1L << 10) + "KiB";
    }
    return Long.toString(bytes);
  }
}
