package dev.groupcache;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** One daemon thread for the engine's timed work: deadline sweeps and retries. */
final class Timers {
  static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "groupcache-timer");
    t.setDaemon(true);
    return t;
  });

  private Timers() {}
}
