package dev.groupcache.testing;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;

/**
 * Plain gRPC channels to a node's peer port, as tests speak the protocol by hand: as a member
 * (naming a member's address in the {@code groupcache-member} header, from its host), or as an
 * outsider on another loopback address, {@value #OUTSIDER_HOST}, which no member has.
 */
public final class PeerChannels {
  /** The address outsiders' connections come from: loopback, but no member's host. */
  public static final String OUTSIDER_HOST = "127.0.0.2";

  /** Messages as the bytes on the wire, for requests no generated stub would send. */
  public static final io.grpc.MethodDescriptor.Marshaller<byte[]> RAW_BYTES =
      new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
          return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      };

  private PeerChannels() {}

  /** A channel to {@code host:port} that speaks as {@code member}, from this host. */
  public static ManagedChannel asMember(String host, int port, String member) {
    return NettyChannelBuilder.forAddress(host, port).usePlaintext()
        .maxInboundMessageSize(64 << 20)
        .intercept(MetadataUtils.newAttachHeadersInterceptor(naming(member)))
        .build();
  }

  /**
   * A channel to {@code host:port} from {@value #OUTSIDER_HOST}, naming {@code claimed} as itself
   * (null: naming nobody), as a non-member that knows the protocol would.
   */
  public static ManagedChannel asOutsider(String host, int port, String claimed) {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port).usePlaintext()
        .maxInboundMessageSize(64 << 20)
        .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
          @Override
          public java.net.SocketAddress createSocketAddress(java.net.SocketAddress remote, io.grpc.Attributes attrs) {
            return new InetSocketAddress(OUTSIDER_HOST, 0);
          }
        });
    if (claimed != null) {
      b.intercept(MetadataUtils.newAttachHeadersInterceptor(naming(claimed)));
    }
    return b.build();
  }

  private static Metadata naming(String member) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("groupcache-member", Metadata.ASCII_STRING_MARSHALLER), member);
    return headers;
  }
}
