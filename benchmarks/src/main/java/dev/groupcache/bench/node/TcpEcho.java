package dev.groupcache.bench.node;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The plain-TCP echo of the round-trip floor: blocking sockets, a connection and a thread per
 * caller on each side, {@code TCP_NODELAY}, one {@code write} per message. A round trip is then two
 * passes through the loopback and two wake-ups of a thread blocked in the kernel, what any cache's
 * request and answer cost at least. A connection opens with two ints, the request's and the
 * answer's size, then carries requests and answers of those sizes.
 */
final class TcpEcho {
  private TcpEcho() {}

  /** Starts serving on a port of its own on the loopback; returns the port. */
  static int serve() throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    Thread acceptor = new Thread(() -> accept(server), "tcp-echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return server.getLocalPort();
  }

  private static void accept(ServerSocket server) {
    while (true) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      Thread t = new Thread(() -> echo(s), "tcp-echo-" + s.getPort());
      t.setDaemon(true);
      t.start();
    }
  }

  /** Answers each request of the connection's size with an answer of its size, until it closes. */
  private static void echo(Socket s) {
    try (s) {
      s.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      byte[] request = new byte[RoundTripPeer.checkedSize(in.readInt())];
      byte[] answer = new byte[RoundTripPeer.checkedSize(in.readInt())];
      while (true) {
        in.readFully(request);
        out.write(answer);
      }
    } catch (IOException | IllegalArgumentException e) {
      // the caller closed its end, or asked for sizes out of bounds: done with it
    }
  }

  /** A connection per thread to the echo on {@code port}. */
  static RoundTripPeer.Callers connect(int port, int threads, int requestBytes, int answerBytes)
      throws IOException {
    Socket[] sockets = new Socket[threads];
    RoundTripPeer.Caller[] callers = new RoundTripPeer.Caller[threads];
    RoundTripPeer.Callers all = new RoundTripPeer.Callers(callers, () -> {
      for (Socket s : sockets) {
        try {
          if (s != null) {
            s.close();
          }
        } catch (IOException e) {
          // closing: nothing to keep
        }
      }
    });
    try {
      for (int i = 0; i < threads; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        sockets[i] = s;
        s.setTcpNoDelay(true);
        DataOutputStream hello = new DataOutputStream(s.getOutputStream());
        hello.writeInt(requestBytes);
        hello.writeInt(answerBytes);
        hello.flush();
        callers[i] = caller(s.getOutputStream(), s.getInputStream(), requestBytes, answerBytes);
      }
      return all;
    } catch (IOException | RuntimeException e) {
      all.close();
      throw e;
    }
  }

  private static RoundTripPeer.Caller caller(OutputStream out, InputStream in, int requestBytes, int answerBytes) {
    byte[] request = new byte[requestBytes];
    byte[] answer = new byte[answerBytes];
    return () -> {
      out.write(request);
      for (int read = 0; read < answerBytes; ) {
        int r = in.read(answer, read, answerBytes - read);
        if (r < 0) {
          throw new UncheckedIOException(new IOException("the echo closed its end"));
        }
        read += r;
      }
    };
  }
}
