package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.jcache.cluster.CacheIds;
import dev.groupcache.jcache.cluster.CacheService;
import dev.groupcache.jcache.proto.Clear;
import dev.groupcache.jcache.proto.Entries;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import dev.groupcache.jcache.security.TestPki;
import dev.groupcache.jcache.security.TestTlsClients;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.CallResponse;
import dev.groupcache.proto.PeerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two members with mutual TLS and a peer-identity pattern, in JVMs of their own, the second serving
 * the peer protocol from its own gRPC server ({@code groupcache.serve=false}, with the manager's
 * {@code peerServerCredentials()}), as an application may: they share caches,
 * and a client that is not a member (no certificate, another CA's, a certificate of the right CA
 * for another identity, an expired one) gets no answer at all to any peer operation, and changes
 * nothing. A client presenting a member's certificate, built the same way, is answered: the
 * refusals are the member's checks, not the test client's.
 */
class TlsClusterTest {
  @TempDir
  static Path dir;
  private static TestPki ca;
  private static TestPki.Issued member;
  private static CacheCluster cluster;
  private static String cache;
  private static String sentinel;
  private static String target;

  /** Clients that are not members. */
  enum Stranger {
    NO_CERTIFICATE, ANOTHER_CA, ANOTHER_IDENTITY, EXPIRED;

    private TestPki.Issued identity;
  }

  /** The peer operations tried: an owner's read and write, a node's clear and page of entries. */
  enum Op {
    READ, WRITE, CLEAR, ENTRIES;

    CallRequest request() {
      return switch (this) {
        case READ -> toOwner(target, OwnerRequest.newBuilder().setCache(cache).setRead(Read.getDefaultInstance()));
        case WRITE -> toOwner(target, OwnerRequest.newBuilder().setCache(cache)
            .setWrite(Write.newBuilder().setValue(cluster.encode("intruded"))));
        case CLEAR -> toNode(NodeRequest.newBuilder().setCache(cache).setClear(Clear.getDefaultInstance()));
        case ENTRIES -> toNode(NodeRequest.newBuilder().setCache(cache).setEntries(Entries.newBuilder().setLimit(100)));
      };
    }

    private static CallRequest toOwner(String key, OwnerRequest.Builder request) {
      return CallRequest.newBuilder().setService(CacheService.NAME).setKey(cluster.encode(key)).setToOwner(true)
          .setPayload(request.build().toByteString()).build();
    }

    private static CallRequest toNode(NodeRequest.Builder request) {
      return CallRequest.newBuilder().setService(CacheService.NAME).setKey(ByteString.EMPTY).setToOwner(false)
          .setPayload(request.build().toByteString()).build();
    }
  }

