package dev.groupcache.grpc.resolver;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Three real gRPC servers on 127.0.0.1, 127.0.0.2 and 127.0.0.3, all on one port (a numeric
 * target gives every endpoint the same port), each answering {@code test.Backend/Who} with its own
 * address and counting the calls it gets. Each also serves {@code grpc.health.v1}.
 */
final class Backends implements AutoCloseable {
  static final String SERVICE = "test.Backend";
  static final String[] IPS = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};

  static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Who"))
      .setRequestMarshaller(UTF8)
      .setResponseMarshaller(UTF8)
      .build();

  /** One server. */
  static final class Backend {
    final String ip;
    final AtomicLong calls = new AtomicLong();
    final AtomicLong lastCallNanos = new AtomicLong();
    final AtomicReference<String> lastAuthority = new AtomicReference<>();
    final HealthStatusManager health = new HealthStatusManager();
    Server server;
    TcpProxy proxy;

    Backend(String ip) {
      this.ip = ip;
    }

    /** Listens on {@code ip:port}, directly or, if {@code proxied}, through a {@link TcpProxy}. */
    void start(int port, boolean proxied) throws IOException {
      ServerServiceDefinition who = ServerServiceDefinition.builder(SERVICE)
          .addMethod(WHO, ServerCalls.asyncUnaryCall((request, response) -> {
            lastCallNanos.set(System.nanoTime());
            calls.incrementAndGet();
            response.onNext(ip);
            response.onCompleted();
          }))
          .build();
      server = NettyServerBuilder.forAddress(new InetSocketAddress(ip, proxied ? 0 : port))
          .addService(ServerInterceptors.intercept(who, new io.grpc.ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call,
                io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
              lastAuthority.set(call.getAuthority());
              return next.startCall(call, headers);
            }
          }))
          .addService(health.getHealthService())
          .build()
          .start();
      if (proxied) {
        try {
          proxy = new TcpProxy(new InetSocketAddress(ip, port), new InetSocketAddress(ip, server.getPort()));
        } catch (IOException e) {
          server.shutdownNow();
          throw e;
        }
      }
    }

    void setServing(boolean serving) {
      health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES,
          serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }

    /** Gone at once, as when its process dies: open connections are reset (needs a proxied backend). */
    void kill() {
      proxy.kill();
    }
  }

  final List<Backend> all = new ArrayList<>();
  final int port;

  Backends() throws IOException {
    this(false);
  }

  /** @param proxied whether each backend listens through a {@link TcpProxy}, so it can be killed */
  Backends(boolean proxied) throws IOException {
    port = startOnOnePort(proxied);
  }

  private int startOnOnePort(boolean proxied) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      int candidate;
      try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName(IPS[0]))) {
        candidate = probe.getLocalPort();
      }
      List<Backend> started = new ArrayList<>();
      try {
        for (String ip : IPS) {
          Backend b = new Backend(ip);
          b.start(candidate, proxied);
          started.add(b);
        }
        all.addAll(started);
        return candidate;
      } catch (IOException e) { // the port is taken on another loopback address: another one
        last = e;
        for (Backend b : started) {
          b.server.shutdownNow();
          if (b.proxy != null) {
            b.proxy.kill();
          }
        }
      }
    }
    throw last;
  }

  Backend get(int i) {
    return all.get(i);
  }

  /** The backend that answered {@code ip}. */
  Backend byIp(String ip) {
    for (Backend b : all) {
      if (b.ip.equals(ip)) {
        return b;
      }
    }
    throw new AssertionError("no backend " + ip);
  }

  long[] calls() {
    long[] c = new long[all.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = all.get(i).calls.get();
    }
    return c;
  }

  static ManagedChannel channel(String target, KubernetesNameResolverProvider provider) {
    NameResolverRegistry registry = new NameResolverRegistry();
    registry.register(provider);
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create(), registry).build();
  }

  /** One call, answered with the backend's address. */
  static String who(Channel channel, CallOptions options) {
    return ClientCalls.blockingUnaryCall(channel, WHO, options.withDeadlineAfter(10, TimeUnit.SECONDS), "who");
  }

  static String who(Channel channel) {
    return who(channel, CallOptions.DEFAULT);
  }

  @Override
  public void close() {
    for (Backend b : all) {
      b.server.shutdownNow();
      if (b.proxy != null) {
        b.proxy.kill();
      }
    }
    try {
      for (Backend b : all) {
        b.server.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
