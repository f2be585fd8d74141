package dev.groupcache.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a run. Each is printed to stdout the moment it is measured, as one
 * {@code name: value unit} line, so a run that fails part-way still reports what it measured; the
 * ratios of ours to each peer follow at the end.
 */
final class Results {
  /** Marks a peer's variant of a figure, compared with ours under the peer's label plus this. */
  private static final String BY_REFERENCE = "_by_reference";

  private record Figure(double value, Unit unit) {}

  private final PrintStream out;
  private final Map<String, Figure> ours = new LinkedHashMap<>();
  private final Map<SystemUnderTest, Map<String, Figure>> peers = new LinkedHashMap<>();

  Results(PrintStream out) {
    this.out = out;
  }

  /** Records and prints a figure; {@code name} is without the system's prefix. */
  void put(SystemUnderTest system, String name, double value, Unit unit) {
    Figure f = new Figure(value, unit);
    if (system == SystemUnderTest.OURS) {
      ours.put(name, f);
    } else {
      peers.computeIfAbsent(system, s -> new LinkedHashMap<>()).put(name, f);
    }
    print(system.prefix() + name, f);
  }

  /**
   * Prints {@code ratio.<name>.vs_<peer>: ours/theirs x} for every figure both have; a peer's
   * {@code X_by_reference} variant is compared with our {@code X} as peer {@code <peer>_by_reference}.
   * The unit is dropped from a name when it is {@code ns_per_op}, W1's only figure. Figures that are
   * ratios themselves ({@link Unit#TIMES}) are not compared.
   */
  void printRatios() {
    for (Map.Entry<String, Figure> o : ours.entrySet()) {
      if (o.getValue().unit() == Unit.TIMES) {
        continue;
      }
      for (Map.Entry<SystemUnderTest, Map<String, Figure>> peer : peers.entrySet()) {
        for (Map.Entry<String, Figure> t : peer.getValue().entrySet()) {
          String theirs = t.getKey();
          boolean byReference = theirs.contains(BY_REFERENCE);
          if (!theirs.replace(BY_REFERENCE, "").equals(o.getKey())) {
            continue;
          }
          String name = "ratio." + o.getKey().replaceFirst("\\.ns_per_op$", "") + ".vs_"
              + peer.getKey().label() + (byReference ? BY_REFERENCE : "");
          if (t.getValue().value() == 0) {
            Progress.note(name + " skipped: " + peer.getKey().label() + "'s figure is 0");
            continue;
          }
          print(name, new Figure(o.getValue().value() / t.getValue().value(), Unit.TIMES));
        }
      }
    }
  }

  private void print(String name, Figure f) {
    String value = f.unit().decimals() == 0
        ? Long.toString(Math.round(f.value()))
        : String.format(Locale.ROOT, "%." + f.unit().decimals() + "f", f.value());
    out.println(name + ": " + value + " " + f.unit().symbol());
    out.flush();
  }
}
