package dev.groupcache.discovery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server for tests, on UDP at 127.0.0.1: answers A and AAAA queries for the names it is
 * given (RFC 1035 wire format, one question per query), NXDOMAIN for others.
 */
final class FakeDnsServer implements AutoCloseable {
  private final DatagramSocket socket;
  private final Map<String, List<InetAddress>> records = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private final Thread thread;

  FakeDnsServer() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "fake-dns");
    thread.setDaemon(true);
    thread.start();
  }

  /** {@code host:port} to give a resolver. */
  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  void set(String name, List<InetAddress> addresses) {
    records.put(name.toLowerCase(), List.copyOf(addresses));
  }

  void remove(String name) {
    records.remove(name.toLowerCase());
  }

  int queries() {
    return queries.get();
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        queries.incrementAndGet();
        byte[] reply = answer(buffer, packet.getLength());
        socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
      } catch (IOException | RuntimeException e) {
        // closed, or a query we cannot read: drop it, as a server would
      }
    }
  }

  private byte[] answer(byte[] q, int length) {
    int i = 12;
    StringBuilder name = new StringBuilder();
    while (q[i] != 0) {
      int n = q[i] & 0xff;
      name.append(name.length() == 0 ? "" : ".").append(new String(q, i + 1, n, java.nio.charset.StandardCharsets.US_ASCII));
      i += n + 1;
    }
    int questionEnd = i + 5;
    int type = ((q[i + 1] & 0xff) << 8) | (q[i + 2] & 0xff);
    List<InetAddress> all = records.get(name.toString().toLowerCase());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(q[0]);
    out.write(q[1]); // the query's id
    out.write(0x81); // response, recursion desired
    out.write(all == null ? 0x83 : 0x80); // recursion available; NXDOMAIN if unknown
    List<InetAddress> matching = all == null ? List.of()
        : all.stream().filter(a -> a.getAddress().length == (type == 28 ? 16 : 4)).toList();
    write16(out, 1);
    write16(out, matching.size());
    write16(out, 0);
    write16(out, 0);
    out.write(q, 12, questionEnd - 12);
    for (InetAddress a : matching) {
      write16(out, 0xc00c); // the name, by pointer to the question
      write16(out, type);
      write16(out, 1); // IN
      write16(out, 0);
      write16(out, 1); // TTL 1 s
      write16(out, a.getAddress().length);
      out.write(a.getAddress(), 0, a.getAddress().length);
    }
    return out.toByteArray();
  }

  private static void write16(ByteArrayOutputStream out, int v) {
    out.write((v >> 8) & 0xff);
    out.write(v & 0xff);
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
