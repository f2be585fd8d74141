package dev.groupcache.bench.node;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A child's answer to a command: {@code key=value} pairs separated by spaces, or {@code error
 * <message>}. One format for both sides of the protocol, so the driver reads exactly what the child
 * wrote.
 */
public final class Reply {
  private static final String ERROR = "error ";

  private final Map<String, String> values;

  private Reply(Map<String, String> values) {
    this.values = values;
  }

  /** Starts an empty reply. */
  public static Reply of() {
    return new Reply(new LinkedHashMap<>());
  }

  public Reply with(String key, Object value) {
    String text = String.valueOf(value);
    if (key.indexOf(' ') >= 0 || key.indexOf('=') >= 0 || text.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("no spaces or '=' in a reply's keys, nor spaces in values: "
          + key + "=" + text);
    }
    values.put(key, text);
    return this;
  }

  /** The line a failed command answers with; newlines are flattened to keep it one line. */
  public static String error(Throwable t) {
    return ERROR + (t.getClass().getSimpleName() + ": " + t.getMessage()).replace('\n', ' ');
  }

  /**
   * Parses an answer.
   *
   * @throws IllegalStateException if the child reported an error, with its message
   */
  public static Reply parse(String who, String line) {
    if (line.startsWith(ERROR)) {
      throw new IllegalStateException(who + " failed: " + line.substring(ERROR.length()));
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String word : line.trim().split(" ")) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        values.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    return new Reply(values);
  }

  public String text(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalStateException("reply has no '" + key + "': " + format());
    }
    return v;
  }

  public long number(String key) {
    return Long.parseLong(text(key));
  }

  /** The wire form. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return sb.length() == 0 ? "ok" : sb.toString();
  }

  @Override
  public String toString() {
    return format();
  }
}
