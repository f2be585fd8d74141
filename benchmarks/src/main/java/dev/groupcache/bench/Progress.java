package dev.groupcache.bench;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Progress and diagnostics of the driver: stderr, so that stdout holds only result lines. Stamped
 * with the wall clock, to line them up with the child JVMs' logs.
 */
final class Progress {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  private Progress() {}

  static void note(String message) {
    System.err.println("[bench " + LocalTime.now().format(TIME) + "] " + message);
    System.err.flush();
  }
}
