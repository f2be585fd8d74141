package dev.groupcache;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The I/O threads one node's peer connections share, in and out: its server's and its links'.
 *
 * <p>A node's own threads rather than gRPC's default group (twice as many threads as processors,
 * shared with every other gRPC use in the process) because a peer request often leads to another
 * on a different connection: an owner's write sends its backup and answers when the backup has
 * it, a get's answer completes a caller's future. With one thread for all of them, as by default,
 * that never changes threads: the second message is written by the thread that read the first, and
 * the answer by the one that read the backup's. Every change of thread costs a wake-up, which on
 * small machines costs more than the work (W6's puts: about a fifth more throughput with one thread
 * than with gRPC's four on two processors). More threads pay where one would be busy all the time.
 * Native epoll where Netty has it, else NIO.
 */
final class PeerTransport implements AutoCloseable {
  private final EventLoopGroup group;
  private final boolean epoll;

  PeerTransport(int threads, String name) {
    this.epoll = Epoll.isAvailable();
    IoHandlerFactory handler = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), handler);
  }

  NettyChannelBuilder configure(NettyChannelBuilder channel) {
    return channel.eventLoopGroup(group).channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
  }

  NettyServerBuilder configure(NettyServerBuilder server) {
    Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    return server.bossEventLoopGroup(group).workerEventLoopGroup(group).channelType(type);
  }

  /** Stops the threads once the server and channels using them have ended. */
  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
