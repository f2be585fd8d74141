package dev.groupcache.jcache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One operation of a chaos run, as the member that did it saw it: what it asked, what it got, and
 * when it began and ended on the {@link CommonClock}.
 *
 * <p>{@code result} is what the call returned: the value for a get (one key of a getAll, each its
 * own op) and the old value for an invoke, null for none; {@code "true"}/{@code "false"} for a
 * containsKey, a replace and a remove; the number of entries for an iteration; null for a put.
 * {@code wrote} is the value a put, replace or invoke writes, unique to this op, so that a read
 * names the write it saw. An op that never ended (its member was killed during it) has {@code end}
 * {@link Long#MAX_VALUE}; {@code error} is the exception's class and message of one that failed.
 *
 * @param member the member's index in the cluster
 * @param incarnation 0 for the member's first JVM, 1 for the one restarted in its place
 */
record ChaosOp(int member, int incarnation, long seq, Type type, String key, String wrote, String result,
    long start, long end, String error) {
  /** The kinds of operation, and the letter each is logged as. */
  enum Type {
    GET('G'), GET_ALL('A'), CONTAINS('C'), ITERATE('T'), PUT('P'), REPLACE('R'), REMOVE('D'), INVOKE('I');

    final char letter;

    Type(char letter) {
      this.letter = letter;
    }

    boolean isRead() {
      return this == GET || this == GET_ALL || this == CONTAINS || this == ITERATE;
    }

    static Type of(char letter) {
      for (Type t : values()) {
        if (t.letter == letter) {
          return t;
        }
      }
      throw new IllegalArgumentException("no op type " + letter);
    }
  }

  /** Logs null as this, which no key or value is. */
  static final String NULL = "~";
  static final long NEVER = Long.MAX_VALUE;

  boolean finished() {
    return end != NEVER;
  }

  boolean ok() {
    return finished() && error == null;
  }

  boolean failed() {
    return finished() && error != null;
  }

  /** Whether the op returned and changed the entry: acknowledged, so that later reads must see it or newer. */
  boolean applied() {
    return ok() && switch (type) {
      case PUT, INVOKE -> true;
      case REPLACE, REMOVE -> "true".equals(result);
      default -> false;
    };
  }

  /** Whether the op may have changed the entry without being acknowledged: it failed or never ended. */
  boolean mayHaveApplied() {
    return !type.isRead() && !ok();
  }

  /** The value this op read of its key, for a get, a getAll's key, or an invoke (the entry it replaced). */
  boolean readsValue() {
    return ok() && (type == Type.GET || type == Type.GET_ALL || type == Type.INVOKE);
  }

  long micros() {
    return end - start;
  }

  /** A short description for failure messages, times relative to {@code origin}. */
  String describe(long origin) {
    return "n" + member + (incarnation > 0 ? "'" : "") + "#" + seq + " " + type + " " + key
        + (wrote == null ? "" : " :=" + wrote) + " -> " + (error != null ? "error " + error : result)
        + " [" + ms(start - origin) + ", " + (finished() ? ms(end - origin) : "never") + "] ms";
  }

  private static String ms(long micros) {
    return String.format("%.1f", micros / 1000.0);
  }

  // ---- the log: a line when an op begins and one when it ends, tab-separated ----

  /** The line logged as an op begins; a getAll's keys comma-separated. */
  static String beginLine(long seq, Type type, String key, String wrote, long start) {
    return "B\t" + seq + "\t" + type.letter + "\t" + key + "\t" + orNull(wrote) + "\t" + start;
  }

  /** The line logged as an op ends; a getAll's values comma-separated, in its keys' order. */
  static String endLine(long seq, String result, long end, String error) {
    return "E\t" + seq + "\t" + orNull(result) + "\t" + end + "\t"
        + (error == null ? NULL : error.replace('\t', ' ').replace('\n', ' '));
  }

  private static String orNull(String s) {
    return s == null ? NULL : s;
  }

  private static String nullable(String s) {
    return NULL.equals(s) ? null : s;
  }

  /** The ops of one member's log, in the order they began; a getAll becomes an op per key. */
  static List<ChaosOp> read(Path log, int member, int incarnation) throws IOException {
    Map<Long, String[]> begun = new LinkedHashMap<>();
    Map<Long, String[]> ended = new LinkedHashMap<>();
    for (String line : Files.readAllLines(log)) {
      String[] w = line.split("\t", -1);
      if (w.length == 6 && w[0].equals("B")) {
        begun.put(Long.parseLong(w[1]), w);
      } else if (w.length == 5 && w[0].equals("E")) {
        ended.put(Long.parseLong(w[1]), w);
      } // else: the last line, cut short by a kill
    }
    List<ChaosOp> ops = new ArrayList<>();
    begun.forEach((seq, b) -> {
      String[] e = ended.get(seq);
      String[] keys = b[3].split(",");
      String[] results = e == null ? null : e[2].split(",", -1);
      for (int i = 0; i < keys.length; i++) {
        ops.add(new ChaosOp(member, incarnation, seq, Type.of(b[2].charAt(0)), keys[i], nullable(b[4]),
            e == null ? null : nullable(results.length == keys.length ? results[i] : e[2]),
            Long.parseLong(b[5]), e == null ? NEVER : Long.parseLong(e[3]), e == null ? null : nullable(e[4])));
      }
    });
    return ops;
  }
}
