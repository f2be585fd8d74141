package dev.groupcache.jcache.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * How the allowlist is written: commas, presets, array types, and refusals that print the setting
 * as it must be written.
 */
class SerializationAllowlistTest {
  private static final int MAX = 1 << 20;
  private static final ClassLoader LOADER = SerializationAllowlistTest.class.getClassLoader();
  private static final String SETTING = Codecs.SERIALIZATION_ALLOWLIST;
  private static final String MONEY = Money.class.getName();

  record Money(long cents) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void commasAndSemicolonsSeparateEntriesAlike() {
    for (String list : List.of("java.util.*," + MONEY, "java.util.*;" + MONEY, " java.util.* , " + MONEY + " ,")) {
      Codecs codecs = Codecs.create(LOADER, list, MAX);
      List<Money> value = new ArrayList<>(List.of(new Money(5)));
      assertEquals(value, codecs.decode(codecs.encode(value)), list);
      assertTrue(codecs.toString().contains("\"java.util.*," + MONEY + "\""), codecs.toString());
    }
  }

  @Test
  void aClassAllowsItsArrays() {
    Codecs codecs = Codecs.create(LOADER, MONEY, MAX);
    Money[][] value = {{new Money(1)}, {new Money(2), new Money(3)}};
    assertArrayEquals(value, (Money[][]) codecs.decode(codecs.encode(value)));
  }

  @Test
  void anArrayTypeEntryMeansItsElementType() {
    Codecs codecs = Codecs.create(LOADER, MONEY + "[]", MAX);
    assertEquals(new Money(7), codecs.decode(codecs.encode(new Money(7))));
    Money[] array = {new Money(8)};
    assertArrayEquals(array, (Money[]) codecs.decode(codecs.encode(array)));
  }

  @Test
  void aRefusedArrayNamesTheElementTypeToAdd() {
    Codecs codecs = Codecs.create(LOADER, "java.util.*", MAX);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new Money[] {new Money(1)}));
    assertTrue(e.getMessage().startsWith("Cannot encode " + Money.class.getTypeName() + "[]: its element type"),
        e.getMessage());
    assertTrue(e.getMessage().contains("set " + SETTING + "=java.util.*," + MONEY + " on every node"), e.getMessage());
  }

  @Test
  void aRefusedArrayInAStreamNamesTheElementTypeToAdd() throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    bos.write(Codecs.TAG_SERIALIZED);
    try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
      oos.writeObject(new Money[] {new Money(1)});
    }
    Codecs codecs = Codecs.create(LOADER, "java.util.*", MAX);
    CodecException e = assertThrows(CodecException.class, () -> codecs.decode(ByteView.copyOf(bos.toByteArray())));
    assertTrue(e.getMessage().contains("set " + SETTING + "=java.util.*," + MONEY + " on every node"), e.getMessage());
  }

  @Test
  void withSerializationOffTheMessageSaysWhatToSet() {
    Codecs codecs = Codecs.create(LOADER, "", MAX);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new Money[] {new Money(1)}));
    assertTrue(e.getMessage().contains("set " + SETTING + "=" + MONEY + " on every node"), e.getMessage());
  }

  @Test
  void theHibernatePresetAllowsItsSoftLocksUuidButNoWholePackage() {
    UUID id = UUID.randomUUID();
    Codecs without = Codecs.create(LOADER, MONEY, MAX);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> without.encode(id));
    assertTrue(e.getMessage().contains("set " + SETTING + "=" + MONEY + ",java.util.UUID on every node"),
        e.getMessage());

    Codecs with = Codecs.create(LOADER, "hibernate," + MONEY, MAX);
    assertEquals(id, with.decode(with.encode(id)));
    assertThrows(IllegalArgumentException.class, () -> with.encode(new ArrayList<>(List.of(1))));
  }

  @Test
  void aPresetWhoseClassesAreMissingWarnsOfEach() {
    List<String> warnings = warningsOf(() -> Codecs.create(LOADER, "spring," + MONEY, MAX)); // no Spring here
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("\"spring\" names org.springframework.cache.support.NullValue"),
        warnings.toString());
  }

  @Test
  void aRefusalIsLoggedOnceWhateverTheNumberOfFailures() {
    Codecs codecs = Codecs.create(LOADER, "java.util.*", MAX);
    List<String> warnings = warningsOf(() -> {
      for (int i = 0; i < 3; i++) {
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new Money(1)));
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new ArrayList<>(List.of(new Money(2)))));
      }
    });
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("set " + SETTING + "=java.util.*," + MONEY + " on every node"),
        warnings.toString());
  }

  /** The warnings {@link JavaSerialization} logs while {@code action} runs, formatted. */
  private static List<String> warningsOf(Runnable action) {
    Logger log = Logger.getLogger(JavaSerialization.class.getName());
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel() == Level.WARNING) {
          warnings.add(MessageFormat.format(r.getMessage(), r.getParameters()));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(handler);
    try {
      action.run();
    } finally {
      log.removeHandler(handler);
    }
    return warnings;
  }

  @Test
  void presetsExpandInPlaceToExactClassNames() {
    List<String> patterns = SerializationPresets.expand(List.of("!com.example.Bad", "spring", "com.example.*"));
    assertEquals(List.of("!com.example.Bad", "org.springframework.cache.support.NullValue",
        "org.springframework.cache.interceptor.SimpleKey", "com.example.*"), patterns);
    for (String preset : List.of("hibernate", "spring")) {
      for (String p : SerializationPresets.expand(List.of(preset))) {
        assertTrue(!p.contains("*") && !p.startsWith("!"), preset + " has a pattern that is not one class: " + p);
      }
    }
  }
}
