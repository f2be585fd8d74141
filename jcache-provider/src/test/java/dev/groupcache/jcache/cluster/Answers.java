package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;

/** Answers that must be there already: a store whose events apply at once answers before it returns. */
final class Answers {
  private Answers() {}

  /** The answer, failing the test rather than waiting if there is none yet. */
  static <T> T now(CompletableFuture<T> answer) {
    assertTrue(answer.isDone(), "answered at once");
    return answer.join();
  }
}
