package dev.groupcache.bench.node;

/**
 * Where timed loops leave a digest of the values they read, so that the JIT cannot drop the reads.
 * Written once per thread and run, never read in a loop.
 */
final class Sink {
  private static volatile int digest;

  private Sink() {}

  static void consume(int value) {
    digest += value; // a lost update is harmless: only the dependency matters
  }
}
