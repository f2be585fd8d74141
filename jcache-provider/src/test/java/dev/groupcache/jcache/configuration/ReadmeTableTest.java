package dev.groupcache.jcache.configuration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the code's: every key, its default and meaning. */
class ReadmeTableTest {
  @Test
  void theReadmeListsEveryKeyAsTheCodeDefinesIt() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String row : SettingsKey.markdownTable().split("\n")) {
      assertTrue(readme.contains(row), "README.md lacks this row of the configuration table:\n" + row);
    }
  }
}
