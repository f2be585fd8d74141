package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
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
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who a node takes peer requests from: a member of its ring, calling from that member's host
 * ({@link Caller}); anyone else is refused PERMISSION_DENIED to everything but a ping, and never
 * reaches a group's loader or a service.
 */
class MemberCheckTest {
  private final List<Node> nodes = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<PeerAddress> senders = new CopyOnWriteArrayList<>();

  private Node node(boolean membersOnly) {
    return node(membersOnly, Duration.ZERO);
  }

  private Node node(boolean membersOnly, Duration departedGrace) {
    Node node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0).membersOnly(membersOnly)
        .departedGrace(departedGrace).build();
    node.newGroup("g", 1 << 20, key -> ByteView.of("v:" + key.toStringUtf8()));
    node.registerService("s", new PeerHandler() {
      @Override
      public CompletableFuture<ByteView> handle(ByteView key, ByteView request) {
        throw new AssertionError("the sender-aware method is called");
      }

      @Override
      public CompletableFuture<ByteView> handle(PeerAddress sender, ByteView key, ByteView request) {
        senders.add(sender == null ? PeerAddress.of("nobody", 1) : sender);
        return CompletableFuture.completedFuture(ByteView.of("done"));
      }
    });
    // a second member, on this host, that never runs: its address is on the ring
    node.setPeers(List.of(node.self().toString(), "127.0.0.1:1"));
    nodes.add(node);
    return node;
  }

  private PeerGrpc.PeerBlockingStub stub(ManagedChannel channel) {
    channels.add(channel);
    return PeerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    nodes.forEach(Node::close);
  }

  private static final CallRequest CALL = CallRequest.newBuilder().setService("s")
      .setPayload(ByteString.copyFromUtf8("x")).build();
  private static final GetRequest GET = GetRequest.newBuilder().setGroup("g").setKey(ByteString.copyFromUtf8("k")).build();

  private static void denied(Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.toString());
  }

  @Test
  void aMemberFromItsHostIsAnsweredAndNamedToTheService() {
    Node node = node(true);
    PeerGrpc.PeerBlockingStub member = stub(PeerChannels.asMember("127.0.0.1", node.port(), "127.0.0.1:1"));

    assertEquals("v:k", member.get(GET).getValue().toStringUtf8());
    assertEquals("done", member.call(CALL).getPayload().toStringUtf8());
    assertEquals(List.of(PeerAddress.parse("127.0.0.1:1")), senders);
  }

  @Test
  void aCallerThatNamesNoMemberIsRefusedEverything() {
    Node node = node(true);
    PeerGrpc.PeerBlockingStub nobody = stub(PeerChannels.asOutsider("127.0.0.1", node.port(), null));
    PeerGrpc.PeerBlockingStub stranger = stub(PeerChannels.asMember("127.0.0.1", node.port(), "127.0.0.1:9"));

    for (PeerGrpc.PeerBlockingStub s : List.of(nobody, stranger)) {
      denied(() -> s.get(GET));
      denied(() -> s.call(CALL));
    }
    assertEquals(List.of(), senders, "no service heard of them");
    assertEquals(4, ((PeerService) node.peerService()).refusedCallers());
  }

  @Test
  void aCallerThatClaimsAMemberFromAnotherHostIsRefused() {
    Node node = node(true);
    PeerGrpc.PeerBlockingStub impostor = stub(PeerChannels.asOutsider("127.0.0.1", node.port(), "127.0.0.1:1"));

    denied(() -> impostor.get(GET));
    denied(() -> impostor.call(CALL));
    assertEquals(List.of(), senders);
  }

  @Test
  void onTheExchangeEveryRequestOfAnOutsiderIsRefusedButItsPingIsAnswered() throws Exception {
    Node node = node(true);
    ManagedChannel channel = PeerChannels.asOutsider("127.0.0.1", node.port(), "127.0.0.1:1");
    channels.add(channel);
    List<Response> answers = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<RequestBatch> requests = PeerGrpc.newStub(channel).exchange(new StreamObserver<ResponseBatch>() {
      @Override
      public void onNext(ResponseBatch batch) {
        answers.addAll(batch.getResponsesList());
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    });
    requests.onNext(RequestBatch.newBuilder()
        .addRequests(Request.newBuilder().setId(1).setGet(GET))
        .addRequests(Request.newBuilder().setId(2).setCall(CALL))
        .addRequests(Request.newBuilder().setId(3).setPing(Ping.getDefaultInstance())).build());
    requests.onCompleted();

    assertEquals(Status.Code.OK, ended.get(10, TimeUnit.SECONDS).getCode());
    assertEquals(3, answers.size(), answers.toString());
    for (Response r : answers) {
      if (r.getId() == 3) {
        assertTrue(r.hasPong(), r.toString());
      } else {
        assertEquals(Status.Code.PERMISSION_DENIED.value(), r.getFailure().getCode(), r.toString());
      }
    }
    assertEquals(List.of(), senders);
  }

  @Test
  void withMembersOnlyOffAnyoneIsAnsweredAndAClaimedMemberIsNamedUnverified() {
    Node node = node(false);
    PeerGrpc.PeerBlockingStub nobody = stub(PeerChannels.asOutsider("127.0.0.1", node.port(), null));
    PeerGrpc.PeerBlockingStub claimant = stub(PeerChannels.asOutsider("127.0.0.1", node.port(), "127.0.0.1:1"));

    assertEquals("v:k", nobody.get(GET).getValue().toStringUtf8());
    nobody.call(CALL);
    claimant.call(CALL);
    assertEquals(List.of(PeerAddress.of("nobody", 1), PeerAddress.parse("127.0.0.1:1")), senders);
  }

  @Test
  void aMemberThatLeavesTheRingIsRefusedFromThen() {
    Node node = node(true);
    PeerGrpc.PeerBlockingStub member = stub(PeerChannels.asMember("127.0.0.1", node.port(), "127.0.0.1:1"));
    member.call(CALL);

    node.setPeers(List.of(node.self().toString()));

    denied(() -> member.call(CALL));
  }

  @Test
  void aMemberThatLeftIsHeardAsItselfDuringItsGraceToHandOverWhatItHeld() {
    Node node = node(true, Duration.ofMinutes(5));
    PeerGrpc.PeerBlockingStub member = stub(PeerChannels.asMember("127.0.0.1", node.port(), "127.0.0.1:1"));

    node.setPeers(List.of(node.self().toString()));

    member.call(CALL);
    assertEquals(PeerAddress.parse("127.0.0.1:1"), senders.get(senders.size() - 1), "named, as the member it was");
    assertTrue(node.hasLeft(PeerAddress.parse("127.0.0.1:1")), "and known to its services as one that left");
    assertFalse(node.hasLeft(node.self()));
  }
}
