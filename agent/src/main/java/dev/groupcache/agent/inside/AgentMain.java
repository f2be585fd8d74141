package dev.groupcache.agent.inside;

import dev.groupcache.jcache.GroupcacheCachingProvider;
import dev.groupcache.jcache.cluster.ClusterNode;
import dev.groupcache.jcache.configuration.Settings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import javax.cache.spi.CachingProvider;

/**
 * The agent's start, inside its own class loader: installs the annotation weaving if asked for,
 * starts this JVM's node, arranges for it to leave the ring at shutdown, and returns the provider
 * that the application's {@code Caching.getCachingProvider()} will be handed.
 */
public final class AgentMain {
  /**
   * How long the shutdown hook waits for the node to leave before the JVM goes on exiting: its
   * hand-over (groupcache.handover-timeout, 20 s by default) and 5 s to stop.
   */
  private static final long LEAVE_SECONDS = 30;
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
    AutoCloseable endpoint = startEndpoint(agentSettings, application, failFast);
    Thread hook = new Thread(() -> {
      close(endpoint);
      leave(node);
    }, "groupcache-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return new GroupcacheCachingProvider();
  }

  /**
   * The metrics and health endpoint if {@code groupcache.metrics.port} is set, else nothing. A port
   * that cannot be bound is logged and the application runs on, unless fail-fast.
   */
  private static AutoCloseable startEndpoint(Map<String, String> settings, ClassLoader loader, boolean failFast) {
    OptionalInt port = Settings.loadWithoutMicroProfile(loader, settings).metricsPort();
    if (port.isEmpty()) {
      return () -> {};
    }
    try {
      return MetricsEndpoint.start(port.getAsInt(), ClusterNode.current());
    } catch (IOException | RuntimeException e) {
      if (failFast) {
        throw new IllegalStateException("groupcache metrics endpoint on port " + port.getAsInt() + ": " + e, e);
      }
      LOG.log(Level.ERROR, "groupcache metrics endpoint did not start on port " + port.getAsInt()
          + "; the cache runs without it", e);
      return () -> {};
    }
  }

  private static void close(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "groupcache metrics endpoint did not close cleanly", e);
    }
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
