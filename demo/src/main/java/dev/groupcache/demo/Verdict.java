package dev.groupcache.demo;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the run found that it should not have, and which instances' logs explain it. The run goes
 * on after a surprise where it can, so that one report shows all of them.
 */
final class Verdict {
  private static final int SHOWN = 3;
  private final List<String> surprises = new ArrayList<>();
  private final Set<Instance> suspects = new LinkedHashSet<>();
  private long loads = -1;
  private int symbols;

  void unexpected(String what, Instance... at) {
    surprises.add(what);
    suspects.addAll(List.of(at));
  }

  void failed(Instance.Failure failure) {
    unexpected(failure.getMessage(), failure.instance());
  }

  /** The run got to the end: {@code loads} backend calls in the cluster for {@code symbols} symbols. */
  void completed(long loads, int symbols) {
    this.loads = loads;
    this.symbols = symbols;
  }

  boolean ok() {
    return surprises.isEmpty() && loads >= 0;
  }

  /** The instances whose logs to show. */
  Set<Instance> suspects() {
    return suspects;
  }

  /** The report's last line. */
  String line() {
    if (ok()) {
      return "OK: each symbol loaded once in the cluster (" + loads + " loads for " + symbols + " symbols)";
    }
    if (surprises.isEmpty()) {
      return "UNEXPECTED: the run stopped before the end";
    }
    // one failing instance makes many requests fail: the first few tell the story, the report the rest
    String first = String.join("; ", surprises.subList(0, Math.min(SHOWN, surprises.size())));
    return "UNEXPECTED: " + first + (surprises.size() > SHOWN ? "; and " + (surprises.size() - SHOWN) + " more" : "");
  }
}
