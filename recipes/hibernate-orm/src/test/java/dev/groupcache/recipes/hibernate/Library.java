package dev.groupcache.recipes.hibernate;

import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

/** The recipe's Hibernate configuration, as the README gives it. */
final class Library {
  /** The application's own attribute types: all the allowlist needs beside the preset. */
  static final String ALLOWLIST = "hibernate,java.math.BigDecimal,java.math.BigInteger," + Genre.class.getName();

  private Library() {}

  /**
   * A session factory on the H2 database at {@code url}; with the second-level cache on this
   * JVM's groupcache node if {@code cached}, and creating the schema if {@code createSchema}.
   */
  static SessionFactory open(String url, boolean cached, boolean createSchema) {
    Configuration configuration = new Configuration()
        .addAnnotatedClass(Author.class)
        .addAnnotatedClass(Book.class)
        .setProperty("hibernate.connection.url", url)
        .setProperty("hibernate.connection.username", "sa")
        .setProperty("hibernate.connection.password", "")
        .setProperty("hibernate.hbm2ddl.auto", createSchema ? "create" : "none")
        .setProperty("hibernate.generate_statistics", "true");
    if (cached) {
      configuration
          .setProperty("hibernate.cache.use_second_level_cache", "true")
          .setProperty("hibernate.cache.region.factory_class", "jcache")
          .setProperty("hibernate.javax.cache.provider", "dev.groupcache.jcache.GroupcacheCachingProvider")
          .setProperty("hibernate.javax.cache.missing_cache_strategy", "create")
          .setProperty("hibernate.cache.auto_evict_collection_cache", "true");
    } else {
      configuration.setProperty("hibernate.cache.use_second_level_cache", "false");
    }
    return configuration.buildSessionFactory();
  }
}
