package dev.groupcache.jcache.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.jcache.proto.Condition;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Write;
import dev.groupcache.jcache.proto.Writes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Unconditional writes of many keys ({@code putAll}, {@code removeAll}) begun together and sent as
 * one request per owner ({@code Writes}), whose backups the owner sends as one message per member:
 * a batch of 500 entries on three members costs a few messages rather than a thousand.
 *
 * <p>Writes are held until the first of them is awaited, or until an owner has {@link #MAX_KEYS}
 * of them. A key whose owner is unavailable, another member owns on the receiver's ring, or
 * whose request failed is written again on its own ({@link OwnerClient#call}), where a backup
 * may act for its owner: a put or removal of whatever is there may be made twice.
 */
public final class WriteBatch {
  /** Keys one request carries at most. */
  static final int MAX_KEYS = 256;

  /** The writes held for one owner. */
  private static final class Held {
    final List<ByteView> keys = new ArrayList<>();
    final Writes.Builder writes = Writes.newBuilder();
    final List<CompletableFuture<OwnerResponse>> answers = new ArrayList<>();
  }

  private final OwnerClient owners;
  private final Node node;
  private final CacheService service;
  private final String cache;
  private final Map<PeerAddress, Held> held = new LinkedHashMap<>();

  WriteBatch(OwnerClient owners, Node node, CacheService service, String cache) {
    this.owners = owners;
    this.node = node;
    this.service = service;
    this.cache = cache;
  }

  /** Begins a put of whatever is there; as {@link OwnerClient#beginPut}. */
  public Supplier<OwnerResponse> put(ByteView key, ByteView value, long createTtl, long updateTtl) {
    Write.Builder w = Write.newBuilder().setCondition(Condition.ANY).setValue(OwnerStore.bytes(value));
    return add(key, OwnerClient.expiring(w, createTtl, updateTtl).build());
  }

  /** Begins a removal of whatever is there. */
  public Supplier<OwnerResponse> remove(ByteView key) {
    return add(key, Write.newBuilder().setCondition(Condition.ANY).setRemove(true).build());
  }

  private Supplier<OwnerResponse> add(ByteView key, Write write) {
    owners.drop(key); // this node's own copy goes at once, as with a single write
    OwnerRequest request = OwnerRequest.newBuilder().setCache(cache).setWrite(write).build();
    PeerAddress owner = node.ownerOf(key);
    if (!node.isAvailable(owner) || (service == null && owner.equals(node.self()))) {
      return () -> owners.call(key, request, true); // where a backup may act for it
    }
    Held h = held.computeIfAbsent(owner, o -> new Held());
    CompletableFuture<OwnerResponse> answer = new CompletableFuture<>();
    h.keys.add(key);
    h.writes.addKeys(OwnerStore.bytes(key)).addWrites(write);
    h.answers.add(answer);
    if (h.keys.size() >= MAX_KEYS) {
      held.remove(owner);
      send(owner, h);
    }
    return () -> {
      flush();
      try {
        return owners.await(answer);
      } catch (RuntimeException e) {
        return owners.call(key, request, true); // a putAll's or removeAll's: its answer only counts
      }
    };
  }

  /** Sends every held write. */
  public void flush() {
    if (held.isEmpty()) {
      return;
    }
    List<Map.Entry<PeerAddress, Held>> sending = new ArrayList<>(held.entrySet());
    held.clear();
    sending.forEach(e -> send(e.getKey(), e.getValue()));
  }

  private void send(PeerAddress owner, Held h) {
    if (owner.equals(node.self())) {
      service.writeAll(cache, h.keys, h.writes.getWritesList()).whenComplete((answers, failed) -> {
        if (failed != null) {
          h.answers.forEach(a -> a.completeExceptionally(failed));
          return;
        }
        for (int i = 0; i < answers.size(); i++) {
          CompletableFuture<OwnerResponse> answer = h.answers.get(i);
          if (answers.get(i) == null) {
            answer.completeExceptionally(notOwned(owner));
          } else {
            answers.get(i).whenComplete((r, failure) -> complete(answer, r, failure));
          }
        }
      });
      return;
    }
    ByteView request = ByteView.of(NodeRequest.newBuilder().setCache(cache).setWrites(h.writes).build());
    CompletableFuture<ByteView> call = service == null ? node.call(owner, CacheService.NAME, request, owners.timeout())
        : service.introductions().call(cache, () -> node.call(owner, CacheService.NAME, request, owners.timeout()));
    call.whenComplete((reply, failure) -> {
      if (failure != null) {
        h.answers.forEach(a -> a.completeExceptionally(failure));
        return;
      }
      NodeResponse response;
      try {
        response = NodeResponse.parseFrom(reply.asReadOnlyBuffer());
      } catch (InvalidProtocolBufferException e) {
        h.answers.forEach(a -> a.completeExceptionally(e));
        return;
      }
      for (int at : response.getNotOwnedAtList()) {
        if (at < h.answers.size()) {
          h.answers.get(at).completeExceptionally(notOwned(owner));
        }
      }
      for (int i = 0; i < h.answers.size(); i++) {
        if (i < response.getWrittenCount()) {
          h.answers.get(i).complete(response.getWritten(i));
        } else {
          h.answers.get(i).completeExceptionally(new IllegalStateException(owner + " answered "
              + response.getWrittenCount() + " of " + h.answers.size() + " writes"));
        }
      }
    });
  }

  private static void complete(CompletableFuture<OwnerResponse> answer, OwnerResponse r, Throwable failure) {
    if (failure != null) {
      answer.completeExceptionally(failure);
    } else {
      answer.complete(r);
    }
  }

  private static IllegalStateException notOwned(PeerAddress owner) {
    return new IllegalStateException(owner + " does not own the key on its ring");
  }
}
