package dev.groupcache.jcache.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.Codec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** User codecs: discovery through ServiceLoader, registration, precedence, and misbehaviour. */
class CodecSpiTest {
  private static final int MAX = 1 << 16;
  private static URLClassLoader spiLoader;

  /** A mutable, serializable key type, so that copies and precedence can be told apart. */
  static final class Point implements Serializable {
    private static final long serialVersionUID = 1L;
    int x;
    int y;

    Point(int x, int y) {
      this.x = x;
      this.y = y;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Point p && p.x == x && p.y == y;
    }

    @Override
    public int hashCode() {
      return 31 * x + y;
    }
  }

  /** Listed in {@code codec-spi/META-INF/services}. */
  public static final class PointCodec implements Codec<Point> {
    @Override
    public Class<Point> type() {
      return Point.class;
    }

    @Override
    public String id() {
      return "test.point.v1";
    }

    @Override
    public void encode(Point p, DataOutput out) throws IOException {
      out.writeInt(p.x);
      out.writeInt(p.y);
    }

    @Override
    public Point decode(DataInput in, int length) throws IOException {
      return new Point(in.readInt(), in.readInt());
    }
  }

  /** A second encoding of {@link Point}, registered programmatically. */
  static final class PointCodecV2 implements Codec<Point> {
    @Override
    public Class<Point> type() {
      return Point.class;
    }

    @Override
    public String id() {
      return "test.point.v2";
    }

    @Override
    public void encode(Point p, DataOutput out) throws IOException {
      out.writeLong((long) p.x << 32 | p.y & 0xFFFFFFFFL);
    }

    @Override
    public Point decode(DataInput in, int length) throws IOException {
      long v = in.readLong();
      return new Point((int) (v >> 32), (int) v);
    }
  }

  /** A codec for a built-in type; listed in the services file too, where it must be ignored. */
  public static final class ReversedStringCodec implements Codec<String> {
    @Override
    public Class<String> type() {
      return String.class;
    }

    @Override
    public String id() {
      return "test.string.reversed";
    }

