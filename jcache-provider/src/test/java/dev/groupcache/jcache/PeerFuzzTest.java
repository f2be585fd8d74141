package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.groupcache.jcache.cluster.CacheIds;
import dev.groupcache.jcache.cluster.CacheService;
import dev.groupcache.jcache.proto.Clear;
import dev.groupcache.jcache.proto.Drop;
import dev.groupcache.jcache.proto.Entries;
import dev.groupcache.jcache.proto.Event;
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
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bounded, seeded fuzz run of the peer port of one member of two: random and mutated messages to
 * every method of the engine's {@code Peer} service ({@code Get}, {@code Call}, {@code Exchange})
 * and to every operation of the JCache service behind {@code Call}, oversized messages, bytes that
 * are no message, many streams at once and a stream that sends without reading. Two thirds come
 * from a client that speaks as the other member (a faulty or compromised member: the deepest
 * paths), a third from an outsider. It asserts that:
 *
 * <ul>
 *   <li>every refusal has a precise status ({@link #PRECISE}): never UNKNOWN, INTERNAL or ABORTED
 *       (a handler's unexpected exception);
 *   <li>after each round the member still serves correct gets to its real peer;
 *   <li>the member's heap after full collections stays within {@value #HEAP_GROWTH_MIB} MiB of what
 *       it was before the run (its cache holds at most 12 MiB of its own entries besides).
 * </ul>
 *
 * <p>Bounded in count ({@value #ROUNDS} rounds of {@value #CALLS_PER_ROUND} calls and
 * {@value #STREAMS_PER_ROUND} streams) and in time ({@value #BUDGET_SECONDS} s of fuzzing at most; a
 * slow machine runs fewer rounds, and the checks hold the same). The seed is
 * {@code -Dfuzz.seed}, {@value #DEFAULT_SEED} by default, and is printed in every failure.
 */
class PeerFuzzTest {
  static final long DEFAULT_SEED = 20;
  static final int ROUNDS = 6;
  static final int CALLS_PER_ROUND = 400;
  static final int STREAMS_PER_ROUND = 24;
  static final int BUDGET_SECONDS = 90;
  static final int HEAP_GROWTH_MIB = 48;
  static final int IN_FLIGHT = 32;
  /** The statuses a bad request may get. OK, too, for a request that is well formed. */
  static final Set<Status.Code> PRECISE = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.RESOURCE_EXHAUSTED, Status.Code.PERMISSION_DENIED, Status.Code.NOT_FOUND,
      Status.Code.FAILED_PRECONDITION, Status.Code.UNIMPLEMENTED);

  /**
   * What a member reads in one message with the default limits: a batch (256 KiB) and a request of
   * a key (64 KiB) and two values (4 MiB each), with 16 KiB of fields.
   */
  static final int INBOUND_LIMIT = (256 << 10) + (64 << 10) + 2 * (4 << 20) + (16 << 10);

  private static final long SEED = Long.getLong("fuzz.seed", DEFAULT_SEED);
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = PeerChannels.RAW_BYTES;

  private static CacheCluster cluster;
  private static String cache;
  private static ManagedChannel member;
  private static ManagedChannel outsider;
  private static final List<ByteString> ownedKeys = new ArrayList<>();
  private static final Map<String, Integer> statuses = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    cluster = new CacheCluster(2, List.of("-Dgroupcache.caches.c.read-through-timeout=2s"));
    // the 12 MiB cache: twelve 1 MiB entries, and ten small ones whose gets are checked
    assertEquals("ok", cluster.call(0, "fill big 12 1048576"));
    assertEquals("ok", cluster.call(0, "fill k 10 100"));
    cache = CacheIds.of(URI.create(cluster.call(0, "manager-uri")), "c");
    String[] target = cluster.address(0).split(":");
    member = PeerChannels.asMember(target[0], Integer.parseInt(target[1]), cluster.address(1));
    outsider = PeerChannels.asOutsider(target[0], Integer.parseInt(target[1]), cluster.address(1));
    for (int i = 0; ownedKeys.size() < 64; i++) {
      if (cluster.owner("fz" + i) == 0) {
        ownedKeys.add(cluster.encode("fz" + i));
      }
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (ManagedChannel channel : new ManagedChannel[] {member, outsider}) {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theMemberKeepsServingItsPeerWithinItsHeapAndAnswersEveryBadRequestPrecisely() throws Exception {
    long heapBefore = Long.parseLong(cluster.call(0, "heap"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BUDGET_SECONDS);
    Random random = new Random(SEED);
    int rounds = 0;
    for (; rounds < ROUNDS && System.nanoTime() < deadline; rounds++) {
      List<String> imprecise = new ArrayList<>();
      calls(random, imprecise);
      streams(random, imprecise);
      unreadStream(random);
      assertEquals(List.of(), imprecise, "seed " + SEED + ", round " + rounds + ": imprecise statuses");
      for (int k = 0; k < 10; k++) {
        String key = "k" + k;
        assertEquals("value " + key + ":" + "x".repeat(100 - key.length() - 1), cluster.call(1, "get " + key),
            "seed " + SEED + ", round " + rounds + ": the member's peer got a wrong answer");
      }
    }
    assertTrue(rounds > 0, "no round ran");
    // the fuzz's own entries are in the cache too, most of them undecodable: skipped
    String iterated = cluster.call(1, "iterate");
    assertTrue(iterated.matches("\\d+ 22"), "seed " + SEED + ": the 12 MiB cache iterates whole: " + iterated);
    long heapAfter = Long.parseLong(cluster.call(0, "heap"));
    assertTrue(heapAfter - heapBefore <= (long) HEAP_GROWTH_MIB << 20, "seed " + SEED + ": the heap after GC grew from "
        + (heapBefore >> 20) + " MiB to " + (heapAfter >> 20) + " MiB over " + rounds + " rounds");
    System.out.println("PeerFuzzTest seed " + SEED + ": " + rounds + " rounds, heap after GC " + (heapBefore >> 20)
        + " -> " + (heapAfter >> 20) + " MiB, statuses " + statuses);
  }

  /** {@value #CALLS_PER_ROUND} unary calls to Get and Call, as messages or as bytes, {@value #IN_FLIGHT} at once. */
  private static void calls(Random random, List<String> imprecise) throws InterruptedException {
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < CALLS_PER_ROUND; i++) {
      ManagedChannel channel = random.nextInt(3) == 0 ? outsider : member;
      int kind = random.nextInt(10);
      byte[] message;
      MethodDescriptor<byte[], byte[]> method;
      if (kind == 0) {
        method = bytes(PeerGrpc.getGetMethod());
        message = mutate(random, get(random).toByteArray());
      } else if (kind == 1) {
        method = bytes(PeerGrpc.getGetMethod());
        message = get(random).toByteArray();
      } else if (kind == 2) {
        method = random.nextBoolean() ? bytes(PeerGrpc.getCallMethod()) : bytes(PeerGrpc.getGetMethod());
        message = randomBytes(random, random.nextInt(64) == 0 ? 9 << 20 : random.nextInt(2048)); // 9 MiB: oversized
      } else {
        method = bytes(PeerGrpc.getCallMethod());
        CallRequest call = call(random);
        message = kind == 3 ? mutate(random, call.toByteArray()) : call.toByteArray();
      }
      inFlight.acquire();
      CompletableFuture<Void> done = new CompletableFuture<>();
      all.add(done);
      String what = method.getBareMethodName() + " #" + i;
      ClientCalls.asyncUnaryCall(channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
          message, new StreamObserver<byte[]>() {
            @Override
            public void onNext(byte[] value) {}

            @Override
            public void onError(Throwable t) {
              record(Status.fromThrowable(t), what, imprecise);
              inFlight.release();
              done.complete(null);
            }

            @Override
            public void onCompleted() {
              record(Status.OK, what, imprecise);
              inFlight.release();
              done.complete(null);
            }
          });
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }

  /** {@value #STREAMS_PER_ROUND} Exchange streams at once, each a few batches of random requests. */
  private static void streams(Random random, List<String> imprecise) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int s = 0; s < STREAMS_PER_ROUND; s++) {
      ManagedChannel channel = random.nextInt(3) == 0 ? outsider : member;
      List<byte[]> batches = new ArrayList<>();
      boolean oversized = false;
      for (int b = 1 + random.nextInt(4); b > 0; b--) {
        RequestBatch.Builder batch = RequestBatch.newBuilder();
        int requests = random.nextInt(16) == 0 ? 257 + random.nextInt(200) : 1 + random.nextInt(64); // over 256: refused
        for (int r = 0; r < requests; r++) {
          batch.addRequests(request(random, r));
        }
        byte[] bytes = batch.build().toByteArray();
        batches.add(random.nextInt(12) == 0 ? mutate(random, bytes) : bytes);
        oversized |= batches.get(batches.size() - 1).length > INBOUND_LIMIT;
      }
      all.add(exchange(channel, batches, oversized, "stream #" + s, imprecise));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * A stream that asks for large pages of entries, batch after batch, and never reads an answer;
   * cancelled after a while. The member waits for the transport rather than building answers.
   */
  private static void unreadStream(Random random) throws InterruptedException {
    CompletableFuture<Void> ended = new CompletableFuture<>();
    AtomicReference<ClientCallStreamObserver<byte[]>> requests = new AtomicReference<>();
    ClientCalls.asyncBidiStreamingCall(member.newCall(bytes(PeerGrpc.getExchangeMethod()), CallOptions.DEFAULT),
        new ClientResponseObserver<byte[], byte[]>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<byte[]> stream) {
            requests.set(stream);
            stream.disableAutoRequestWithInitial(0);
          }

          @Override
          public void onNext(byte[] value) {}

          @Override
          public void onError(Throwable t) {
            ended.complete(null);
          }

          @Override
          public void onCompleted() {
            ended.complete(null);
          }
        });
    CallRequest entries = CallRequest.newBuilder().setService(CacheService.NAME).setPayload(NodeRequest.newBuilder()
        .setCache(cache).setEntries(Entries.newBuilder().setLimit(10_000)).build().toByteString()).build();
    RequestBatch.Builder batch = RequestBatch.newBuilder();
    for (int r = 0; r < 256; r++) {
      batch.addRequests(Request.newBuilder().setId(random.nextLong()).setCall(entries));
    }
    byte[] bytes = batch.build().toByteArray();
    for (int b = 0; b < 8; b++) {
      requests.get().onNext(bytes);
    }
    Thread.sleep(500);
    requests.get().cancel("done", null);
    try {
      ended.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("seed " + SEED + ": the unread stream did not end", e);
    }
  }

  /**
   * Sends the batches and half-closes. A stream that sent a batch over the member's inbound limit
   * may end CANCELLED rather than RESOURCE_EXHAUSTED: grpc-java's server resets a stream whose
   * message is too large, and only a stream that has had no answer yet can still carry the status.
   */
  private static CompletableFuture<Void> exchange(ManagedChannel channel, List<byte[]> batches, boolean oversized,
      String what, List<String> imprecise) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(
        bytes(PeerGrpc.getExchangeMethod()), CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
        new StreamObserver<byte[]>() {
          @Override
          public void onNext(byte[] value) {
            try {
              for (Response r : ResponseBatch.parseFrom(value).getResponsesList()) {
                if (r.hasFailure()) {
                  record(Status.fromCodeValue(r.getFailure().getCode()).withDescription(r.getFailure().getMessage()),
                      what + " request " + r.getId(), imprecise);
                }
              }
            } catch (IOException e) {
              synchronized (imprecise) {
                imprecise.add(what + ": an unreadable answer");
              }
            }
          }

          @Override
          public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            record(oversized && status.getCode() == Status.Code.CANCELLED ? Status.RESOURCE_EXHAUSTED : status, what,
                imprecise);
            done.complete(null);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    for (byte[] batch : batches) {
      requests.onNext(batch);
    }
    requests.onCompleted();
    return done;
  }

  private static void record(Status status, String what, List<String> imprecise) {
    statuses.merge(status.getCode().name(), 1, Integer::sum);
    if (!PRECISE.contains(status.getCode())) {
      synchronized (imprecise) {
        imprecise.add(what + ": " + status);
      }
    }
  }

  private static <Q, R> MethodDescriptor<byte[], byte[]> bytes(MethodDescriptor<Q, R> method) {
    return method.toBuilder(BYTES, BYTES).build();
  }

  // ---- messages ----

  private static Request request(Random random, int id) {
    Request.Builder r = Request.newBuilder().setId(random.nextInt(4) == 0 ? random.nextLong() : id)
        .setTimeoutMillis(random.nextInt(60_000));
    switch (random.nextInt(5)) {
      case 0 -> r.setPing(Ping.getDefaultInstance());
      case 1 -> r.setGet(get(random));
      default -> r.setCall(call(random));
    }
    return r.build();
  }

  private static GetRequest get(Random random) {
    return GetRequest.newBuilder().setGroup(random.nextBoolean() ? "c" : name(random)).setKey(key(random))
        .setRingVersion(random.nextLong()).build();
  }

  private static CallRequest call(Random random) {
    boolean toOwner = random.nextInt(4) != 0;
    boolean aboutAKey = random.nextInt(3) != 0;
    MessageLite payload = aboutAKey ? ownerRequest(random) : nodeRequest(random);
    ByteString bytes = payload.toByteString();
    if (random.nextInt(8) == 0) {
      bytes = ByteString.copyFrom(mutate(random, bytes.toByteArray()));
    }
    return CallRequest.newBuilder().setService(random.nextInt(16) == 0 ? name(random) : CacheService.NAME)
        .setKey(aboutAKey || random.nextInt(8) == 0 ? key(random) : ByteString.EMPTY)
        .setToOwner(toOwner).setPayload(bytes).setRingVersion(random.nextLong()).build();
  }

  private static OwnerRequest ownerRequest(Random random) {
    OwnerRequest.Builder r = OwnerRequest.newBuilder().setCache(cacheName(random));
    switch (random.nextInt(3)) {
      case 0 -> {
        Read.Builder read = Read.newBuilder().setLease(random.nextInt(6) == 0).setQuiet(random.nextBoolean());
        if (random.nextBoolean()) {
          read.setAccessTtlMillis(ttl(random));
        }
        if (random.nextInt(3) == 0) {
          read.setHolder(random.nextBoolean() ? cluster.address(1) : name(random)).setCopyMillis(random.nextLong());
        }
        r.setRead(read);
      }
      case 1 -> {
        Write.Builder write = Write.newBuilder().setConditionValue(random.nextInt(5))
            .setExpectedVersion(random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(3))
            .setRemove(random.nextInt(4) == 0).setValue(value(random)).setReturnOld(random.nextBoolean());
        if (random.nextBoolean()) {
          write.setCreateTtlMillis(ttl(random));
        }
        if (random.nextBoolean()) {
          write.setUpdateTtlMillis(ttl(random));
        }
        if (random.nextBoolean()) {
          write.setAccessTtlMillis(ttl(random));
        }
        r.setWrite(write);
      }
      default -> {
        Loaded.Builder loaded = Loaded.newBuilder().setLease(random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(50))
            .setHasValue(random.nextBoolean()).setValue(value(random));
        if (random.nextInt(4) == 0) {
          loaded.setFailure(name(random));
        }
        if (random.nextBoolean()) {
          loaded.setCreateTtlMillis(ttl(random));
        }
        r.setLoaded(loaded);
      }
    }
    return r.build();
  }

  private static NodeRequest nodeRequest(Random random) {
    String cacheName = cacheName(random);
    NodeRequest.Builder r = NodeRequest.newBuilder().setCache(cacheName);
    switch (random.nextInt(6)) {
      // a member may clear a cache: the member's own cache is spared, for the gets checked
      case 0 -> r.setCache(name(random)).setClear(Clear.getDefaultInstance());
      case 1 -> r.setEntries(Entries.newBuilder().setLimit(random.nextInt(4) == 0 ? -1 : random.nextInt(20_000))
          .setAfter(random.nextBoolean() ? ByteString.EMPTY : key(random)));
      case 2 -> r.setEvent(Event.newBuilder().setTypeValue(random.nextInt(6)).setKey(key(random))
          .setHasOldValue(random.nextBoolean()).setOldValue(value(random))
          .setHasValue(random.nextBoolean()).setValue(value(random)));
      case 3 -> r.setDrop(Drop.newBuilder().setKey(key(random)));
      case 4 -> r.setRenew(Renew.newBuilder().setHolder(random.nextBoolean() ? cluster.address(1) : name(random)));
      default -> r.setListening(Listening.newBuilder().setMember(random.nextBoolean() ? cluster.address(1) : name(random))
          .setListening(random.nextBoolean()).setSynchronous(random.nextBoolean()));
    }
    return r.build();
  }

  private static String cacheName(Random random) {
    return random.nextInt(3) == 0 ? name(random) : cache;
  }

  private static String name(Random random) {
    int length = random.nextInt(32) == 0 ? 20_000 : random.nextInt(40);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) (random.nextInt(8) == 0 ? random.nextInt(0x3000) : 'a' + random.nextInt(26)));
    }
    return s.toString();
  }

  private static ByteString key(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> ByteString.EMPTY;
      case 1 -> ByteString.copyFrom(randomBytes(random, (64 << 10) + 1 + random.nextInt(1024))); // over the limit
      case 2, 3 -> ByteString.copyFrom(randomBytes(random, 1 + random.nextInt(64)));
      default -> ownedKeys.get(random.nextInt(ownedKeys.size()));
    };
  }

  private static ByteString value(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> ByteString.copyFrom(randomBytes(random, (4 << 20) + 1)); // over the limit
      case 1 -> ByteString.copyFrom(randomBytes(random, random.nextInt(256 << 10)));
      case 2 -> ByteString.EMPTY;
      default -> ByteString.copyFrom(randomBytes(random, random.nextInt(200)));
    };
  }

  private static long ttl(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> random.nextLong();
      case 1 -> 0;
      default -> random.nextInt(5_000) - 100;
    };
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] b = new byte[length];
    random.nextBytes(b);
    return b;
  }

  /** The bytes with a few flipped, cut short, or with random bytes spliced in. */
  private static byte[] mutate(Random random, byte[] bytes) {
    Function<byte[], byte[]> mutation = switch (random.nextInt(3)) {
      case 0 -> b -> {
        byte[] m = b.clone();
        for (int i = 0, n = 1 + random.nextInt(4); i < n && m.length > 0; i++) {
          m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return m;
      };
      case 1 -> b -> java.util.Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
      default -> b -> {
        byte[] splice = randomBytes(random, 1 + random.nextInt(16));
        int at = b.length == 0 ? 0 : random.nextInt(b.length);
        byte[] m = new byte[b.length + splice.length];
        System.arraycopy(b, 0, m, 0, at);
        System.arraycopy(splice, 0, m, at, splice.length);
        System.arraycopy(b, at, m, at + splice.length, b.length - at);
        return m;
      };
    };
    return mutation.apply(bytes);
  }
}
