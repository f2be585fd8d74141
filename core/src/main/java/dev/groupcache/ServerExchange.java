package dev.groupcache;

import dev.groupcache.proto.CallResponse;
import dev.groupcache.proto.Pong;
import dev.groupcache.proto.Request;
import dev.groupcache.proto.RequestBatch;
import dev.groupcache.proto.Response;
import dev.groupcache.proto.ResponseBatch;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The answering side of one {@code Exchange} stream.
 *
 * <p>Each request batch gets one acknowledging batch at once with every answer that was ready,
 * pongs for its pings among them; each load that was needed is answered alone when it completes.
 * Ready answers beyond {@value #MAX_RESPONSE_BATCH_BYTES} bytes go ahead in batches of their own,
 * so that no message is larger than one value plus that much: the requester accepts no more. An
 * answer larger than {@link MessageLimits#maxResponseBytes} is replaced by a {@code
 * RESOURCE_EXHAUSTED} failure of its own request, which the requester would otherwise reject with
 * the whole stream. The stream ends when the requester has half-closed it and every load it asked
 * for has been answered, or when this node closes.
 *
 * <p>The work one requester makes is bounded: a batch of more than {@value #MAX_BATCH_REQUESTS}
 * requests (more than any member sends) ends the stream with {@code RESOURCE_EXHAUSTED}; once
 * {@value #MAX_UNFLUSHED_BYTES} bytes of a batch's answers wait for the transport, the rest of the
 * batch is answered only as the transport takes them, and the next batch is read only when the
 * last is answered, so that a requester that sends without reading holds no more than that; and
 * every request counts against its caller's {@link InFlightBudget} until it is answered.
 */
final class ServerExchange implements StreamObserver<Parsed<RequestBatch>> {
  static final int MAX_RESPONSE_BATCH_BYTES = 1 << 20;
  /** The most requests one batch may hold: what a member's {@link ClientExchange} sends at most. */
  static final int MAX_BATCH_REQUESTS = ClientExchange.MAX_BATCH_REQUESTS;
  /**
   * How many bytes of one batch's ready answers may wait for the transport before the rest waits:
   * one send-ahead batch, as a requester that reads takes it at once.
   */
  static final int MAX_UNFLUSHED_BYTES = MAX_RESPONSE_BATCH_BYTES;

  private final PeerService service;
  private final Caller caller;
  private final ServerCallStreamObserver<ResponseBatch> responses;
  private final Consumer<ServerExchange> onFinish; // null when no node tracks the stream
  private int pendingAnswers; // guarded by this
  private boolean requesterDone; // guarded by this
  private boolean finished; // guarded by this
  // The batch being answered, and its answers so far; touched only by the call's serialized
  // callbacks (onNext and the transport's onReady), never at once.
  private Iterator<Request> unanswered;
  private ReadyAnswers ready;

  ServerExchange(PeerService service, Caller caller, ServerCallStreamObserver<ResponseBatch> responses,
      Consumer<ServerExchange> onFinish) {
    this.service = service;
    this.caller = caller;
    this.responses = responses;
    this.onFinish = onFinish;
    responses.setOnCancelHandler(() -> {
      synchronized (this) {
        finish();
      }
    });
    // Batches are read one at a time, each once the last is answered (see answerSome).
    responses.disableAutoRequest();
    responses.setOnReadyHandler(this::answerSome);
    responses.request(1);
  }

  @Override
  public void onNext(Parsed<RequestBatch> parsed) {
    RequestBatch batch = parsed.message();
    if (batch == null || batch.getRequestsCount() > MAX_BATCH_REQUESTS) {
      // Without the batch there are no ids to answer; a batch this large is no member's: end the
      // stream, precisely.
      Status status = batch == null ? Status.INVALID_ARGUMENT.withDescription(parsed.error())
          : Status.RESOURCE_EXHAUSTED.withDescription("a batch of " + batch.getRequestsCount()
              + " requests; at most " + MAX_BATCH_REQUESTS + " are answered in one");
      synchronized (this) {
        if (!finished) {
          finish();
          responses.onError(status.asRuntimeException());
        }
      }
      return;
    }
    unanswered = batch.getRequestsList().iterator();
    ready = new ReadyAnswers();
    answerSome();
  }

  /**
   * Answers the batch's requests until they are all answered, then acknowledges it and reads the
   * next; or until too many answered bytes wait for a transport that takes no more, when the
   * transport's next {@code onReady} continues.
   */
  private void answerSome() {
    if (unanswered == null) {
      return;
    }
    ready.unflushed = 0;
    while (unanswered.hasNext()) {
      if (ready.unflushed >= MAX_UNFLUSHED_BYTES && !responses.isReady()) {
        return;
      }
      answer(unanswered.next());
    }
    unanswered = null;
    send(ready.batch.setAcknowledgedBatches(1).build(), false);
    ready = null;
    synchronized (this) {
      if (finished) {
        return;
      }
    }
    responses.request(1);
  }

  private void answer(Request request) {
    long id = request.getId();
    if (request.getOpCase() == Request.OpCase.PING) {
      // Here and now, on the thread that read the batch: a process that is paused, starved or no
      // longer reading its connection does not answer, and that is what the requester asks. Anyone
      // may ask: a pong tells only that this node is running.
      ready.add(Response.newBuilder().setId(id).setPong(Pong.getDefaultInstance()).build());
      return;
    }
    if (request.getOpCase() != Request.OpCase.CALL && request.getOpCase() != Request.OpCase.GET) {
      ready.add(Response.newBuilder().setId(id).setFailure(PeerService.failure(
          Status.Code.UNIMPLEMENTED, "operation not supported by this node")).build());
      return;
    }
    if (!service.admit(caller)) {
      ready.add(Response.newBuilder().setId(id).setFailure(service.overBudget(caller)).build());
      return;
    }
    if (request.getOpCase() == Request.OpCase.CALL) {
      CompletableFuture<CallResponse> call = service.answerCall(request.getCall(), caller);
      if (call.isDone()) {
        service.release(caller);
        ready.add(callResponse(id, call));
      } else {
        synchronized (this) {
          pendingAnswers++;
        }
        call.whenComplete((r, e) -> {
          service.release(caller);
          send(ResponseBatch.newBuilder().addResponses(bounded(callResponse(id, call))).build(), true);
        });
      }
      return;
    }
    PeerService.Answer answer = service.answer(request.getGet(), caller);
    if (answer.pending == null) {
      service.release(caller);
    }
    if (answer.response != null) {
      ready.add(Response.newBuilder().setId(id).setGet(answer.response).build());
    } else if (answer.failure != null) {
      ready.add(Response.newBuilder().setId(id).setFailure(answer.failure).build());
    } else {
      synchronized (this) {
        pendingAnswers++;
      }
      answer.pending.whenComplete((value, cause) -> {
        service.release(caller);
        Response.Builder later = Response.newBuilder().setId(id);
        if (cause == null) {
          later.setGet(service.response(value));
        } else {
          later.setFailure(service.failure(answer.group, cause));
        }
        send(ResponseBatch.newBuilder().addResponses(bounded(later.build())).build(), true);
      });
    }
  }

  /** The answers ready for one request batch; sends ahead what would make the batch too large. */
  private final class ReadyAnswers {
    ResponseBatch.Builder batch = ResponseBatch.newBuilder();
    int bytes;
    long unflushed; // sent ahead since the transport last took everything

    void add(Response answer) {
      Response response = bounded(answer);
      int size = response.getSerializedSize(); // memoized: writing it later costs nothing more
      if (bytes > 0 && bytes + size > MAX_RESPONSE_BATCH_BYTES) {
        send(batch.build(), false);
        unflushed += bytes;
        batch = ResponseBatch.newBuilder();
        bytes = 0;
      }
      batch.addResponses(response);
      bytes += size;
    }
  }

  /** The response, or its request's failure if it is larger than the requester accepts. */
  private Response bounded(Response response) {
    int size = response.getSerializedSize();
    int limit = service.maxResponseBytes();
    if (size <= limit) {
      return response;
    }
    return Response.newBuilder().setId(response.getId()).setFailure(PeerService.failure(Status.Code.RESOURCE_EXHAUSTED,
        "an answer of " + size + " bytes exceeds the limit of " + limit)).build();
  }

  /** The response for a completed call. */
  private static Response callResponse(long id, CompletableFuture<CallResponse> call) {
    Response.Builder r = Response.newBuilder().setId(id);
    try {
      return r.setCall(call.join()).build();
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      return r.setFailure(PeerService.failure(e)).build();
    }
  }

  private synchronized void send(ResponseBatch batch, boolean answersLoad) {
    if (answersLoad) {
      pendingAnswers--;
    }
    if (finished) {
      return;
    }
    try {
      responses.onNext(batch);
    } catch (RuntimeException e) {
      finish(); // cancelled under us; the requester has gone
      return;
    }
    finishIfDone();
  }

  @Override
  public synchronized void onError(Throwable t) {
    finish();
  }

  @Override
  public synchronized void onCompleted() {
    requesterDone = true;
    finishIfDone();
  }

  /** Ends the stream from this side, for a node that is closing; answers already sent stand. */
  synchronized void close() {
    if (!finished) {
      finish();
      responses.onCompleted();
    }
  }

  private void finishIfDone() {
    if (requesterDone && pendingAnswers == 0 && !finished) {
      finish();
      responses.onCompleted();
    }
  }

  private void finish() {
    if (!finished) {
      finished = true;
      if (onFinish != null) {
        onFinish.accept(this);
      }
    }
  }
}
