package dev.groupcache.grpc.resolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards TCP connections to a server, so that a test can make that server vanish the way a
 * killed process or node does: connections reset, with no HTTP/2 frame sent. (A gRPC server's own
 * {@code shutdownNow()} resets each open stream with CANCEL first, which a client reports as
 * CANCELLED, a code no retry policy should retry.)
 */
final class TcpProxy {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean killed;

  TcpProxy(InetSocketAddress listen, InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(listen);
    Thread acceptor = new Thread(this::accept, "proxy-" + listen);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void accept() {
    while (!killed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        sockets.add(client);
        sockets.add(server);
        server.connect(target, 5_000);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        return; // the listener is closed: killed
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side went away: close both below
      } finally {
        close(from);
        close(to);
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /** Refuses new connections and resets the open ones (RST, as a dead host's kernel would). */
  void kill() {
    killed = true;
    close(listener);
    for (Socket s : sockets) {
      try {
        s.setSoLinger(true, 0);
      } catch (IOException e) {
        // already closed
      }
      close(s);
    }
  }

  private void close(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
    if (c instanceof Socket s) {
      sockets.remove(s);
    }
  }
}
