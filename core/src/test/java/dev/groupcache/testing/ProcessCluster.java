package dev.groupcache.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * N {@link TestNode}s, each in its own JVM on 127.0.0.1, told about each other, and ready: each
 * has had an answer from every other and suspects none. Cold JVMs on a busy machine may answer
 * their first requests and pings later than the failure timeout; a test starts once that has
 * passed, as a pod takes traffic once it is ready.
 */
public final class ProcessCluster implements AutoCloseable {
  private static final Duration STEP = Duration.ofSeconds(60);

  private final List<ChildJvm> jvms = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();

  public ProcessCluster(int n, String... nodeArgs) {
    try {
      for (int i = 0; i < n; i++) {
        jvms.add(ChildJvm.start("node" + i, null, List.of("-Xmx256m", "-XX:+UseSerialGC"),
            TestNode.class.getName(), List.of(nodeArgs), Path.of("target", "child-logs")));
      }
      for (ChildJvm jvm : jvms) {
        String ready = jvm.await("ready", STEP);
        if (!ready.startsWith("ready ")) {
          throw new IllegalStateException("unexpected: " + ready);
        }
        addresses.add(ready.substring("ready ".length()));
      }
      for (ChildJvm jvm : jvms) {
        expect(jvm.call("peers " + String.join(",", addresses), STEP), "ok");
      }
      for (ChildJvm jvm : jvms) {
        jvm.send("await-peers"); // all at once: each waits for the others' cold start
      }
      for (ChildJvm jvm : jvms) {
        expect(jvm.await("await-peers", STEP), "peers-ready");
      }
      awaitNoSuspicions();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void awaitNoSuspicions() {
    long deadline = System.nanoTime() + STEP.toNanos();
    for (ChildJvm jvm : jvms) {
      String answer;
      while (!(answer = jvm.call("suspected", STEP)).equals("suspected none")) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("still " + answer + " after " + STEP);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
    }
  }

  public ChildJvm node(int i) {
    return jvms.get(i);
  }

  /** The {@code host:port} of node {@code i}. */
  public String address(int i) {
    return addresses.get(i);
  }

  public List<String> addresses() {
    return List.copyOf(addresses);
  }

  public int indexOf(String address) {
    int i = addresses.indexOf(address);
    if (i < 0) {
      throw new IllegalArgumentException(address + " is not a node of " + addresses);
    }
    return i;
  }

  /** Node {@code i}'s answer to {@code command}. */
  public String call(int i, String command) {
    return jvms.get(i).call(command, STEP);
  }

  /** A counter from node {@code i}'s {@code stats} answer. */
  public long stat(int i, String name) {
    for (String field : call(i, "stats").split(" ")) {
      if (field.startsWith(name + "=")) {
        return Long.parseLong(field.substring(name.length() + 1));
      }
    }
    throw new IllegalArgumentException("no stat " + name);
  }

  public static void expect(String answer, String expected) {
    if (!answer.equals(expected)) {
      throw new IllegalStateException("expected '" + expected + "', got '" + answer + "'");
    }
  }

  @Override
  public void close() {
    jvms.forEach(ChildJvm::close);
  }
}
