package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.groupcache.proto.GetRequest;
import dev.groupcache.proto.GetResponse;
import dev.groupcache.proto.PeerGrpc;
import dev.groupcache.proto.Ping;
import dev.groupcache.proto.Request;
import dev.groupcache.proto.RequestBatch;
import dev.groupcache.proto.Response;
import dev.groupcache.proto.ResponseBatch;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import dev.groupcache.testing.PeerChannels;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The peer protocol as a stranger sees it: precise statuses for bad requests, answered while the
 * server keeps serving everyone else.
 */
class PeerProtocolTest {
  private Node node;
  private ManagedChannel channel;
  private PeerGrpc.PeerBlockingStub stub;

  @BeforeEach
  void start() {
    node = Node.builder().self("127.0.0.1").bindHost("127.0.0.1").port(0)
        .maxKeyBytes(1024).maxValueBytes(1024).build();
    node.newGroup("g", 1 << 20, key -> {
      String k = key.toStringUtf8();
      if (k.startsWith("fail:")) {
        throw new IOException("backend refused " + k);
      }
      return k.equals("big") ? ByteView.copyOf(new byte[2000]) : ByteView.of("v:" + k);
    });
    node.setPeers(java.util.List.of(node.self().toString()));
    channel = PeerChannels.asMember("127.0.0.1", node.port(), node.self().toString());
    stub = PeerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    node.close();
  }

  @Test
  void answersAGetWithTheValueAndItsRingVersion() {
    GetResponse r = stub.get(get("g", "k"));
    assertEquals("v:k", r.getValue().toStringUtf8());
    assertEquals(node.ringVersion(), r.getRingVersion());
  }

