package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The work one requester makes a node do on its {@code Exchange} stream is bounded: the requests
 * in one batch, the answers built for a requester that does not read them, and its requests in
 * flight.
 */
class ExchangeBoundsTest {
  private static final int ANSWER_BYTES = 64 << 10;
  private final CountDownLatch loads = new CountDownLatch(1);
  private final AtomicInteger calls = new AtomicInteger();
  private Node node;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0).maxInFlightPerPeer(2).build();
    node.newGroup("g", 1 << 20, key -> {
      if (key.toStringUtf8().startsWith("slow")) {
        loads.await();
      }
      return ByteView.of("v:" + key.toStringUtf8());
    });
    byte[] answer = new byte[ANSWER_BYTES];
    node.registerService("s", (key, request) -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(ByteView.copyOf(answer));
    });
    node.setPeers(List.of(node.self().toString()));
    channel = PeerChannels.asMember("127.0.0.1", node.port(), node.self().toString());
  }

  @AfterEach
  void stop() {
    loads.countDown();
    channel.shutdownNow();
    node.close();
  }

  private static Request get(long id, String key) {
    return Request.newBuilder().setId(id)
        .setGet(GetRequest.newBuilder().setGroup("g").setKey(ByteString.copyFromUtf8(key))).build();
  }

  /** A stream that collects every answer; {@code ended} completes with its status. */
  private StreamObserver<RequestBatch> exchange(List<Response> answers, CompletableFuture<Status> ended) {
    return PeerGrpc.newStub(channel).exchange(new StreamObserver<ResponseBatch>() {
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
  }

  @Test
  void aBatchOfMoreRequestsThanAMemberSendsEndsItsStreamWithResourceExhausted() throws Exception {
    RequestBatch.Builder batch = RequestBatch.newBuilder();
    for (int i = 0; i <= ServerExchange.MAX_BATCH_REQUESTS; i++) {
      batch.addRequests(Request.newBuilder().setId(i).setPing(Ping.getDefaultInstance()));
    }
    CompletableFuture<Status> ended = new CompletableFuture<>();
    List<Response> answers = new CopyOnWriteArrayList<>();
    exchange(answers, ended).onNext(batch.build());

    Status status = ended.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
    assertEquals(List.of(), answers, "none of it was answered");
    assertEquals("v:after", PeerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .get(get(0, "after").getGet()).getValue().toStringUtf8());
  }

  @Test
  void requestsBeyondAPeersInFlightBudgetAreRefusedUntilItsEarlierOnesAreAnswered() throws Exception {
    CompletableFuture<Status> ended = new CompletableFuture<>();
    List<Response> answers = new CopyOnWriteArrayList<>();
    StreamObserver<RequestBatch> requests = exchange(answers, ended);
    requests.onNext(RequestBatch.newBuilder().addRequests(get(1, "slow1")).addRequests(get(2, "slow2"))
        .addRequests(get(3, "slow3")).addRequests(Request.newBuilder().setId(4).setPing(Ping.getDefaultInstance()))
        .build());
    awaitAnswers(answers, 2);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED.value(), answer(answers, 3).getFailure().getCode(),
        "the third waiting request: " + answers);
    assertTrue(answer(answers, 4).hasPong(), "a ping costs no budget");

    loads.countDown();
    awaitAnswers(answers, 4);
    assertEquals("v:slow1", answer(answers, 1).getGet().getValue().toStringUtf8());
    assertEquals("v:slow2", answer(answers, 2).getGet().getValue().toStringUtf8());
    requests.onNext(RequestBatch.newBuilder().addRequests(get(5, "slow5")).build());
    awaitAnswers(answers, 5);
    assertEquals("v:slow5", answer(answers, 5).getGet().getValue().toStringUtf8(), "the budget was given back");
    requests.onCompleted();
    assertEquals(Status.Code.OK, ended.get(10, TimeUnit.SECONDS).getCode());
  }

  @Test
  void aRequesterThatDoesNotReadGetsNoMoreAnswersBuiltThanTheTransportHolds() throws Exception {
    AtomicReference<ClientCallStreamObserver<RequestBatch>> requests = new AtomicReference<>();
    PeerGrpc.newStub(channel).exchange(new ClientResponseObserver<RequestBatch, ResponseBatch>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<RequestBatch> stream) {
        requests.set(stream);
        stream.disableAutoRequestWithInitial(0); // reads nothing
      }

      @Override
      public void onNext(ResponseBatch value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    RequestBatch.Builder batch = RequestBatch.newBuilder();
    for (int i = 0; i < ServerExchange.MAX_BATCH_REQUESTS; i++) {
      batch.addRequests(Request.newBuilder().setId(i).setCall(CallRequest.newBuilder().setService("s")));
    }
    int batches = 40; // 10,240 answers of 64 KiB: 640 MiB if they were all built
    for (int b = 0; b < batches; b++) {
      requests.get().onNext(batch.build());
    }
    // Wait until the node stops answering (it never resumes: nothing is read), within a bound.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int seen = -1;
    while (calls.get() != seen && calls.get() < batches * ServerExchange.MAX_BATCH_REQUESTS
        && System.nanoTime() < deadline) {
      seen = calls.get();
      Thread.sleep(300);
    }
    int bound = 2 * ServerExchange.MAX_UNFLUSHED_BYTES / ANSWER_BYTES + ServerExchange.MAX_BATCH_REQUESTS;
    assertTrue(calls.get() <= bound, calls.get() + " answers built for a requester that reads none; at most "
        + bound + " expected");
    requests.get().cancel("done", null);
  }

  @Test
  void aPeerMayHoldSixtyFourExchangesOpenAndOneMoreWhenOneEnds() throws Exception {
    List<StreamObserver<RequestBatch>> open = new java.util.ArrayList<>();
    for (int i = 0; i < PeerService.MAX_EXCHANGES_PER_PEER; i++) {
      List<Response> answers = new CopyOnWriteArrayList<>();
      StreamObserver<RequestBatch> requests = exchange(answers, new CompletableFuture<>());
      requests.onNext(RequestBatch.newBuilder().addRequests(Request.newBuilder().setId(i)
          .setPing(Ping.getDefaultInstance())).build());
      awaitAnswers(answers, 1); // open at the node
      open.add(requests);
    }
    CompletableFuture<Status> refused = new CompletableFuture<>();
    exchange(new CopyOnWriteArrayList<>(), refused).onNext(RequestBatch.getDefaultInstance());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.get(10, TimeUnit.SECONDS).getCode());

    open.get(0).onCompleted();
    List<Response> answers = new CopyOnWriteArrayList<>();
    Status status;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    do { // the first stream's end reaches the node a moment after its half-close
      answers.clear();
      CompletableFuture<Status> ended = new CompletableFuture<>();
      StreamObserver<RequestBatch> again = exchange(answers, ended);
      again.onNext(RequestBatch.newBuilder().addRequests(Request.newBuilder().setId(1)
          .setPing(Ping.getDefaultInstance())).build());
      again.onCompleted();
      status = ended.get(10, TimeUnit.SECONDS);
    } while (!status.isOk() && System.nanoTime() < deadline && sleep());
    assertEquals(Status.Code.OK, status.getCode(), "a stream once one ended: " + status);
    assertEquals(1, answers.size());
    open.subList(1, open.size()).forEach(StreamObserver::onCompleted);
  }

  private static boolean sleep() throws InterruptedException {
    Thread.sleep(20);
    return true;
  }

  private static void awaitAnswers(List<Response> answers, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (answers.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(answers.size() >= count, "answers: " + answers);
  }

  private static Response answer(List<Response> answers, long id) {
    return answers.stream().filter(r -> r.getId() == id).findFirst()
        .orElseThrow(() -> new AssertionError("no answer " + id + " in " + answers));
  }
}
