package dev.groupcache.agent.inside;

import dev.groupcache.jcache.GroupcacheCachingProvider;
import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.spi.CachingProvider;

/**
 * The agent's start, inside its own class loader: installs the annotation weaving if asked for,
 * starts this JVM's node, arranges for it to leave the ring at shutdown, and returns the provider
 * that the application's {@code Caching.getCachingProvider()} will be handed.
 */
public final class AgentMain {
  static final String WEAVE = "groupcache.agent.weave";
  /** How long the shutdown hook waits for the node to leave before the JVM goes on exiting. */
  private static final long LEAVE_SECONDS = 5;
  private static final System.Logger LOG = System.getLogger(AgentMain.class.getName());

  private AgentMain() {}

  /**
   * Installs the weaving of the JSR-107 annotations for the configured package prefixes, if any.
   * Called by {@code premain} itself, before {@code main}, so that no class to weave loads first;
   * ByteBuddy is loaded only when there is something to weave.
   *
   * @param settings the agent argument's settings, which win over every other source
   */
  public static void weave(Map<String, String> settings, Instrumentation instrumentation) {
    List<String> prefixes = prefixes(settings);
    if (!prefixes.isEmpty()) {
      AnnotationWeaving.install(instrumentation, prefixes);
    }
  }

  /**
   * Starts the node; called by the agent on a background thread (in {@code premain} with
   * fail-fast).
   *
   * @param settings the agent argument's settings, which win over every other source
   * @param failFast whether a node that cannot start throws (else a local-only node stands in)
   */
  public static CachingProvider start(Map<String, String> settings, boolean failFast) {
    ClassLoader application = ClassLoader.getSystemClassLoader();
    AutoCloseable node = GroupcacheCachingProvider.startNode(settings, application, !failFast);
    Thread hook = new Thread(() -> leave(node), "groupcache-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return new GroupcacheCachingProvider();
  }

  /** Closes the node on its own thread, waiting a bounded time: a stuck peer must not hang exit. */
  private static void leave(AutoCloseable node) {
    Thread closer = new Thread(() -> {
      try {
        node.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "groupcache node did not close cleanly", e);
      }
    }, "groupcache-agent-leave");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(TimeUnit.SECONDS.toMillis(LEAVE_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      LOG.log(Level.WARNING, "groupcache node still closing after {0} s; exiting anyway", LEAVE_SECONDS);
    }
  }

  /** The package prefixes to weave, from the argument, a system property or the environment. */
  static List<String> prefixes(Map<String, String> settings) {
    String value = settings.get(WEAVE);
    if (value == null) {
      value = System.getProperty(WEAVE);
    }
    if (value == null) {
      value = System.getenv(WEAVE.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
    }
    List<String> prefixes = new ArrayList<>();
    if (value != null) {
      for (String p : value.split(",")) {
        if (!p.isBlank()) {
          prefixes.add(p.trim());
        }
      }
    }
    return prefixes;
  }
}
