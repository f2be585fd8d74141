package dev.groupcache.jcache.security;

import dev.groupcache.PeerAddress;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Clients of a member's peer port that are not members: a gRPC channel with a chosen client
 * certificate (or none), and a bare TLS handshake that reports the certificate a member serves.
 * Both trust any server, so that whatever fails is the member's refusal, never theirs.
 */
public final class TestTlsClients {
  private TestTlsClients() {}

  /**
   * A channel to {@code host:port} over TLS, presenting {@code identity} (none if null), and naming
   * that member itself as the sender, from its host: with a member's certificate it passes every
   * check a member's own link passes, so that whatever refuses it is the TLS check.
   */
  public static ManagedChannel channel(String address, TestPki.Issued identity) {
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder().trustManager(trustAnyone());
    if (identity != null) {
      AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
      keys.updateIdentityCredentials(new X509Certificate[] {identity.certificate()}, identity.key());
      credentials.keyManager(keys);
    }
    PeerAddress peer = PeerAddress.parse(address);
    Metadata naming = new Metadata();
    naming.put(Metadata.Key.of("groupcache-member", Metadata.ASCII_STRING_MARSHALLER), peer.toString());
    return NettyChannelBuilder.forAddress(peer.host(), peer.port(), credentials.build())
        .intercept(MetadataUtils.newAttachHeadersInterceptor(naming))
        .build();
  }

  /** The serial number of the certificate {@code host:port} serves now, read in a fresh handshake. */
  public static BigInteger servedSerial(String address, TestPki.Issued identity) {
    PeerAddress peer = PeerAddress.parse(address);
    try {
      AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
      keys.updateIdentityCredentials(new X509Certificate[] {identity.certificate()}, identity.key());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[] {keys}, new TrustManager[] {trustAnyone()}, new SecureRandom());
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
        socket.connect(new InetSocketAddress(peer.host(), peer.port()), 10_000);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509TrustManager trustAnyone() {
    try {
      return AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(AdvancedTlsX509TrustManager.Verification.INSECURELY_SKIP_ALL_VERIFICATION)
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
