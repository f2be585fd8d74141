package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.PeerGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peers authenticate each other with mutual TLS; a node without the cluster's certificate gets nothing. */
class PeerTlsTest {
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir
  static Path dir;

  private static KeyManagerFactory peerKeys;
  private static TrustManagerFactory peerTrust;
  private static KeyManagerFactory strangerKeys;

  private final List<Node> nodes = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    peerKeys = keys(keystore("peer"));
    strangerKeys = keys(keystore("stranger"));
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    KeyStore peer = load(dir.resolve("peer.p12"));
    trusted.setCertificateEntry("peer", peer.getCertificate("peer"));
    peerTrust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    peerTrust.init(trusted);
  }

  @AfterEach
  void close() {
    nodes.forEach(Node::close);
  }

  @Test
  void peersWithTheClusterCertificateServeEachOther() {
    ServerCredentials server = TlsServerCredentials.newBuilder()
        .keyManager(peerKeys.getKeyManagers())
        .trustManager(peerTrust.getTrustManagers())
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
    ChannelCredentials client = TlsChannelCredentials.newBuilder()
        .keyManager(peerKeys.getKeyManagers())
        .trustManager(peerTrust.getTrustManagers())
        .build();
    List<Group> groups = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Node node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0)
          .serverCredentials(server).channelCredentials(client).build();
      nodes.add(node);
      int index = i;
      groups.add(node.newGroup("g", 1 << 20, key -> ByteView.of("node" + index + ":" + key.toStringUtf8())));
    }
    List<String> peers = nodes.stream().map(n -> n.self().toString()).toList();
    nodes.forEach(n -> n.setPeers(peers));
    int remote = 0;
    for (int k = 0; k < 20; k++) {
      ByteView key = ByteView.of("k" + k);
      String owner = nodes.get(0).ownerOf(key).equals(nodes.get(0).self()) ? "node0" : "node1";
      assertEquals(owner + ":k" + k, groups.get(0).get(key).toStringUtf8());
      remote += owner.equals("node1") ? 1 : 0;
    }
    assertTrue(remote > 0);
    assertEquals(remote, groups.get(0).stats().peerLoads(), "every remote key came over TLS");
    assertEquals(0, groups.get(0).stats().peerErrors());

    int port = nodes.get(1).port();
    assertRefused(port, InsecureChannelCredentials.create());
    assertRefused(port, TlsChannelCredentials.newBuilder() // trusts the server, has no certificate
        .trustManager(peerTrust.getTrustManagers()).build());
    assertRefused(port, TlsChannelCredentials.newBuilder() // a certificate the cluster does not trust
        .keyManager(strangerKeys.getKeyManagers()).trustManager(peerTrust.getTrustManagers()).build());
    assertEquals(0, groups.get(1).stats().serverRequests() - remote, "a stranger's request reached the node");
  }

  private static void assertRefused(int port, ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PeerGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setGroup("g").setKey(ByteString.copyFromUtf8("k")).build()));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  /** A self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
  private static Path keystore(String alias) throws Exception {
    Path file = dir.resolve(alias + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=" + alias, "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
        "-storetype", "PKCS12", "-keystore", file.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
    return file;
  }

  private static KeyStore load(Path file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static KeyManagerFactory keys(Path file) throws Exception {
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(load(file), PASSWORD);
    return factory;
  }
}
