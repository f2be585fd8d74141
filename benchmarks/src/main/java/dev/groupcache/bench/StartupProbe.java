package dev.groupcache.bench;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The application of {@link AgentStartup}: says "main" as soon as {@code main} runs and, when
 * asked, "ready" once the agent's node reports ready in JMX. It uses only the JDK, so that it
 * measures the agent and nothing else.
 */
public final class StartupProbe {
  private static final long READY_LIMIT_NANOS = 20_000_000_000L;

  private StartupProbe() {}

  public static void main(String[] args) throws Exception {
    System.out.println("main");
    System.out.flush();
    if (args.length > 0 && args[0].equals("ready")) {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName node = new ObjectName("dev.groupcache:type=Node");
      long deadline = System.nanoTime() + READY_LIMIT_NANOS;
      while (System.nanoTime() < deadline) {
        if (server.isRegistered(node) && Boolean.TRUE.equals(server.getAttribute(node, "Ready"))) {
          System.out.println("ready");
          System.out.flush();
          return;
        }
        Thread.sleep(1);
      }
      System.out.println("not ready");
    }
  }
}
