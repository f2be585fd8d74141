package dev.groupcache.jcache.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import org.junit.jupiter.api.Test;

/** The DataOutput and DataInput that codecs see behave exactly as the JDK's streams do. */
class CodecStreamsTest {

  private static final String TEXT = "a\u0000\u00e9\u20ac\uD83D\uDE00\uD800";

  private static void writeEverything(DataOutput out) throws IOException {
    out.writeBoolean(true);
    out.writeBoolean(false);
    out.writeByte(-2);
    out.writeShort(-3);
    out.writeChar('\u20ac');
    out.writeInt(Integer.MIN_VALUE + 7);
    out.writeLong(Long.MIN_VALUE + 11);
    out.writeFloat(-1.5f);
    out.writeDouble(Math.E);
    out.writeUTF(TEXT);
    out.writeUTF("");
    out.writeChars("hi\u20ac");
    out.writeBytes("latin1 only\n");
    out.write(new byte[] {9, 8, 7}, 1, 2);
    out.write(300);
  }

  private static byte[] jdkBytes() throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bos)) {
      writeEverything(out);
    }
    return bos.toByteArray();
  }

  @Test
  void outputWritesWhatDataOutputStreamWrites() throws IOException {
    CodecOutput out = new CodecOutput(1, 1 << 10);
    writeEverything(out);
    assertArrayEquals(jdkBytes(), out.toByteView().toByteArray());
  }

  @Test
  void inputReadsWhatDataOutputStreamWrote() throws IOException {
    byte[] b = jdkBytes();
    byte[] framed = new byte[b.length + 4];
    System.arraycopy(b, 0, framed, 2, b.length);
    CodecInput in = new CodecInput(framed, 2, b.length);
    assertTrue(in.readBoolean());
    assertEquals(false, in.readBoolean());
    assertEquals(-2, in.readByte());
    assertEquals(-3, in.readShort());
    assertEquals('\u20ac', in.readChar());
    assertEquals(Integer.MIN_VALUE + 7, in.readInt());
    assertEquals(Long.MIN_VALUE + 11, in.readLong());
    assertEquals(-1.5f, in.readFloat());
    assertEquals(Math.E, in.readDouble());
    assertEquals(TEXT, in.readUTF());
    assertEquals("", in.readUTF());
    assertEquals('h', in.readChar());
    assertEquals('i', in.readChar());
    assertEquals('\u20ac', in.readChar());
    assertEquals("latin1 only", in.readLine());
    assertEquals(8, in.readUnsignedByte());
    assertEquals(7, in.readUnsignedByte());
    assertEquals(300 & 0xFF, in.read());
    assertEquals(0, in.remaining());
    assertEquals(-1, in.read());
    assertNull(in.readLine());
  }

  @Test
  void readingPastTheEndSaysWhere() {
    CodecInput in = new CodecInput(new byte[] {1, 2, 3, 4, 5}, 1, 3);
    EOFException e = assertThrows(EOFException.class, in::readInt);
    assertEquals("needs 4 more bytes at offset 0 of 3", e.getMessage());
    assertEquals(3, in.skipBytes(10));
    assertThrows(EOFException.class, in::readByte);
  }

  @Test
  void outputStopsAtItsLimit() throws IOException {
    CodecOutput out = new CodecOutput(2, 6);
    out.writeInt(1);
    assertThrows(CodecOutput.LimitExceededException.class, () -> out.writeInt(2));
    out.writeShort(3);
    assertEquals(6, out.size());
    assertThrows(CodecOutput.LimitExceededException.class, () -> out.write(0));
  }

  @Test
  void writeUtfRefusesWhatItCannotFrame() {
    CodecOutput out = new CodecOutput(16, 1 << 20);
    assertThrows(UTFDataFormatException.class, () -> out.writeUTF("x".repeat(65_536)));
    assertEquals(0, out.size());
  }
}