    @Override
    public void encode(String s, DataOutput out) throws IOException {
      out.write(new StringBuilder(s).reverse().toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String decode(DataInput in, int length) throws IOException {
      byte[] b = new byte[length];
      in.readFully(b);
      return new StringBuilder(new String(b, StandardCharsets.UTF_8)).reverse().toString();
    }
  }

  enum Mood {
    HAPPY {
      @Override
      public String toString() {
        return "happy"; // a constant with a body: its class is a subclass of Mood
      }
    },
    SAD
  }

  static final class MoodCodec implements Codec<Mood> {
    @Override
    public Class<Mood> type() {
      return Mood.class;
    }

    @Override
    public String id() {
      return "test.mood";
    }

    @Override
    public void encode(Mood m, DataOutput out) throws IOException {
      out.writeByte(m.ordinal());
    }

    @Override
    public Mood decode(DataInput in, int length) throws IOException {
      return Mood.values()[in.readByte()];
    }
  }

  /** A codec whose behaviour each test picks, for the failure paths. */
  static final class Misbehaving implements Codec<StringBuilder> {
    enum Mode {
      FAITHFUL,
      THROW_ON_ENCODE,
      WRITE_TOO_MUCH,
      READ_TOO_MUCH,
      READ_TOO_LITTLE,
      RETURN_NULL,
      THROW_ON_DECODE
    }

    private final Mode mode;
    private final String id;

    Misbehaving(Mode mode) {
      this(mode, "test.misbehaving");
    }

    Misbehaving(Mode mode, String id) {
      this.mode = mode;
      this.id = id;
    }

    @Override
    public Class<StringBuilder> type() {
      return StringBuilder.class;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void encode(StringBuilder value, DataOutput out) throws IOException {
      switch (mode) {
        case THROW_ON_ENCODE:
          throw new UncheckedIOException(new IOException("disk on fire"));
        case WRITE_TOO_MUCH:
          out.write(new byte[MAX]);
          break;
        default:
          out.writeUTF(value.toString());
      }
    }

    @Override
    public StringBuilder decode(DataInput in, int length) throws IOException {
      switch (mode) {
        case READ_TOO_MUCH:
          in.readFully(new byte[length + 1]);
          return new StringBuilder();
        case READ_TOO_LITTLE:
          in.readByte();
          return new StringBuilder();
        case RETURN_NULL:
          return null;
        case THROW_ON_DECODE:
          throw new IOException("bad bytes");
        default:
          return new StringBuilder(in.readUTF());
      }
    }
  }

  @BeforeAll
  static void openLoader() {
    spiLoader = loaderOver("codec-spi");
  }

  @AfterAll
  static void closeLoader() throws IOException {
    spiLoader.close();
  }

  /** A loader that adds one test resource directory, so these services stay out of other tests. */
  private static URLClassLoader loaderOver(String dir) {
    URL url = Objects.requireNonNull(CodecSpiTest.class.getResource("/" + dir + "/"), dir);
    return new URLClassLoader(new URL[] {url}, CodecSpiTest.class.getClassLoader());
  }

  private static byte[] header(String id) {
    byte[] header = new byte[2 + id.length()];
    header[0] = Codecs.TAG_CODEC;
    header[1] = (byte) id.length();
    System.arraycopy(id.getBytes(StandardCharsets.US_ASCII), 0, header, 2, id.length());
    return header;
  }

  private static byte[] concat(byte[] a, int... rest) {
    byte[] out = Arrays.copyOf(a, a.length + rest.length);
    for (int i = 0; i < rest.length; i++) {
      out[a.length + i] = (byte) rest[i];
    }
    return out;
  }

  @Test
  void discoveredCodecEncodesItsTypeUnderItsId() {
    Codecs codecs = Codecs.create(spiLoader, "", MAX);
    Point p = new Point(1, -2);
    ByteView encoded = codecs.encode(p);
    byte[] expected = concat(header("test.point.v1"), 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE);
    assertArrayEquals(expected, encoded.toByteArray());
    assertEquals(encoded, codecs.encode(new Point(1, -2)));
    Point back = (Point) codecs.decode(encoded);
    assertEquals(p, back);
    assertNotSame(p, back);
  }

  @Test
  void copyOfACodecTypeIsADistinctEqualObject() {
    Codecs codecs = Codecs.create(spiLoader, "", MAX);
    Point p = new Point(3, 4);
    Point copy = (Point) codecs.decode(codecs.encode(p));
    assertEquals(p, copy);
    assertNotSame(p, copy);
    p.x = 99;
    assertEquals(3, copy.x);
  }

  @Test
  void withoutTheServicesFileTheTypeIsNotCovered() {
    Codecs codecs = Codecs.create(CodecSpiTest.class.getClassLoader(), "", MAX);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> codecs.encode(new Point(1, 2)));
    assertTrue(e.getMessage().contains(Point.class.getName()), e.getMessage());
  }

  @Test
  void discoveredCodecNeverReplacesABuiltIn() {
    Codecs codecs = Codecs.create(spiLoader, "", MAX);
    assertEquals(CodecBuiltinsTest.bytes(Codecs.TAG_STRING, 'a', 'b'), codecs.encode("ab"));
  }

  @Test
  void registeredCodecReplacesABuiltIn() {
    Codecs codecs = Codecs.create(spiLoader, "", MAX, List.of(new ReversedStringCodec()));
    ByteView encoded = codecs.encode("ab");
    assertArrayEquals(concat(header("test.string.reversed"), 'b', 'a'), encoded.toByteArray());
    assertEquals("ab", codecs.decode(encoded));
    // Bytes from the built-in still decode: the tag says which codec wrote them.
    assertEquals("ab", codecs.decode(CodecBuiltinsTest.bytes(Codecs.TAG_STRING, 'a', 'b')));
  }

  @Test
  void registeredCodecReplacesADiscoveredOneForItsType() {
    Codecs codecs = Codecs.create(spiLoader, "", MAX, List.of(new PointCodecV2()));
    ByteView encoded = codecs.encode(new Point(1, 2));
    assertArrayEquals(
        concat(header("test.point.v2"), 0, 0, 0, 1, 0, 0, 0, 2), encoded.toByteArray());
    assertEquals(new Point(1, 2), codecs.decode(encoded));
    CodecException e =
        assertThrows(
            CodecException.class,
            () ->
                codecs.decode(
                    ByteView.copyOf(concat(header("test.point.v1"), 0, 0, 0, 1, 0, 0, 0, 2))));
    assertTrue(e.getMessage().contains("\"test.point.v1\""), e.getMessage());
  }

  @Test
  void codecTakesPrecedenceOverJavaSerialization() {
    Codecs codecs = Codecs.create(spiLoader, "dev.groupcache.jcache.codec.*", MAX);
    assertTrue(codecs.serializationEnabled());
    assertEquals(Codecs.TAG_CODEC, codecs.encode(new Point(5, 6)).byteAt(0));
    // Without the codec, the same value is serialized.
    Codecs plain =
        Codecs.create(CodecSpiTest.class.getClassLoader(), "dev.groupcache.jcache.codec.*", MAX);
    assertEquals(Codecs.TAG_SERIALIZED, plain.encode(new Point(5, 6)).byteAt(0));
  }

  @Test
  void codecCoversEnumConstantsWithBodies() {
    Codecs codecs =
        Codecs.create(CodecSpiTest.class.getClassLoader(), "", MAX, List.of(new MoodCodec()));
    assertTrue(Mood.HAPPY.getClass() != Mood.class);
    assertEquals(Mood.HAPPY, codecs.decode(codecs.encode(Mood.HAPPY)));
    assertEquals(Mood.SAD, codecs.decode(codecs.encode(Mood.SAD)));
  }

  @Test
  void conflictingCodecsFailCreation() {
    ClassLoader loader = CodecSpiTest.class.getClassLoader();
    IllegalStateException sameType =
        assertThrows(
            IllegalStateException.class,
            () -> Codecs.create(loader, "", MAX, List.of(new PointCodec(), new PointCodecV2())));
    assertTrue(sameType.getMessage().contains(Point.class.getName()), sameType.getMessage());
    IllegalStateException sameId =
        assertThrows(
            IllegalStateException.class,
            () ->
                Codecs.create(
                    spiLoader,
                    "",
                    MAX,
                    List.of(new Misbehaving(Misbehaving.Mode.RETURN_NULL, "test.point.v1"))));
    assertTrue(sameId.getMessage().contains("\"test.point.v1\""), sameId.getMessage());
  }

  @Test
  void invalidIdsAreRejected() {
    ClassLoader loader = CodecSpiTest.class.getClassLoader();
    for (String id : new String[] {"", "has space", "caf\u00e9", "x".repeat(128), "tab\t"}) {
      Codec<?> codec = new Misbehaving(Misbehaving.Mode.RETURN_NULL, id);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Codecs.create(loader, "", MAX, List.of(codec)),
              id);
      assertTrue(e.getMessage().contains("invalid id()"), e.getMessage());
    }
    Codec<?> longest = new Misbehaving(Misbehaving.Mode.FAITHFUL, "x".repeat(127));
    Codecs codecs = Codecs.create(loader, "", MAX, List.of(longest));
    assertEquals("y", codecs.decode(codecs.encode(new StringBuilder("y"))).toString());
  }