  @Test
  void badRequestsGetPreciseStatusesAndTheServerKeepsServing() {
    assertStatus(Status.Code.NOT_FOUND, "no group 'nope'", () -> stub.get(get("nope", "k")));
    assertStatus(Status.Code.INVALID_ARGUMENT, "key of 2000 bytes: keys must have 1-1024 bytes",
        () -> stub.get(get("g", "x".repeat(2000))));
    assertStatus(Status.Code.INVALID_ARGUMENT, "key of 0 bytes", () -> stub.get(get("g", "")));
    // Larger than the server accepts at all: refused by the transport before any parsing.
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "",
        () -> stub.get(get("g", "x".repeat(1 << 20))));
    assertStatus(Status.Code.ABORTED, "java.io.IOException: backend refused fail:1",
        () -> stub.get(get("g", "fail:1")));
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, "value of 2000 bytes exceeds the limit of 1024",
        () -> stub.get(get("g", "big")));
    assertEquals("v:still", stub.get(get("g", "still")).getValue().toStringUtf8());
  }

  @Test
  void malformedProtobufIsRefusedAndTheServerKeepsServing() {
    MethodDescriptor<byte[], byte[]> raw = PeerGrpc.getGetMethod().toBuilder(RAW, RAW).build();
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01};
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        channel, raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), garbage));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
    assertTrue(e.getStatus().getDescription().startsWith("malformed GetRequest: "), e.toString());
    assertEquals("v:after", stub.get(get("g", "after")).getValue().toStringUtf8());
  }

  @Test
  void aMalformedBatchEndsOnlyItsStreamWithInvalidArgument() throws Exception {
    MethodDescriptor<byte[], byte[]> raw = PeerGrpc.getExchangeMethod().toBuilder(RAW, RAW).build();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(raw, CallOptions.DEFAULT),
        collect(new LinkedBlockingQueue<>(), ended));
    requests.onNext(new byte[] {0x0a, 0x7f, 0x01}); // a field claiming 127 bytes, holding 1
    Status status = ended.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
    assertTrue(status.getDescription().startsWith("malformed RequestBatch: "), status.toString());
    assertEquals("v:after", stub.get(get("g", "after")).getValue().toStringUtf8());
  }

  @Test
  void garbageBytesOnThePortCloseThatConnectionOnly() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001garbage".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      int total = 0;
      for (int n; (n = in.read(buffer)) >= 0 && total < 1 << 20; ) {
        total += n; // whatever the server says before hanging up (an HTTP/2 GOAWAY), then EOF
      }
    }
    assertEquals("v:after", stub.get(get("g", "after")).getValue().toStringUtf8());
  }

  @Test
  void theExchangeAnswersEachRequestOnItsOwnAndUnknownOperationsAsUnimplemented() throws Exception {
    LinkedBlockingQueue<ResponseBatch> batches = new LinkedBlockingQueue<>();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<RequestBatch> requests = PeerGrpc.newStub(channel).exchange(collect(batches, ended));
    // A request carrying an operation from the future: a field number this node does not know.
    Request fromTheFuture = Request.newBuilder().setId(1)
        .setUnknownFields(UnknownFieldSet.newBuilder().addField(99,
            UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build()).build())
        .build();
    requests.onNext(RequestBatch.newBuilder()
        .addRequests(fromTheFuture)
        .addRequests(Request.newBuilder().setId(2).setGet(get("g", "k")))
        .addRequests(Request.newBuilder().setId(3).setGet(get("nope", "k")))
        .addRequests(Request.newBuilder().setId(4).setGet(get("g", "x".repeat(2000))))
        .addRequests(Request.newBuilder().setId(5).setGet(get("g", "fail:5")))
        .build());
    Map<Long, Response> answers = new HashMap<>();
    int acknowledged = 0;
    while (answers.size() < 5) {
      ResponseBatch batch = batches.poll(10, TimeUnit.SECONDS);
      assertTrue(batch != null, "answers so far: " + answers.keySet());
      acknowledged += batch.getAcknowledgedBatches();
      batch.getResponsesList().forEach(r -> answers.put(r.getId(), r));
    }
    assertEquals(1, acknowledged);
    assertFailure(answers.get(1L), Status.Code.UNIMPLEMENTED, "not supported");
    assertEquals("v:k", answers.get(2L).getGet().getValue().toStringUtf8());
    assertFailure(answers.get(3L), Status.Code.NOT_FOUND, "no group 'nope'");
    assertFailure(answers.get(4L), Status.Code.INVALID_ARGUMENT, "key of 2000 bytes");
    assertFailure(answers.get(5L), Status.Code.ABORTED, "backend refused fail:5");
    // The stream is still good for more, and ends cleanly when the requester is done.
    requests.onNext(RequestBatch.newBuilder().addRequests(Request.newBuilder().setId(6).setGet(get("g", "more"))).build());
    Response more = null;
    while (more == null) {
      ResponseBatch batch = batches.poll(10, TimeUnit.SECONDS);
      assertTrue(batch != null, "no answer to request 6");
      more = batch.getResponsesList().stream().filter(r -> r.getId() == 6).findFirst().orElse(null);
    }
    assertEquals("v:more", more.getGet().getValue().toStringUtf8());
    requests.onCompleted();
    assertEquals(Status.Code.OK, ended.get(10, TimeUnit.SECONDS).getCode());
  }

  @Test
  void aPingIsAnsweredWithAPongInTheAcknowledgementOfItsBatch() throws Exception {
    LinkedBlockingQueue<ResponseBatch> batches = new LinkedBlockingQueue<>();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<RequestBatch> requests = PeerGrpc.newStub(channel).exchange(collect(batches, ended));
    requests.onNext(RequestBatch.newBuilder()
        .addRequests(Request.newBuilder().setId(1).setPing(Ping.getDefaultInstance()))
        .build());
    ResponseBatch ack = batches.poll(10, TimeUnit.SECONDS);
    assertTrue(ack != null, "no answer to the ping");
    assertEquals(1, ack.getAcknowledgedBatches());
    assertEquals(1, ack.getResponsesCount());
    assertEquals(1, ack.getResponses(0).getId());
    assertEquals(Response.ResultCase.PONG, ack.getResponses(0).getResultCase());
    requests.onCompleted();
    assertEquals(Status.Code.OK, ended.get(10, TimeUnit.SECONDS).getCode());
  }

  /** An observer that queues what arrives and completes {@code ended} with the final status. */
  private static <T> StreamObserver<T> collect(LinkedBlockingQueue<T> received, CompletableFuture<Status> ended) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        received.add(value);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    };
  }

  private static void assertFailure(Response r, Status.Code code, String message) {
    assertEquals(code.value(), r.getFailure().getCode(), r.toString());
    assertTrue(r.getFailure().getMessage().contains(message), r.getFailure().getMessage());
  }

  private static void assertStatus(Status.Code code, String message, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.toString());
    String description = String.valueOf(e.getStatus().getDescription());
    assertTrue(description.contains(message), description);
  }

  private static GetRequest get(String group, String key) {
    return GetRequest.newBuilder().setGroup(group).setKey(ByteString.copyFromUtf8(key)).build();
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW = PeerChannels.RAW_BYTES;
}
