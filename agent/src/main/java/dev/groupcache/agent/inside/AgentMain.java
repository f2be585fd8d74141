package dev.groupcache.agent.inside;

import dev.groupcache.jcache.GroupcacheCachingProvider;
import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.spi.CachingProvider;

/**
 * The agent's start, inside its own class loader: installs the annotation weaving if asked for,
 * starts this JVM's node, arranges for it to leave the ring at shutdown, and returns the provider
 * that the application's {@code Caching.getCachingProvider()} will be handed.
 */
public final class AgentMain {
  /** How long the shutdown hook waits for the node to leave before the JVM goes on exiting. */
  private static final long LEAVE_SECONDS = 5;
  private static final String SERVE = "groupcache.serve";
  private static final System.Logger LOG = System.getLogger(AgentMain.class.getName());

  private AgentMain() {}

  /**
   * Installs the weaving of the JSR-107 annotations for classes under {@code prefixes}. Called by
   * {@code premain} itself, before {@code main}, so that no class to weave loads first; ByteBuddy
   * is loaded only when there is something to weave.
   */
  public static void weave(List<String> prefixes, Instrumentation instrumentation) {
    AnnotationWeaving.install(instrumentation, prefixes);
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
    // the application cannot see the provider's classes to mount the peer service in a server of
    // its own, so the agent always serves it, whatever groupcache.serve says
    Map<String, String> agentSettings = new HashMap<>(settings);
    agentSettings.put(SERVE, "true");
    AutoCloseable node = GroupcacheCachingProvider.startNode(agentSettings, application, !failFast);
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

}
