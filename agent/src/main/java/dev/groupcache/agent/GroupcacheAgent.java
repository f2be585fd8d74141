package dev.groupcache.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.cache.spi.CachingProvider;

/**
 * {@code -javaagent:groupcache-agent.jar}: starts this JVM's cluster node (peer server, discovery,
 * ring) before {@code main}, so that {@code Caching.getCachingProvider()} hands the application a
 * cache shared by every node, with no code change and no dependency of its own.
 *
 * <p>{@code premain} returns at once; the node starts on a background thread, and the application's
 * first cache call waits for it. If the node cannot start (a port taken, no API access), the
 * application runs with a cache of its own, after one loud log line, and the node reports not ready
 * ({@code dev.groupcache:type=Node}); with {@code groupcache.agent.fail-fast=true} the node starts
 * before {@code main} and a failure stops the JVM instead. A second attach does nothing. A shutdown
 * hook leaves the ring and stops the server within a few seconds.
 */
public final class GroupcacheAgent {
  static final String FAIL_FAST = "groupcache.agent.fail-fast";
  static final String WEAVE = "groupcache.agent.weave";
  private static final System.Logger LOG = System.getLogger(GroupcacheAgent.class.getName());

  private GroupcacheAgent() {}

  public static void premain(String argument, Instrumentation instrumentation) {
    start(argument, instrumentation);
  }

  public static void agentmain(String argument, Instrumentation instrumentation) {
    start(argument, instrumentation);
  }

  private static synchronized void start(String argument, Instrumentation instrumentation) {
    if (System.getProperty(AgentState.INSTALLED) != null) {
      LOG.log(System.Logger.Level.INFO, "the groupcache agent is already running in this JVM; this attach does nothing");
      return;
    }
    System.setProperty(AgentState.INSTALLED, "true");
    // a malformed argument, or a fail-fast that is not true or false, stops the JVM here, named
    Map<String, String> settings = AgentArguments.parse(argument);
    boolean failFast = AgentArguments.flag(settings, FAIL_FAST);
    List<String> weave = AgentArguments.list(settings, WEAVE);
    Class<?> inside;
    try {
      Path jar = Path.of(GroupcacheAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      ClassLoader loader = new AgentClassLoader(jar, ClassLoader.getSystemClassLoader());
      inside = Class.forName("dev.groupcache.agent.inside.AgentMain", true, loader);
      if (!weave.isEmpty()) {
        // now, not in the background: the classes to weave must not load before the weaving
        inside.getMethod("weave", List.class, Instrumentation.class).invoke(null, weave, instrumentation);
      }
    } catch (Exception | LinkageError e) {
      failed(e, failFast);
      return;
    }
    if (failFast) {
      begin(inside, settings, true);
    } else {
      Thread thread = new Thread(() -> begin(inside, settings, false), "groupcache-agent-start");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private static void begin(Class<?> inside, Map<String, String> settings, boolean failFast) {
    try {
      Object provider = inside.getMethod("start", Map.class, boolean.class).invoke(null, settings, failFast);
      AgentState.started((CachingProvider) provider);
    } catch (Exception | LinkageError e) {
      failed(e, failFast);
    }
  }

  /**
   * Logs the failure once, loudly; with fail-fast, stops the JVM, else leaves it for cache calls. A
   * failure of a reflective call into the agent's loader is reported as what that call threw.
   */
  private static void failed(Throwable failure, boolean failFast) {
    Throwable t = failure instanceof InvocationTargetException e ? e.getCause() : failure;
    LOG.log(System.Logger.Level.ERROR, "THE GROUPCACHE AGENT DID NOT START: " + t.getMessage()
        + (failFast ? "" : ". Cache calls will fail with this reason."), t);
    AgentState.failed(t);
    if (failFast) {
      throw new IllegalStateException("groupcache agent (fail-fast): " + t.getMessage(), t);
    }
  }
}
