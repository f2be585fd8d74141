package dev.groupcache.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM running a main class, driven by a line protocol: the parent writes one command
 * line to the child's stdin and reads the child's answer, a stdout line starting with
 * {@code "> "}. Other stdout lines are the child's chatter and are kept for the log; stderr goes to
 * a file next to it.
 *
 * <p>Every wait is bounded. {@link #close()} kills the child; a shutdown hook kills it too if the
 * parent dies first, so no test leaves a JVM behind.
 */
public final class ChildJvm implements AutoCloseable {
  public static final String ANSWER = "> ";

  /**
   * An environment variable of extra JVM options for every child, {@code {name}} standing for the
   * child's name: for profiling, e.g. {@code -XX:StartFlightRecording=filename=/tmp/{name}.jfr}.
   */
  public static final String EXTRA_OPTIONS = "CHILD_JVM_OPTIONS";

  private final String name;
  private final Process process;
  private final Path stderr;
  private final Writer stdin;
  private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
  private final List<String> chatter = new ArrayList<>();
  private final Thread reaper;

  private ChildJvm(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readStdout, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    this.reaper = new Thread(process::destroyForcibly, name + "-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Starts {@code mainClass} in a new JVM with this JVM's class path (or {@code classPath} when
   * given), the given JVM options and program arguments.
   */
  public static ChildJvm start(String name, String classPath, List<String> jvmOptions,
      String mainClass, List<String> args, Path logDir) {
    return start(name, classPath, jvmOptions, mainClass, args, logDir, Map.of());
  }

  /** As {@link #start(String, String, List, String, List, Path)}, with extra environment variables. */
  public static ChildJvm start(String name, String classPath, List<String> jvmOptions,
      String mainClass, List<String> args, Path logDir, Map<String, String> environment) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(classPath != null ? classPath : testClassPath());
    command.addAll(jvmOptions);
    String extra = System.getenv(EXTRA_OPTIONS);
    if (extra != null && !extra.isBlank()) {
      for (String option : extra.trim().split("\\s+")) {
        command.add(option.replace("{name}", name));
      }
    }
    command.add(mainClass);
    command.addAll(args);
    try {
      Files.createDirectories(logDir);
      Path stderr = logDir.resolve(name + ".stderr.log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
      builder.environment().putAll(environment);
      Process p = builder.start();
      return new ChildJvm(name, p, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /** The class path of the running tests, as surefire describes it, else this JVM's. */
  public static String testClassPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /** Sends one command and returns the child's answer, without the marker. */
  public String call(String command, Duration timeout) {
    send(command);
    return await(command, timeout);
  }

  /** Sends one command without waiting; collect its answer with {@link #await}. */
  public void send(String command) {
    try {
      stdin.write(command);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new IllegalStateException(name + " is gone (exit " + exitCode() + ") at: " + command
          + "\n" + diagnostics(), e);
    }
  }

  /** Waits for the next answer. */
  public String await(String what, Duration timeout) {
    try {
      String answer = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (answer == null) {
        throw new IllegalStateException(name + " gave no answer to '" + what + "' within " + timeout
            + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "\n" + diagnostics());
      }
      return answer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  /** Waits for the child to exit by itself; its exit code, or empty if it is still running. */
  public OptionalInt awaitExit(Duration timeout) {
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return OptionalInt.of(process.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return OptionalInt.empty();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the child at once, as a crash or SIGKILL would. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops the child as a pod's SIGTERM does, running its shutdown hooks; waits for it to exit.
   * Returns false if it had not exited after {@code timeout} (it is then still running).
   */
  public boolean terminate(Duration timeout) {
    process.destroy();
    return awaitExit(timeout).isPresent();
  }

  /** The child's stdout chatter so far, for failure messages. */
  public synchronized String log() {
    return name + " stdout:\n  " + String.join("\n  ", chatter);
  }

  /** The stdout chatter and the end of the child's stderr: why a child failed to answer. */
  private String diagnostics() {
    return log() + "\n" + name + " stderr (end):\n  " + String.join("\n  ", stderrTail(40));
  }

  private List<String> stderrTail(int lines) {
    try {
      List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException e) {
      return List.of("(unreadable: " + e + ")");
    }
  }

  private String exitCode() {
    return process.isAlive() ? "none yet" : String.valueOf(process.exitValue());
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(ANSWER)) {
          answers.add(line.substring(ANSWER.length()));
        } else {
          synchronized (this) {
            if (chatter.size() < 1000) {
              chatter.add(line);
            }
          }
        }
      }
    } catch (IOException e) {
      // the child is gone; waiters time out with its log
    }
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
  }
}
