package dev.groupcache.agent.it;

import dev.groupcache.testing.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * JVMs of the example application ({@code example.quotes.ExampleApp}) with nothing but the built
 * agent jar: the class path holds the application and the JSR-107 API, as an application's would.
 */
final class AgentJvm {
  static final Path AGENT_JAR = Path.of(System.getProperty("agent.jar", "target/groupcache-agent.jar"));
  static final Path LOGS = Path.of("target", "agent-processes-logs");
  static final Duration START = Duration.ofSeconds(60);
  static final Duration ANSWER = Duration.ofSeconds(30);

  private AgentJvm() {}

  /** The application's own class path: its classes and the JSR-107 API, plus {@code extra}. */
  static String classPath(List<Path> extra) {
    List<String> entries = new ArrayList<>();
    entries.add(Path.of("target", "test-classes").toAbsolutePath().toString());
    entries.add(System.getProperty("cache-api.jar"));
    extra.forEach(p -> entries.add(p.toAbsolutePath().toString()));
    return String.join(File.pathSeparator, entries);
  }

  /** The jars in {@code dir}, sorted. */
  static List<Path> jarsIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the application with {@code -javaagent:groupcache-agent.jar=agentArgument}. */
  static ChildJvm start(String name, String agentArgument) {
    return start(name, List.of("-javaagent:" + AGENT_JAR.toAbsolutePath() + "=" + agentArgument), List.of(), Map.of());
  }

  static ChildJvm start(String name, List<String> jvmOptions, List<Path> extraClassPath, Map<String, String> env) {
    if (!Files.isRegularFile(AGENT_JAR)) {
      throw new IllegalStateException("no agent jar at " + AGENT_JAR + ": run mvn package first");
    }
    List<String> options = new ArrayList<>(jvmOptions);
    options.add("-Xmx256m");
    options.add("-XX:TieredStopAtLevel=1");
    return ChildJvm.start(name, classPath(extraClassPath), options, "example.quotes.ExampleApp", List.of(), LOGS, env);
  }

  /** The child's stderr so far: the agent logs there (System.Logger to the console). */
  static String stderr(String name) {
    try {
      return Files.readString(LOGS.resolve(name + ".stderr.log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** Waits until {@code node} answers as {@code expected} does, polling; the last answer. */
  static String awaitNode(ChildJvm jvm, String expected) {
    Instant deadline = Instant.now().plus(ANSWER);
    String answer;
    do {
      answer = jvm.call("node", ANSWER);
      if (answer.startsWith(expected)) {
        return answer;
      }
      sleep(100);
    } while (Instant.now().isBefore(deadline));
    return answer;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
