package dev.groupcache.recipes.hibernate;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.hibernate.KeyType;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

/**
 * One JVM of the Hibernate recipe: a session factory on the shared H2 server (the first program
 * argument, its JDBC URL) with the second-level cache on this JVM's groupcache node, driven by the
 * child-JVM line protocol. Each command runs in a transaction of its own and answers one line;
 * {@code get} also says how many second-level cache hits and SQL statements it took.
 */
public final class LibraryNodeMain {
  private final SessionFactory sessions;
  private final Statistics statistics;

  private LibraryNodeMain(SessionFactory sessions) {
    this.sessions = sessions;
    this.statistics = sessions.getStatistics();
  }

  public static void main(String[] args) throws Exception {
    LibraryNodeMain node = new LibraryNodeMain(Library.open(args[0], true, false));
    System.out.println("> ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String answer;
      try {
        answer = node.run(line.trim().split(" "));
      } catch (RuntimeException e) {
        e.printStackTrace();
        answer = "error " + e;
      }
      System.out.println("> " + answer.replace('\n', ' '));
    }
    node.sessions.close();
  }

  private String run(String[] c) {
    switch (c[0]) {
      case "probe":
        return probe();
      case "author":
        return "author " + sessions.fromTransaction(s -> {
          Author author = new Author(c[1]);
          s.persist(author);
          return author;
        }).getId();
      case "book":
        return "book " + sessions.fromTransaction(s -> {
          Book book = new Book(c[1], c[2], new BigDecimal(c[3]), Genre.valueOf(c[4]),
              s.getReference(Author.class, UUID.fromString(c[5])));
          s.persist(book);
          return book;
        }).getId();
      case "get":
        return measured(() -> sessions.fromTransaction(s -> {
          Book book = s.find(Book.class, Long.valueOf(c[1]));
          return book == null ? "absent" : describe(book);
        }));
      case "isbn":
        return measured(() -> sessions.fromTransaction(s -> {
          Book book = s.find(Book.class, c[1], KeyType.NATURAL);
          return book == null ? "absent" : describe(book);
        }));
      case "titles":
        return measured(() -> sessions.fromTransaction(s -> {
          Author author = s.find(Author.class, UUID.fromString(c[1]));
          TreeSet<String> titles = new TreeSet<>();
          author.getBooks().forEach(b -> titles.add(b.getTitle()));
          return "titles " + String.join(",", titles);
        }));
      case "update":
        return "updated v" + sessions.fromTransaction(s -> {
          Book book = s.find(Book.class, Long.valueOf(c[1]));
          book.setTitle(c[2]);
          book.setPrice(new BigDecimal(c[3]));
          s.flush();
          return book.getVersion();
        });
      case "delete":
        sessions.inTransaction(s -> s.remove(s.find(Book.class, Long.valueOf(c[1]))));
        return "deleted";
      default:
        return "unknown command " + c[0];
    }
  }

  private static String describe(Book book) {
    return book.getTitle() + " " + book.getPrice() + " " + book.getGenre() + " v" + book.getVersion();
  }

  /** The answer, with the second-level cache hits and SQL statements it took. */
  private String measured(Supplier<String> work) {
    long hits = statistics.getSecondLevelCacheHitCount();
    long statements = statistics.getPrepareStatementCount();
    String answer = work.get();
    return answer + " hits=" + (statistics.getSecondLevelCacheHitCount() - hits)
        + " sql=" + (statistics.getPrepareStatementCount() - statements);
  }

  /**
   * Whether this node can write keys of every owner: a put and a get of keys spread over the
   * ring, in a cache of its own. Until every member is up and found, some fail.
   */
  private static String probe() {
    CacheManager manager = Caching.getCachingProvider().getCacheManager();
    Cache<String, String> probe = manager.getCache("probe", String.class, String.class);
    if (probe == null) {
      probe = manager.createCache("probe", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
    }
    for (int i = 0; i < 32; i++) {
      probe.put("k" + i, "v" + i);
      if (!("v" + i).equals(probe.get("k" + i))) {
        return "not yet";
      }
    }
    return "ok";
  }
}
