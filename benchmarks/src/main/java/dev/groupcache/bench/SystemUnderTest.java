package dev.groupcache.bench;

import dev.groupcache.bench.node.CaffeineNode;
import dev.groupcache.bench.node.HazelcastMember;
import dev.groupcache.bench.node.OursNode;
import java.util.Locale;

/** The systems compared: each with the main class its child JVMs run and its number of nodes. */
enum SystemUnderTest {
  /** groupcache: three nodes with static peers. */
  OURS(OursNode.class, 3),
  /** Caffeine JCache: one JVM, the single-process baseline. */
  CAFFEINE(CaffeineNode.class, 1),
  /** Hazelcast 5 embedded members with JCache. */
  HAZELCAST(HazelcastMember.class, 3);

  private final Class<?> mainClass;
  private final int nodes;

  SystemUnderTest(Class<?> mainClass, int nodes) {
    this.mainClass = mainClass;
    this.nodes = nodes;
  }

  /** The name on the command line: ours, caffeine, hazelcast. */
  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What precedes this system's figure names: nothing for ours, {@code caffeine.} for Caffeine. */
  String prefix() {
    return this == OURS ? "" : label() + ".";
  }

  Class<?> mainClass() {
    return mainClass;
  }

  int nodes() {
    return nodes;
  }

  static SystemUnderTest byName(String name) {
    for (SystemUnderTest s : values()) {
      if (s.label().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown system " + name + "\n" + Options.USAGE);
  }
}
