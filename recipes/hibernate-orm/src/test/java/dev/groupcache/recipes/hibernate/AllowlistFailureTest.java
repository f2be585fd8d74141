package dev.groupcache.recipes.hibernate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * An application attribute type missing from the allowlist: the first time Hibernate caches an
 * entity that holds one, it fails loudly, with the setting as it must be written. That is the
 * entity's first read when its id comes from an identity column (Hibernate does not cache those
 * on insert), else the insert's {@code commit()}: an insert-and-read smoke test finds it either
 * way, since the preset leaves nothing of Hibernate's own for later.
 */
class AllowlistFailureTest {
  private static final String WITHOUT_GENRE = "hibernate,java.math.BigDecimal,java.math.BigInteger";

  @Test
  void theFirstCachingOfAMissingTypeFailsWithTheSettingToWrite() {
    try (LibraryCluster cluster = new LibraryCluster("allowlist-node", 1, WITHOUT_GENRE)) {
      String author = cluster.call(0, "author Ursula");
      assertTrue(author.startsWith("author "), author);
      String book = cluster.call(0, "book isbn-1 Dune 10.50 SCIENCE_FICTION " + author.substring(7));
      assertTrue(book.startsWith("book "), book);

      String failed = cluster.call(0, "get " + book.substring(5));
      assertTrue(failed.startsWith("error "), failed);
      assertTrue(failed.contains("Cannot encode " + Genre.class.getName()), failed);
      assertTrue(failed.contains("set groupcache.serialization.allowlist=" + WITHOUT_GENRE + ","
          + Genre.class.getName() + " on every node"), failed);
    }
  }
}
