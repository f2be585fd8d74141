package dev.groupcache.jcache.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Java serialization: off unless configured, and then only for the allowlist. */
class CodecSerializationTest {
  private static final int MAX = 1 << 20;
  private static final ClassLoader LOADER = CodecSerializationTest.class.getClassLoader();
  private static final String ALLOWED = Allowed.class.getName();
  private static final String HOLDER = Holder.class.getName();

  /** Set if a refused class is ever instantiated or runs its readObject. */
  static final AtomicBoolean GADGET_CONSTRUCTED = new AtomicBoolean();

  static final AtomicBoolean GADGET_READ_OBJECT_RAN = new AtomicBoolean();

  static final class Allowed implements Serializable {
    private static final long serialVersionUID = 1L;
    final List<Integer> numbers = new ArrayList<>();
    String name;

    Allowed(String name) {
      this.name = name;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Allowed a && a.numbers.equals(numbers) && a.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }
  }

  /** An allowed class that can carry anything. */
  static final class Holder implements Serializable {
    private static final long serialVersionUID = 1L;
    final Object payload;

    Holder(Object payload) {
      this.payload = payload;
    }
  }

  /** Not serializable: its constructor runs whenever a subclass instance is deserialized. */
  static class GadgetBase {
    GadgetBase() {
      GADGET_CONSTRUCTED.set(true);
    }
  }

