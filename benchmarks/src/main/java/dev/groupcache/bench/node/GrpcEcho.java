package dev.groupcache.bench.node;

import dev.groupcache.testing.PeerChannels;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC echo of the round-trip floor: grpc-java over Netty as the engine's peers use it (one
 * event-loop thread per JVM, native epoll where there is one, handlers on that thread, a
 * long-lived bidirectional stream per caller over one connection, a caller waiting on a future)
 * but no cache behind it: each message is answered at once with an empty one of the size its first
 * four bytes ask for. What a system spends beyond this is its own.
 */
final class GrpcEcho {
  private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("floor.Echo", "Echo"))
      .setRequestMarshaller(PeerChannels.RAW_BYTES).setResponseMarshaller(PeerChannels.RAW_BYTES).build();
  private static final long ANSWER_TIMEOUT_SECONDS = 30;

  private GrpcEcho() {}

  /** Starts serving on a port of its own on the loopback; returns the port. */
  static int serve() throws IOException {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = group("grpc-echo-server");
    ServerServiceDefinition service = ServerServiceDefinition.builder("floor.Echo")
        .addMethod(ECHO, ServerCalls.asyncBidiStreamingCall(GrpcEcho::answering)).build();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .bossEventLoopGroup(group).workerEventLoopGroup(group)
        .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .directExecutor().addService(service).build().start();
    return server.getPort();
  }

  private static StreamObserver<byte[]> answering(StreamObserver<byte[]> answers) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] request) {
        answers.onNext(new byte[RoundTripPeer.checkedSize(ByteBuffer.wrap(request).getInt())]);
      }

      @Override
      public void onError(Throwable t) {
        // the caller went away: nothing to answer
      }

      @Override
      public void onCompleted() {
        answers.onCompleted();
      }
    };
  }

  /** A stream per thread, all over one channel to the echo on {@code port}. */
  static RoundTripPeer.Callers connect(int port, int threads, int requestBytes, int answerBytes) {
    if (requestBytes < Integer.BYTES) {
      throw new IllegalArgumentException("a gRPC echo request carries the answer's size: at least 4 bytes");
    }
    EventLoopGroup group = group("grpc-echo-client");
    ManagedChannel channel = NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .usePlaintext().eventLoopGroup(group)
        .channelType(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
        .directExecutor().build();
    StreamCaller[] callers = new StreamCaller[threads];
    for (int i = 0; i < threads; i++) {
      callers[i] = new StreamCaller(channel, requestBytes, answerBytes);
    }
    return new RoundTripPeer.Callers(callers, () -> {
      for (StreamCaller c : callers) {
        c.requests.onCompleted();
      }
      channel.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    });
  }

  private static EventLoopGroup group(String name) {
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true),
        Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /** One thread's stream: sends a request, waits for its answer. */
  private static final class StreamCaller implements RoundTripPeer.Caller, StreamObserver<byte[]> {
    private final byte[] request;
    private final int answerBytes;
    private final StreamObserver<byte[]> requests;
    private volatile CompletableFuture<byte[]> pending;

    StreamCaller(ManagedChannel channel, int requestBytes, int answerBytes) {
      this.request = ByteBuffer.allocate(requestBytes).putInt(answerBytes).array();
      this.answerBytes = answerBytes;
      this.requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(ECHO, CallOptions.DEFAULT), this);
    }

    @Override
    public void roundTrip() throws Exception {
      CompletableFuture<byte[]> answer = new CompletableFuture<>();
      pending = answer;
      requests.onNext(request);
      if (answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS).length != answerBytes) {
        throw new IllegalStateException("an answer of the wrong size");
      }
    }

    @Override
    public void onNext(byte[] answer) {
      pending.complete(answer);
    }

    @Override
    public void onError(Throwable t) {
      CompletableFuture<byte[]> p = pending;
      if (p != null) {
        p.completeExceptionally(t);
      }
    }

    @Override
    public void onCompleted() {
      onError(new IllegalStateException("the echo ended the stream"));
    }
  }
}
