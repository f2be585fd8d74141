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
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.PeerGrpc;
import dev.groupcache.testing.PeerChannels;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests to the JCache service are taken only as the operation they declare: a request about a
 * key is an owner operation, one without a key a node operation, and anything else is refused with
 * INVALID_ARGUMENT and changes nothing. Sent from a plain gRPC client to a member in its own JVM,
 * speaking as that member (from its host, naming it), as a faulty or compromised member would:
 * the checks of form hold for members too, and an entry a member wrote that no codec decodes
 * breaks neither iteration nor {@code removeAll()}. Outsiders are refused everything
 * ({@link NonMemberTest}).
 */
class RequestValidationTest {
  private static CacheCluster cluster;
  private static ManagedChannel channel;
  private static PeerGrpc.PeerBlockingStub peer;
  private static String cache;

  @BeforeAll
  static void start() {
    cluster = new CacheCluster(1, List.of());
    assertEquals("ok", cluster.call(0, "fill k 10 100"));
    cache = CacheIds.of(URI.create(cluster.call(0, "manager-uri")), "c");
    String[] hostPort = cluster.address(0).split(":");
    channel = PeerChannels.asMember(hostPort[0], Integer.parseInt(hostPort[1]), cluster.address(0));
    peer = PeerGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static CallRequest call(String key, boolean toOwner, ByteString payload) {
    return CallRequest.newBuilder().setService(CacheService.NAME).setKey(ByteString.copyFromUtf8(key))
        .setToOwner(toOwner).setPayload(payload).build();
  }

  private static void refused(CallRequest request, String what) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> peer.withDeadlineAfter(30, TimeUnit.SECONDS).call(request), what);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), what + ": " + e.getStatus());
    assertEquals("10 10", cluster.call(0, "iterate"), what + " changed the cache");
  }

  @Test
  void anOwnerReadWithoutAKeyIsRefusedAndClearsNothing() {
    ByteString read = OwnerRequest.newBuilder().setCache(cache).setRead(Read.getDefaultInstance()).build().toByteString();
    refused(call("", false, read), "an owner read without a key");
  }

  @Test
  void anOwnerWriteWithoutAKeyIsRefused() {
    ByteString write = OwnerRequest.newBuilder().setCache(cache)
        .setWrite(Write.newBuilder().setValue(ByteString.copyFromUtf8("x"))).build().toByteString();
    refused(call("", false, write), "an owner write without a key");
  }

  @Test
  void aNodeClearSentAboutAKeyIsRefused() {
    ByteString clear = NodeRequest.newBuilder().setCache(cache).setClear(Clear.getDefaultInstance()).build().toByteString();
    refused(call("k1", true, clear), "a clear sent to an owner");
  }

  @Test
  void aRequestWithNoOperationIsRefused() {
    refused(call("", false, NodeRequest.newBuilder().setCache(cache).build().toByteString()), "a node request with no operation");
    refused(call("k1", true, OwnerRequest.newBuilder().setCache(cache).build().toByteString()), "an owner request with no operation");
  }

  @Test
  void bytesThatAreNoMessageAreRefused() {
    refused(call("", false, ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, 0x01})), "garbage to a node");
    refused(call("", true, ByteString.EMPTY), "a call to an owner with no key");
  }

  @Test
  void aWellFormedNodeRequestIsAnswered() throws Exception {
    ByteString entries = NodeRequest.newBuilder().setCache(cache).setEntries(Entries.newBuilder().setLimit(100))
        .build().toByteString();
    NodeResponse r = NodeResponse.parseFrom(peer.withDeadlineAfter(30, TimeUnit.SECONDS)
        .call(call("", false, entries)).getPayload());
    assertEquals(10, r.getPage().getEntriesCount());
    assertTrue(r.getPage().getEntries(0).getValue().size() >= 100);
  }

  @Test
  void anEntryNoCodecDecodesIsSkippedByIterationAndRemovedByRemoveAll() throws Exception {
    ByteString poison = ByteString.copyFrom(new byte[] {0x7f, 1, 2, 3});
    CallRequest write = CallRequest.newBuilder().setService(CacheService.NAME).setKey(poison).setToOwner(true)
        .setPayload(OwnerRequest.newBuilder().setCache(cache).setWrite(Write.newBuilder().setValue(poison))
            .build().toByteString()).build();
    peer.withDeadlineAfter(30, TimeUnit.SECONDS).call(write);
    CallRequest badValue = CallRequest.newBuilder().setService(CacheService.NAME).setKey(cluster.encode("k3"))
        .setToOwner(true).setPayload(OwnerRequest.newBuilder().setCache(cache)
            .setWrite(Write.newBuilder().setValue(poison)).build().toByteString()).build();
    peer.withDeadlineAfter(30, TimeUnit.SECONDS).call(badValue);
    try {
      assertEquals("9 9", cluster.call(0, "iterate"), "the two undecodable entries are skipped, the rest served");
      assertEquals("ok", cluster.call(0, "remove-all"));
      assertEquals("0 0", cluster.call(0, "iterate"), "removeAll() removed them too");
    } finally {
      assertEquals("ok", cluster.call(0, "clear"));
      assertEquals("ok", cluster.call(0, "fill k 10 100"));
    }
    assertEquals("10 10", cluster.call(0, "iterate"));
  }
}
