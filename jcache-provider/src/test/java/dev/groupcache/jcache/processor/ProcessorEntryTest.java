package dev.groupcache.jcache.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.processor.ProcessorEntry.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import org.junit.jupiter.api.Test;

/** What an entry processor did to its entry, as the outcome the cache then writes to the owner. */
class ProcessorEntryTest {
  /** The keys whose owner's value was decoded, in order. */
  private final List<String> decoded = new ArrayList<>();
  /** The keys loaded, in order. */
  private final List<String> loaded = new ArrayList<>();

  private final Function<String, String> snapshot = key -> {
    decoded.add(key);
    return "owner's " + key;
  };

  /** A loader answering from a map. */
  private CacheLoader<String, String> loader(Map<String, String> values) {
    return new CacheLoader<>() {
      @Override
      public String load(String key) {
        loaded.add(key);
        return values.get(key);
      }

      @Override
      public Map<String, String> loadAll(Iterable<? extends String> keys) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private CacheLoader<String, String> failingLoader(RuntimeException failure) {
    return new CacheLoader<>() {
      @Override
      public String load(String key) {
        throw failure;
      }

      @Override
      public Map<String, String> loadAll(Iterable<? extends String> keys) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private ProcessorEntry<String, String> existing(CacheLoader<String, String> loader) {
    return new ProcessorEntry<>("k", true, snapshot, loader);
  }

  private ProcessorEntry<String, String> absent(CacheLoader<String, String> loader) {
    return new ProcessorEntry<>("k", false, snapshot, loader);
  }

  @Test
  void aProcessorThatDoesNothingLeavesNothingToWriteAndDecodesNothing() {
    ProcessorEntry<String, String> entry = existing(null);

    assertEquals("k", entry.getKey());
    assertTrue(entry.exists());
    assertFalse(absent(null).exists());
    assertEquals(Outcome.NONE, entry.outcome());
    assertTrue(decoded.isEmpty(), "exists() does not need the value");
  }

  @Test
  void readingAnExistingEntryIsAnAccessThatDecodesItsValueOnce() {
    ProcessorEntry<String, String> entry = existing(loader(Map.of("k", "loaded")));

    assertEquals("owner's k", entry.getValue());
    assertEquals("owner's k", entry.getValue());

    assertEquals(Outcome.ACCESS, entry.outcome());
    assertEquals(List.of("k"), decoded);
    assertTrue(loaded.isEmpty(), "an existing entry is not loaded");
    assertTrue(entry.exists());
  }

  @Test
  void settingAnAbsentEntryCreatesIt() {
    ProcessorEntry<String, String> entry = absent(null);

    entry.setValue("new");

    assertEquals(Outcome.CREATE, entry.outcome());
    assertEquals("new", entry.value());
    assertEquals("new", entry.getValue());
    assertTrue(entry.exists());
    assertEquals(Outcome.CREATE, entry.outcome(), "reading its own value back changes nothing");
  }

  @Test
  void settingAnExistingEntryUpdatesItWithoutDecodingTheOldValue() {
    ProcessorEntry<String, String> entry = existing(null);

    entry.setValue("new");

    assertEquals(Outcome.UPDATE, entry.outcome());
    assertEquals("new", entry.getValue());
    assertEquals("new", entry.value());
    assertTrue(decoded.isEmpty());
  }

  @Test
  void readingThenSettingAnExistingEntryIsAnUpdate() {
    ProcessorEntry<String, String> entry = existing(null);

    entry.setValue(entry.getValue() + ", changed");

    assertEquals(Outcome.UPDATE, entry.outcome());
    assertEquals("owner's k, changed", entry.value());
  }

  @Test
  void removingAnExistingEntryRemovesIt() {
    ProcessorEntry<String, String> entry = existing(null);
    entry.getValue();

    entry.remove();

    assertEquals(Outcome.REMOVE, entry.outcome());
    assertFalse(entry.exists());
    assertNull(entry.getValue());
    assertNull(entry.value());
    assertEquals(Outcome.REMOVE, entry.outcome(), "reading after the removal changes nothing");
  }

  @Test
  void removingAnAbsentEntryIsStillARemoval() {
    ProcessorEntry<String, String> entry = absent(null);

    entry.remove();

    assertEquals(Outcome.REMOVE, entry.outcome());
    assertFalse(entry.exists());
  }

  @Test
  void settingThenRemovingAnAbsentEntryLeavesNothingToWrite() {
    ProcessorEntry<String, String> entry = absent(null);

    entry.setValue("brief");
    entry.remove();

    assertEquals(Outcome.NONE, entry.outcome());
    assertFalse(entry.exists());
    assertNull(entry.getValue());
    assertTrue(decoded.isEmpty());
  }

  @Test
  void settingThenRemovingAnExistingEntryRemovesIt() {
    ProcessorEntry<String, String> entry = existing(null);

    entry.setValue("brief");
    entry.remove();

    assertEquals(Outcome.REMOVE, entry.outcome());
    assertFalse(entry.exists());
    assertNull(entry.getValue(), "the owner's value is not read back after a removal");
    assertTrue(decoded.isEmpty());
  }

  @Test
  void removingThenSettingAnExistingEntryUpdatesIt() {
    ProcessorEntry<String, String> entry = existing(null);

    entry.remove();
    entry.setValue("again");

    assertEquals(Outcome.UPDATE, entry.outcome());
    assertEquals("again", entry.value());
    assertTrue(entry.exists());
  }

  @Test
  void readingAnAbsentEntryWithoutALoaderFindsNothing() {
    ProcessorEntry<String, String> entry = absent(null);

    assertNull(entry.getValue());

    assertEquals(Outcome.NONE, entry.outcome());
    assertFalse(entry.exists());
    assertTrue(decoded.isEmpty(), "an absent entry has no value to decode");
  }

  @Test
  void readingAnAbsentEntryThroughALoaderLoadsItOnce() {
    ProcessorEntry<String, String> entry = absent(loader(Map.of("k", "loaded")));

    assertEquals("loaded", entry.getValue());
    assertEquals("loaded", entry.getValue());

    assertEquals(Outcome.LOAD, entry.outcome());
    assertEquals("loaded", entry.value());
    assertTrue(entry.exists());
    assertEquals(List.of("k"), loaded);
  }

  @Test
  void aLoaderThatFindsNothingLeavesNothingToWrite() {
    ProcessorEntry<String, String> entry = absent(loader(new HashMap<>()));

    assertNull(entry.getValue());

    assertEquals(Outcome.NONE, entry.outcome());
    assertFalse(entry.exists());
    assertEquals(List.of("k"), loaded);
  }

  @Test
  void loadingThenRemovingLeavesNothingToWrite() {
    ProcessorEntry<String, String> entry = absent(loader(Map.of("k", "loaded")));
    entry.getValue();

    entry.remove();

    assertEquals(Outcome.NONE, entry.outcome());
    assertFalse(entry.exists());
  }

  @Test
  void loadingThenSettingCreatesTheEntry() {
    ProcessorEntry<String, String> entry = absent(loader(Map.of("k", "loaded")));
    entry.getValue();

    entry.setValue("set");

    assertEquals(Outcome.CREATE, entry.outcome());
    assertEquals("set", entry.value());
  }

  @Test
  void aLoadersFailureReachesTheProcessorAsACacheLoaderException() {
    IllegalStateException cause = new IllegalStateException("database down");
    ProcessorEntry<String, String> entry = absent(failingLoader(cause));

    CacheLoaderException thrown = assertThrows(CacheLoaderException.class, entry::getValue);

    assertSame(cause, thrown.getCause());
    assertEquals(Outcome.NONE, entry.outcome());
    assertFalse(entry.exists());
  }

  @Test
  void aLoadersOwnCacheLoaderExceptionIsNotWrapped() {
    CacheLoaderException failure = new CacheLoaderException("not found upstream");
    ProcessorEntry<String, String> entry = absent(failingLoader(failure));

    assertSame(failure, assertThrows(CacheLoaderException.class, entry::getValue));
  }

  @Test
  void aNullValueIsRefusedAndChangesNothing() {
    ProcessorEntry<String, String> entry = existing(null);

    assertThrows(NullPointerException.class, () -> entry.setValue(null));

    assertEquals(Outcome.NONE, entry.outcome());
    assertTrue(entry.exists());
    assertThrows(IllegalArgumentException.class, () -> entry.unwrap(Object.class));
  }
}