  /** Stands for a deserialization gadget: a class whose readObject does something. */
  static final class Gadget extends GadgetBase implements Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      GADGET_READ_OBJECT_RAN.set(true);
      in.defaultReadObject();
    }
  }

  /** An allowed class whose readObject hides a failure to read its field. */
  static final class Swallower implements Serializable {
    private static final long serialVersionUID = 1L;
    Object inner;

    Swallower(Object inner) {
      this.inner = inner;
    }

    private void readObject(ObjectInputStream in) {
      try {
        in.defaultReadObject();
      } catch (IOException | ClassNotFoundException | RuntimeException e) {
        inner = null; // swallowed: decoding must still fail
      }
    }
  }

  /** Serializable but holding a field that is not. */
  static final class Leaky implements Serializable {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("unused") // read by serialization, which fails on it
    private final Object lock = new Object();
  }

  @BeforeEach
  void resetFlags() {
    GADGET_CONSTRUCTED.set(false);
    GADGET_READ_OBJECT_RAN.set(false);
  }

  /** A serialized value made the way an attacker (or a misconfigured peer) would: by hand. */
  private static ByteView handMade(Object value) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    bos.write(Codecs.TAG_SERIALIZED);
    try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
      oos.writeObject(value);
    }
    return ByteView.copyOf(bos.toByteArray());
  }

  private static void assertGadgetNeverRan() {
    assertFalse(GADGET_CONSTRUCTED.get(), "a refused class was instantiated");
    assertFalse(GADGET_READ_OBJECT_RAN.get(), "a refused class ran its readObject");
  }

  @Test
  void blankAllowlistLeavesSerializationOff() {
    for (String allowlist : new String[] {"", "  ", " ; ;"}) {
      Codecs codecs = Codecs.create(LOADER, allowlist, MAX);
      assertFalse(codecs.serializationEnabled());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> codecs.encode(new Allowed("a")));
      assertTrue(e.getMessage().contains(ALLOWED), e.getMessage());
      assertTrue(e.getMessage().contains(Codecs.SERIALIZATION_ALLOWLIST), e.getMessage());
      assertTrue(e.getMessage().contains("Java serialization is off"), e.getMessage());
    }
  }

  @Test
  void serializedBytesAreRefusedWhenSerializationIsOffHere() throws IOException {
    ByteView bytes = handMade(new Gadget());
    resetFlags(); // making the bytes constructed one
    Codecs codecs = Codecs.create(LOADER, "", MAX);
    CodecException e = assertThrows(CodecException.class, () -> codecs.decode(bytes));
    assertTrue(e.getMessage().contains("serialization is off"), e.getMessage());
    assertTrue(e.getMessage().contains(Codecs.SERIALIZATION_ALLOWLIST), e.getMessage());
    assertGadgetNeverRan();
  }

  @Test
  void allowlistedClassesRoundTripAsDistinctCopies() {
    Codecs codecs = Codecs.create(LOADER, "java.util.*;" + ALLOWED, MAX);
    Allowed value = new Allowed("x");
    value.numbers.addAll(List.of(1, 2, 3));
    ByteView encoded = codecs.encode(value);
    assertEquals(Codecs.TAG_SERIALIZED, encoded.byteAt(0));
    Allowed back = (Allowed) codecs.decode(encoded);
    assertEquals(value, back);
    assertNotSame(value, back);

    Allowed copy = (Allowed) codecs.decode(codecs.encode(value));
    assertEquals(value, copy);
    assertNotSame(value, copy);
    value.numbers.add(4);
    assertEquals(List.of(1, 2, 3), copy.numbers);

    Map<String, Object> map = new HashMap<>(Map.of("k", new ArrayList<>(List.of(1L, 2.0))));
    @SuppressWarnings("unchecked")
    Map<String, Object> mapCopy = (Map<String, Object>) codecs.decode(codecs.encode(map));
    assertEquals(map, mapCopy);
    assertNotSame(map.get("k"), mapCopy.get("k"));
  }

  @Test
  void boxesAndPrimitiveArraysNeedNoListing() {
    Codecs codecs = Codecs.create(LOADER, "java.util.ArrayList", MAX);
    List<Object> list = new ArrayList<>(List.of(1, 2L, 3.0f, 4.0, (short) 5, (byte) 6, 'c', true));
    list.add(new int[] {1, 2});
    @SuppressWarnings("unchecked")
    List<Object> back = (List<Object>) codecs.decode(codecs.encode(list));
    assertEquals(list.subList(0, 8), back.subList(0, 8));
    assertTrue(Arrays.equals(new int[] {1, 2}, (int[]) back.get(8)));
  }

  @Test
  void encodingARefusedClassFailsOnTheCaller() {
    Codecs codecs = Codecs.create(LOADER, "java.util.*", MAX);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new Allowed("a")));
    assertTrue(e.getMessage().contains(ALLOWED), e.getMessage());
    assertTrue(e.getMessage().contains(Codecs.SERIALIZATION_ALLOWLIST), e.getMessage());
    assertTrue(
        e.getMessage().contains("set " + Codecs.SERIALIZATION_ALLOWLIST + "=java.util.*," + ALLOWED + " on every node"),
        e.getMessage());
  }

  @Test
  void encodingAGraphThatReachesARefusedClassFailsOnTheCaller() {
    Codecs codecs = Codecs.create(LOADER, "java.util.*;" + HOLDER, MAX);
    List<Object> list = new ArrayList<>(List.of("fine", new Holder(new Gadget())));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(list));
    assertTrue(e.getMessage().contains(Gadget.class.getName()), e.getMessage());
    assertTrue(
        e.getMessage().contains("reached from a value of java.util.ArrayList"), e.getMessage());
  }

  @Test
  void encodingANonSerializableGraphSaysWhichClass() {
    Codecs codecs = Codecs.create(LOADER, "dev.groupcache.jcache.codec.*", MAX);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new Leaky()));
    assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    assertTrue(e.getMessage().contains("not Serializable"), e.getMessage());
    IllegalArgumentException top =
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new GadgetBase()));
    assertTrue(top.getMessage().contains("not Serializable"), top.getMessage());
  }

  @Test
  void decodingARefusedClassNeverInstantiatesIt() throws IOException {
    ByteView attack = handMade(new Gadget());
    resetFlags(); // making the bytes constructed one
    Codecs codecs = Codecs.create(LOADER, "java.util.*;java.lang.*", MAX);
    CodecException e = assertThrows(CodecException.class, () -> codecs.decode(attack));
    assertTrue(e.getMessage().contains(Gadget.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains(Codecs.SERIALIZATION_ALLOWLIST), e.getMessage());
    assertTrue(
        e.getMessage().contains("set " + Codecs.SERIALIZATION_ALLOWLIST + "=java.util.*,java.lang.*,"
            + Gadget.class.getName() + " on every node"),
        e.getMessage());
    assertGadgetNeverRan();
  }

  @Test
  void decodingARefusedClassInsideAnAllowedOneNeverInstantiatesIt() throws IOException {
    ByteView attack = handMade(new ArrayList<>(List.of(new Holder(new Gadget()))));
    resetFlags();
    Codecs codecs = Codecs.create(LOADER, "java.util.*;" + HOLDER, MAX);
    CodecException e = assertThrows(CodecException.class, () -> codecs.decode(attack));
    assertTrue(e.getMessage().contains(Gadget.class.getName()), e.getMessage());
    assertGadgetNeverRan();
  }

  @Test
  void aRefusalSwallowedByAReadObjectMethodStillFails() throws IOException {
    ByteView attack = handMade(new Swallower(new Gadget()));
    resetFlags();
    Codecs codecs = Codecs.create(LOADER, Swallower.class.getName(), MAX);
    CodecException e = assertThrows(CodecException.class, () -> codecs.decode(attack));
    assertTrue(e.getMessage().contains(Gadget.class.getName()), e.getMessage());
    assertGadgetNeverRan();
  }

  @Test
  void limitsRefuseOversizedAndDeepGraphs() throws IOException {
    Codecs small = Codecs.create(LOADER, "java.util.*", 1000);
    CodecException big =
        assertThrows(CodecException.class, () -> small.decode(handMade(new long[2000])));
    assertTrue(big.getMessage().contains("beyond the limits"), big.getMessage());

    List<Object> deep = new ArrayList<>();
    List<Object> current = deep;
    for (int i = 0; i < 10; i++) {
      List<Object> next = new ArrayList<>();
      current.add(next);
      current = next;
    }
    Codecs shallow = Codecs.create(LOADER, "java.util.*;maxdepth=5", MAX);
    CodecException depth = assertThrows(CodecException.class, () -> shallow.decode(handMade(deep)));
    assertTrue(depth.getMessage().contains("beyond the limits"), depth.getMessage());
    Codecs util = Codecs.create(LOADER, "java.util.*", MAX);
    assertEquals(deep, util.decode(util.encode(deep)));

    IllegalArgumentException tooLarge =
        assertThrows(
            IllegalArgumentException.class,
            () -> small.encode(new ArrayList<>(List.of(new byte[2000]))));
    assertTrue(tooLarge.getMessage().contains("maximum value size of 1000"), tooLarge.getMessage());
  }

  @Test
  void malformedStreamsFailPrecisely() throws IOException {
    Codecs codecs = Codecs.create(LOADER, "java.util.*;" + ALLOWED, MAX);
    byte[] good = handMade(new Allowed("abc")).toByteArray();

    assertMalformed(codecs, new byte[] {Codecs.TAG_SERIALIZED});
    assertMalformed(codecs, new byte[] {Codecs.TAG_SERIALIZED, 1, 2, 3, 4, 5});
    assertMalformed(codecs, Arrays.copyOf(good, good.length - 3));
    byte[] trailing = Arrays.copyOf(good, good.length + 2);
    CodecException e = assertMalformed(codecs, trailing);
    assertTrue(e.getMessage().contains("2 bytes after the object"), e.getMessage());
  }

  @Test
  void unknownClassesFailWithTheirName() throws IOException {
    Codecs codecs = Codecs.create(LOADER, "java.util.*;dev.groupcache.**", MAX);
    byte[] b = handMade(new Allowed("abc")).toByteArray();
    replace(b, "$Allowed", "$Nowhere");
    CodecException e = assertThrows(CodecException.class, () -> codecs.decode(ByteView.copyOf(b)));
    assertTrue(e.getMessage().contains("CodecSerializationTest$Nowhere"), e.getMessage());
    assertTrue(e.getMessage().contains("not visible"), e.getMessage());
  }

  @Test
  void invalidAllowlistFailsCreationNamingTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Codecs.create(LOADER, "java.util.*;maxdepth=x", MAX));
    assertTrue(e.getMessage().contains(Codecs.SERIALIZATION_ALLOWLIST), e.getMessage());
  }

  private static CodecException assertMalformed(Codecs codecs, byte[] bytes) {
    CodecException e =
        assertThrows(CodecException.class, () -> codecs.decode(ByteView.copyOf(bytes)));
    assertTrue(e.getMessage().contains("Malformed serialized value"), e.getMessage());
    return e;
  }

  private static void replace(byte[] b, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.US_ASCII);
    byte[] t = to.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + f.length <= b.length; i++) {
      for (int j = 0; j < f.length; j++) {
        if (b[i + j] != f[j]) {
          continue outer;
        }
      }
      System.arraycopy(t, 0, b, i, t.length);
      return;
    }
    throw new AssertionError(from + " not found");
  }
}