  @BeforeAll
  static void start() {
    ca = TestPki.create("shop-ca");
    TestPki otherCa = TestPki.create("other-ca");
    member = ca.issue("orders", List.of(TestPki.MEMBER_ID, "orders.shop.svc"));
    Stranger.ANOTHER_CA.identity = otherCa.issue("orders", List.of(TestPki.MEMBER_ID, "orders.shop.svc"));
    Stranger.ANOTHER_IDENTITY.identity = ca.issue("intruder", List.of("spiffe://cluster.local/ns/shop/sa/intruder"));
    Stranger.EXPIRED.identity = ca.issueExpired("orders", List.of(TestPki.MEMBER_ID));
    Path secret = dir.resolve("secret");
    member.writeSecret(secret);
    List<String> options = new ArrayList<>(TestPki.Issued.options(secret));
    options.add("-Dgroupcache.tls.peer-identity=" + TestPki.MEMBER_PATTERN);
    options.add("-Dgroupcache.caches.c.near-ttl=0"); // every get of another owner's key crosses the link
    cluster = new CacheCluster(2, i -> i == 0 ? options : Stream.concat(options.stream(),
        Stream.of("-Dgroupcache.serve=false", "-D" + CacheNodeMain.OWN_PEER_SERVER + "=true")).toList(), true);
    cache = CacheIds.of(URI.create(cluster.call(0, "manager-uri")), "c");
    sentinel = cluster.keyOwnedBy(0, "sentinel-");
    target = cluster.keyOwnedBy(0, "target-");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void putSentinel() {
    assertEquals("ok", cluster.call(1, "put " + sentinel + " here"));
  }

  @Test
  void membersShareCachesOverMutualTls() {
    for (int owner = 0; owner < 2; owner++) {
      int other = 1 - owner;
      for (int i = 0; i < 5; i++) {
        String key = cluster.keyOwnedBy(owner, "talk-" + owner + "-" + i + "-");
        assertEquals("ok", cluster.call(other, "put " + key + " v" + i));
        assertEquals("value v" + i, cluster.call(other, "get " + key), key + " read from member " + other);
        assertEquals("value v" + i, cluster.call(owner, "get " + key), key + " read at its owner");
      }
    }
  }

  @Test
  void membersWithTlsDoNotWarnOfPlaintext() throws Exception {
    for (int i = 0; i < 2; i++) {
      String log = java.nio.file.Files.readString(cluster.stderr(i));
      assertTrue(log.contains("groupcache TLS presents certificate") && !log.contains("PLAINTEXT"), log);
    }
  }

  static Stream<Arguments> strangersAndOperations() {
    return Stream.of(Stranger.values()).flatMap(s -> Stream.of(Op.values()).map(op -> Arguments.of(s, op)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("strangersAndOperations")
  void aClientThatIsNoMemberGetsNoAnswerAndChangesNothing(Stranger stranger, Op op) throws Exception {
    refusedBy(0, stranger, op);
  }

  @ParameterizedTest
  @EnumSource(Stranger.class)
  void theApplicationsOwnPeerServerRefusesThemToo(Stranger stranger) throws Exception {
    String entries = cluster.call(1, "iterate");
    ManagedChannel channel = TestTlsClients.channel(cluster.address(1), stranger.identity);
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> PeerGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).call(Op.CLEAR.request()),
          stranger + " was answered");
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), stranger + ": " + e.getStatus());
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    assertEquals(entries, cluster.call(1, "iterate"));
    ManagedChannel memberChannel = TestTlsClients.channel(cluster.address(1), member);
    try { // the same client with a member's certificate is answered: the server speaks TLS and refused the stranger
      CallResponse r = PeerGrpc.newBlockingStub(memberChannel).withDeadlineAfter(20, TimeUnit.SECONDS)
          .call(Op.ENTRIES.request());
      assertTrue(NodeResponse.parseFrom(r.getPayload()).hasPage());
    } finally {
      memberChannel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static void refusedBy(int node, Stranger stranger, Op op) throws Exception {
    ManagedChannel channel = TestTlsClients.channel(cluster.address(node), stranger.identity);
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> PeerGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).call(op.request()),
          stranger + " was answered " + op);
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), stranger + " " + op + ": " + e.getStatus());
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    assertEquals("contains true", cluster.call(0, "contains " + sentinel), stranger + "'s " + op + " cleared the cache");
    assertEquals("value loaded:" + target, cluster.call(0, "get " + target), stranger + "'s " + op + " wrote");
    assertEquals("removed true", cluster.call(0, "remove " + target));
  }

  @ParameterizedTest
  @EnumSource(Op.class)
  void aClientWithAMemberCertificateIsAnswered(Op op) throws Exception {
    ManagedChannel channel = TestTlsClients.channel(cluster.address(0), member);
    try {
      CallResponse r = PeerGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).call(op.request());
      switch (op) {
        case WRITE -> assertEquals("value intruded", cluster.call(1, "get " + target));
        case CLEAR -> assertEquals("contains false", cluster.call(1, "contains " + sentinel));
        case ENTRIES -> assertTrue(NodeResponse.parseFrom(r.getPayload()).getPage().getEntriesCount() >= 1);
        case READ -> assertTrue(OwnerResponse.parseFrom(r.getPayload()).isInitialized());
        default -> throw new AssertionError(op);
      }
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      cluster.call(0, "remove " + target);
    }
  }
}