  @Test
  void brokenServicesFileFailsCreation() throws IOException {
    try (URLClassLoader broken = loaderOver("codec-spi-broken")) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> Codecs.create(broken, "", MAX));
      assertTrue(e.getMessage().contains("META-INF/services"), e.getMessage());
      assertTrue(e.getMessage().contains("NoSuchCodec"), e.getMessage());
    }
  }

  private static Codecs with(Misbehaving.Mode mode) {
    return Codecs.create(
        CodecSpiTest.class.getClassLoader(), "", MAX, List.of(new Misbehaving(mode)));
  }

  private static ByteView goodBytes() {
    return with(Misbehaving.Mode.FAITHFUL).encode(new StringBuilder("hello"));
  }

  @Test
  void codecFailuresOnEncodeNameTheCodec() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> with(Misbehaving.Mode.THROW_ON_ENCODE).encode(new StringBuilder()));
    assertTrue(e.getMessage().contains("\"test.misbehaving\""), e.getMessage());
    assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());

    IllegalArgumentException large =
        assertThrows(
            IllegalArgumentException.class,
            () -> with(Misbehaving.Mode.WRITE_TOO_MUCH).encode(new StringBuilder()));
    assertTrue(large.getMessage().contains("maximum value size of " + MAX), large.getMessage());
  }

  @Test
  void codecFailuresOnDecodeArePrecise() {
    ByteView bytes = goodBytes();
    assertEquals("hello", with(Misbehaving.Mode.FAITHFUL).decode(bytes).toString());

    CodecException tooMuch =
        assertThrows(
            CodecException.class, () -> with(Misbehaving.Mode.READ_TOO_MUCH).decode(bytes));
    assertTrue(tooMuch.getMessage().contains("truncated"), tooMuch.getMessage());

    CodecException tooLittle =
        assertThrows(
            CodecException.class, () -> with(Misbehaving.Mode.READ_TOO_LITTLE).decode(bytes));
    assertTrue(tooLittle.getMessage().contains("left unread"), tooLittle.getMessage());

    CodecException isNull =
        assertThrows(CodecException.class, () -> with(Misbehaving.Mode.RETURN_NULL).decode(bytes));
    assertTrue(isNull.getMessage().contains("decoded null"), isNull.getMessage());

    CodecException thrown =
        assertThrows(
            CodecException.class, () -> with(Misbehaving.Mode.THROW_ON_DECODE).decode(bytes));
    assertTrue(thrown.getMessage().contains("bad bytes"), thrown.getMessage());
  }
}
