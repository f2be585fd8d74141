package dev.groupcache;

import java.util.concurrent.CompletableFuture;

/**
 * Answers the requests that peers send to a service a higher layer registered with
 * {@link Node#registerService}: calls about a key this node owns, calls to this node, and
 * broadcasts. The engine carries the bytes; their meaning is the service's.
 *
 * <p>Runs on a transport thread and must not block: do quick work inline and return a completed
 * future, or return a future that completes later. Requests from one peer are handed over in the
 * order that peer sent them.
 */
@Internal
@FunctionalInterface
public interface PeerHandler {
  /**
   * @param key the key a call to the owner is about, or null for a call to this node or a
   *     broadcast
   * @param request the request's bytes
   * @return the answer; a failed future reaches the caller as a {@link GroupcacheException} with
   *     the failure's message. Fail it with an {@link IllegalArgumentException} for a request
   *     that is malformed or not allowed: the peer then gets {@code INVALID_ARGUMENT}.
   */
  CompletableFuture<ByteView> handle(ByteView key, ByteView request);

  /**
   * As {@link #handle(ByteView, ByteView)}, knowing which member sent the request: the address it
   * has on this node's ring, shown by where its connection comes from ({@link
   * Node.Builder#membersOnly}). Requests from anyone else never reach a handler; with
   * {@code membersOnly} off, {@code sender} is the member the caller claims to be, unverified, or
   * null if it claims none. A service whose operations are some members' only (such as an owner's
   * events) overrides this one. Calls {@link #handle(ByteView, ByteView)} by default.
   */
  default CompletableFuture<ByteView> handle(PeerAddress sender, ByteView key, ByteView request) {
    return handle(key, request);
  }

  /**
   * The node's ring changed: keys may have moved to or from this node. Called after the new ring
   * took effect, on the thread that changed it; state kept for keys this node no longer owns (such
   * as callers waiting here for a load) should be handed to the new owners. Does nothing by default.
   */
  default void ringChanged() {}

  /**
   * A peer this node suspected answers again: whatever this node told every member while that
   * peer could not hear (such as what it needs to hear of) may be told again. Called on a timer
   * thread; must not block. Does nothing by default.
   */
  default void peerBack(PeerAddress peer) {}
}
