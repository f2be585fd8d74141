package dev.groupcache.bench;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The driver's command line: {@code [w1|...|w6|backups|discovery|agent|tls|floor|j1|...|j6|jcache|all][,...] [--systems ours,caffeine,hazelcast]
 * [--scale F] [--logs DIR]}.
 *
 * @param workloads the workloads to run, in order
 * @param systems the systems to measure, in order
 * @param scale multiplies every measured duration (and warm-up), for quick smoke runs
 * @param logDir where the child JVMs' stderr logs and generated configuration go
 */
record Options(Set<String> workloads, List<SystemUnderTest> systems, double scale, Path logDir) {
  static final List<String> J_WORKLOADS = List.of("floor", "j1", "j2", "j3", "j4", "j5", "j6");
  static final List<String> ALL_WORKLOADS = List.of("w1", "w2", "w3", "w4", "w5", "w6", "backups", "discovery", "agent", "tls",
      "floor", "j1", "j2", "j3", "j4", "j5", "j6");
  static final String USAGE = "usage: bench [w1|w2|w3|w4|w5|w6|backups|discovery|agent|tls|floor|j1..j6|jcache|all][,...] "
      + "[--systems ours,caffeine,hazelcast] [--scale F] [--logs DIR]";

  /** Parses the command line; throws {@link IllegalArgumentException} with the usage on errors. */
  static Options parse(String[] args) {
    Set<String> workloads = new LinkedHashSet<>();
    List<SystemUnderTest> systems = new ArrayList<>(List.of(SystemUnderTest.values()));
    double scale = 1.0;
    Path logDir = Path.of(System.getProperty("java.io.tmpdir"), "groupcache-bench-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--systems" -> {
          systems.clear();
          for (String s : value(args, ++i, a).split(",")) {
            SystemUnderTest sut = SystemUnderTest.byName(s.trim());
            if (!systems.contains(sut)) {
              systems.add(sut);
            }
          }
        }
        case "--scale" -> {
          try {
            scale = Double.parseDouble(value(args, ++i, a));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--scale needs a number\n" + USAGE, e);
          }
          if (!(scale > 0 && scale <= 100)) {
            throw new IllegalArgumentException("--scale must be in (0, 100]\n" + USAGE);
          }
        }
        case "--logs" -> logDir = Path.of(value(args, ++i, a));
        default -> {
          if (a.startsWith("-")) {
            throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
          }
          for (String w : a.split(",")) {
            if (w.equals("all")) {
              workloads.addAll(ALL_WORKLOADS);
            } else if (w.equals("jcache")) {
              workloads.addAll(J_WORKLOADS);
            } else if (ALL_WORKLOADS.contains(w)) {
              workloads.add(w);
            } else {
              throw new IllegalArgumentException("unknown workload " + w + "\n" + USAGE);
            }
          }
        }
      }
    }
    if (workloads.isEmpty()) {
      workloads.addAll(ALL_WORKLOADS);
    }
    if (systems.isEmpty()) {
      throw new IllegalArgumentException("no systems\n" + USAGE);
    }
    return new Options(workloads, List.copyOf(systems), scale, logDir.toAbsolutePath());
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  /** A full-length duration scaled by {@link #scale}, at least 1 ms. */
  long millis(long fullMillis) {
    return Math.max(1, Math.round(fullMillis * scale));
  }
}
