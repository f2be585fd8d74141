package dev.groupcache.recipes.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's Hibernate ORM recipe on three JVMs sharing one H2 server: what one JVM inserts,
 * updates and deletes, the others read, at once, with the second-level cache on and serving them.
 * The allowlist is the preset and the application's attribute types, nothing of Hibernate's.
 */
class HibernateSecondLevelCacheTest {
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private LibraryCluster cluster;

  @BeforeEach
  void start() {
    cluster = new LibraryCluster("library-node", 3, Library.ALLOWLIST);
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void whatOneJvmWritesTheOthersReadFromTheSharedCache() {
    String author = value(call(0, "author Ursula"), "author");
    String dune = value(call(0, "book isbn-1 Dune 10.50 SCIENCE_FICTION " + author), "book");
    String emma = value(call(1, "book isbn-2 Emma 7.25 NOVEL " + author), "book");

    // Reads on the other JVMs see what was inserted, and the cache comes to serve them alone.
    assertCached(1, "get " + dune, "Dune 10.50 SCIENCE_FICTION v0");
    assertCached(2, "get " + dune, "Dune 10.50 SCIENCE_FICTION v0");
    assertCached(2, "isbn isbn-2", "Emma 7.25 NOVEL v0");
    assertCached(0, "titles " + author, "titles Dune,Emma");

    // An update on one JVM: every JVM's next read sees it, and the cache serves it again.
    assertEquals("updated v1", call(1, "update " + dune + " Dune-Messiah 12.00"));
    for (int i = 0; i < 3; i++) {
      assertTrue(call(i, "get " + dune).startsWith("Dune-Messiah 12.00 SCIENCE_FICTION v1 "), "node " + i);
    }
    assertCached(2, "get " + dune, "Dune-Messiah 12.00 SCIENCE_FICTION v1");
    assertCached(0, "titles " + author, "titles Dune-Messiah,Emma");

    // A delete on one JVM: gone for every JVM, by id, by natural id and from the collection.
    assertEquals("deleted", call(2, "delete " + emma));
    for (int i = 0; i < 3; i++) {
      assertTrue(call(i, "get " + emma).startsWith("absent "), "node " + i);
      assertTrue(call(i, "isbn isbn-2").startsWith("absent "), "node " + i);
      assertTrue(call(i, "titles " + author).startsWith("titles Dune-Messiah "), "node " + i);
    }

    // A second update, from the JVM that first inserted: versions keep counting everywhere.
    assertEquals("updated v2", call(0, "update " + dune + " Children-of-Dune 14.99"));
    assertCached(1, "get " + dune, "Children-of-Dune 14.99 SCIENCE_FICTION v2");
    assertCached(2, "isbn isbn-1", "Children-of-Dune 14.99 SCIENCE_FICTION v2");
  }

  /**
   * Asks node {@code i} until the cache answers alone (no SQL): every answer must be {@code
   * expected}, whether from the database or the cache; a JVM that has just written may serve from
   * the database for a moment (Hibernate's soft locks and timestamps), never something else.
   */
  private void assertCached(int i, String command, String expected) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    for (int n = 0; ; n++) {
      String answer = call(i, command);
      assertTrue(answer.startsWith(expected + " hits="), "node " + i + " " + command + ": " + answer);
      if (answer.endsWith(" sql=0")) {
        return;
      }
      assertTrue(System.nanoTime() - deadline < 0 && n < 200,
          "node " + i + " " + command + " still needs SQL after " + n + " reads: " + answer);
      pause();
    }
  }

  private String call(int i, String command) {
    String answer = cluster.call(i, command);
    assertTrue(!answer.startsWith("error "), "node " + i + " " + command + ": " + answer);
    return answer;
  }

  private static String value(String answer, String kind) {
    assertTrue(answer.startsWith(kind + " "), answer);
    return answer.substring(kind.length() + 1);
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
