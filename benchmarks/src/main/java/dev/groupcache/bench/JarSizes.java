package dev.groupcache.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The size of each jar an application adds, one {@code jar_size.<artifact>: <MB> MB} line each
 * (dashes as underscores, as result names have them): what static and DNS discovery cost
 * (groupcache-jcache), what API discovery adds (groupcache-kubernetes), and the agent. The paths
 * come from {@code bench.jar.<artifact>} properties, which ./benchmarks/run sets; a jar not built
 * is left out, with a note.
 */
final class JarSizes {
  static final List<String> ARTIFACTS = List.of("groupcache-jcache", "groupcache-kubernetes", "groupcache-agent");

  private JarSizes() {}

  static void put(Results results) {
    for (String artifact : ARTIFACTS) {
      String path = System.getProperty("bench.jar." + artifact);
      if (path == null || !Files.isRegularFile(Path.of(path))) {
        Progress.note("no jar for " + artifact + (path == null ? "" : " at " + path) + ": size not printed");
        continue;
      }
      try {
        results.put(SystemUnderTest.OURS, "jar_size." + artifact.replace('-', '_'), Files.size(Path.of(path)) / 1e6,
            Unit.MEGABYTES);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
