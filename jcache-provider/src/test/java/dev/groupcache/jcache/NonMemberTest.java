package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.jcache.cluster.CacheIds;
import dev.groupcache.jcache.cluster.CacheService;
import dev.groupcache.jcache.proto.Clear;
import dev.groupcache.jcache.proto.Entries;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.EventType;
import dev.groupcache.jcache.proto.Listening;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Renew;
import dev.groupcache.jcache.proto.Write;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.PeerGrpc;
import dev.groupcache.proto.Ping;
import dev.groupcache.proto.Request;
import dev.groupcache.proto.RequestBatch;
import dev.groupcache.proto.Response;
import dev.groupcache.proto.ResponseBatch;
import dev.groupcache.testing.PeerChannels;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attacks of issue 20, each from a plain gRPC client that is not a member, against two members
 * in their default configuration with TLS off: every one is refused with PERMISSION_DENIED and
 * changes nothing. The outsider calls from {@link PeerChannels#OUTSIDER_HOST}, a loopback address
 * no member has, and either names nobody or claims to be a member (the protocol's header is its to
 * write): neither passes, as a member's requests must come from that member's host.
 */
class NonMemberTest {
  private static final int ENTRIES = 10;
  private static CacheCluster cluster;
  private static String cache;
  private static final List<ManagedChannel> channels = new ArrayList<>();
  /** Outsiders, to member 0: one naming nobody, one claiming to be member 1. */
  private static final List<PeerGrpc.PeerBlockingStub> outsiders = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = new CacheCluster(2, List.of());
    assertEquals("ok", cluster.call(0, "fill k " + ENTRIES + " 100"));
    cache = CacheIds.of(URI.create(cluster.call(0, "manager-uri")), "c");
    String[] target = cluster.address(0).split(":");
    for (String claimed : new String[] {null, cluster.address(1)}) {
      ManagedChannel channel = PeerChannels.asOutsider(target[0], Integer.parseInt(target[1]), claimed);
      channels.add(channel);
      outsiders.add(PeerGrpc.newBlockingStub(channel));
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A key member 0 owns, and its value as {@code fill} wrote it. */
  private static String ownedKey() {
    for (int i = 0; i < ENTRIES; i++) {
      if (cluster.owner("k" + i) == 0) {
        return "k" + i;
      }
    }
    throw new AssertionError("member 0 owns none of " + ENTRIES + " keys");
  }

  private static CallRequest toOwner(String key, OwnerRequest request) {
    return CallRequest.newBuilder().setService(CacheService.NAME).setKey(cluster.encode(key)).setToOwner(true)
        .setPayload(request.toByteString()).build();
  }

  private static CallRequest toNode(NodeRequest request) {
    return CallRequest.newBuilder().setService(CacheService.NAME).setPayload(request.toByteString()).build();
  }

  /** Every outsider's call is refused with PERMISSION_DENIED, and the cache is as {@code fill} left it. */
  private static void refused(CallRequest attack, String what) {
    for (PeerGrpc.PeerBlockingStub outsider : outsiders) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> outsider.withDeadlineAfter(30, TimeUnit.SECONDS).call(attack), what + " succeeded");
      assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), what + ": " + e.getStatus());
    }
    assertEquals(ENTRIES + " " + ENTRIES, cluster.call(0, "iterate"), what + " changed the cache");
    assertEquals(ENTRIES + " " + ENTRIES, cluster.call(1, "iterate"), what + " changed the cache");
  }

  @Test
  void readOneEntry() {
    refused(toOwner(ownedKey(), OwnerRequest.newBuilder().setCache(cache).setRead(Read.getDefaultInstance()).build()),
        "an owner read");
  }

  @Test
  void dumpEveryEntry() {
    refused(toNode(NodeRequest.newBuilder().setCache(cache).setEntries(Entries.newBuilder().setLimit(10_000)).build()),
        "a page of entries");
  }

  @Test
  void overwriteAValue() {
    String key = ownedKey();
    refused(toOwner(key, OwnerRequest.newBuilder().setCache(cache)
        .setWrite(Write.newBuilder().setValue(cluster.encode(key + ":forged"))).build()), "a write");
    assertEquals("value " + key + ":" + "x".repeat(100 - key.length() - 1), cluster.call(1, "get " + key));
  }

  @Test
  void removeAKey() {
    refused(toOwner(ownedKey(), OwnerRequest.newBuilder().setCache(cache)
        .setWrite(Write.newBuilder().setRemove(true)).build()), "a remove");
  }

  @Test
  void spoofAListenerEvent() {
    String before = cluster.call(0, "events");
    refused(toNode(NodeRequest.newBuilder().setCache(cache).setEvent(Event.newBuilder().setType(EventType.CREATED)
        .setKey(cluster.encode("spoofed")).setHasValue(true).setValue(cluster.encode("v"))).build()), "an event");
    assertEquals(before, cluster.call(0, "events"), "a listener heard it");
  }

  @Test
  void plantAnEntryOnANodeThatDoesNotOwnTheKey() {
    String key = cluster.keyOwnedBy(1, "planted-");
    refused(CallRequest.newBuilder().setService(CacheService.NAME).setKey(cluster.encode(key))
        .setPayload(OwnerRequest.newBuilder().setCache(cache)
            .setWrite(Write.newBuilder().setValue(cluster.encode("planted"))).build().toByteString()).build(),
        "a write to a node that does not own the key");
    assertEquals("contains false", cluster.call(0, "contains " + key));
  }

  @Test
  void takeAReadThroughLease() {
    String key = cluster.keyOwnedBy(0, "leased-");
    refused(toOwner(key, OwnerRequest.newBuilder().setCache(cache).setRead(Read.newBuilder().setLease(true)).build()),
        "a read-through lease");
    assertEquals("value loaded:" + key, cluster.call(1, "get " + key), "the application's get was held up");
    assertEquals(ENTRIES + 1 + " " + ENTRIES, cluster.call(0, "iterate"));
    assertEquals("removed true", cluster.call(0, "remove " + key));
  }

  @Test
  void poisonAKeyWithBytesNoCodecDecodes() {
    String key = ownedKey();
    ByteString poison = ByteString.copyFrom(new byte[] {0x7f, 1, 2, 3});
    refused(toOwner(key, OwnerRequest.newBuilder().setCache(cache)
        .setWrite(Write.newBuilder().setValue(poison)).build()), "an undecodable write");
    refused(toOwner(key, OwnerRequest.newBuilder().setCache(cache)
        .setLoaded(Loaded.newBuilder().setHasValue(true).setValue(poison)).build()), "an undecodable load");
  }

  @Test
  void clearACache() {
    refused(toNode(NodeRequest.newBuilder().setCache(cache).setClear(Clear.getDefaultInstance()).build()), "a clear");
  }

  @Test
  void announceAListenerOrRenewACopyLease() {
    refused(toNode(NodeRequest.newBuilder().setCache(cache).setListening(Listening.newBuilder()
        .setMember(cluster.address(1)).setListening(true).setSynchronous(true)).build()), "a listener announcement");
    refused(toNode(NodeRequest.newBuilder().setRenew(Renew.newBuilder().setHolder(cluster.address(1))).build()),
        "a copy lease renewal");
  }

  /** The stream members use, as an outsider opens it: every request refused, a ping answered. */
  @Test
  void theExchangeRefusesEveryRequestButAPing() throws Exception {
    CallRequest read = toOwner(ownedKey(), OwnerRequest.newBuilder().setCache(cache)
        .setRead(Read.getDefaultInstance()).build());
    RequestBatch batch = RequestBatch.newBuilder()
        .addRequests(Request.newBuilder().setId(1).setCall(read))
        .addRequests(Request.newBuilder().setId(2).setGet(GetRequest.newBuilder().setGroup("c")
            .setKey(cluster.encode("k0"))))
        .addRequests(Request.newBuilder().setId(3).setPing(Ping.getDefaultInstance()))
        .build();
    for (ManagedChannel channel : channels) {
      List<Response> answers = exchange(channel, batch);
      assertEquals(3, answers.size(), "one answer per request: " + answers);
      for (Response r : answers) {
        if (r.getId() == 3) {
          assertTrue(r.hasPong(), "a ping is answered: " + r);
        } else {
          assertEquals(Status.Code.PERMISSION_DENIED.value(), r.getFailure().getCode(), "request " + r);
        }
      }
    }
  }

  /** Sends one batch and half-closes; the answers until the stream ends. */
  static List<Response> exchange(ManagedChannel channel, RequestBatch batch) throws Exception {
    List<Response> answers = new ArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<RequestBatch> requests = PeerGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .exchange(new StreamObserver<ResponseBatch>() {
          @Override
          public void onNext(ResponseBatch value) {
            synchronized (answers) {
              answers.addAll(value.getResponsesList());
            }
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    requests.onNext(batch);
    requests.onCompleted();
    done.get(60, TimeUnit.SECONDS);
    synchronized (answers) {
      return List.copyOf(answers);
    }
  }
}
