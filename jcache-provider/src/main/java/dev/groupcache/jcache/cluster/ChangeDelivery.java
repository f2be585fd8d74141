package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.PeerReply;
import dev.groupcache.jcache.cluster.CacheService.Listening;
import dev.groupcache.jcache.cluster.CacheService.Receiver;
import dev.groupcache.jcache.proto.Drop;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * How an owner's change reaches the members that need to hear of it, and no one else: those that
 * hold a copy of the key (the owner's directory, {@link CopyHolders}), which drop it; and those
 * with listeners on the cache ({@link ListeningMembers}, learned from their announcements and
 * answers), which drop any copy and tell their listeners; and those it has not heard from, which
 * might listen, told as members with synchronous listeners are. All are sent before the owner lets
 * go of the key, so each member sees one key's changes in order.
 *
 * <p>A change is answered once every holder has confirmed the drop or its copy lease has run out
 * ({@link CopyGrants}), and every member with synchronous listeners has run them, or the
 * invalidation timeout passed, or it is suspected; members with only asynchronous listeners are
 * not waited for. A change nobody holds or listens to costs nothing beyond the owner.
 */
final class ChangeDelivery {
  private static final CompletableFuture<String> DONE = CompletableFuture.completedFuture(null);

  private final Node node;
  private final ScheduledExecutorService timer;
  private final Duration invalidationTimeout;
  private final Ticker ticker;
  private final CopyGrants grants;
  /** This node's receiver of a cache's changes, by cache id, or null. */
  private final Function<String, Receiver> receivers;
  private final Map<String, ListeningMembers> listening = new ConcurrentHashMap<>();
  /** The other members on this node's ring: unheard on a cache nobody told this node of. */
  private volatile List<PeerAddress> others = List.of();
  private final LongAdder late = new LongAdder();
  private final LongAdder changes = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder unheardEvents = new LongAdder();
  /** How long a drop may wait for its holder's answer: until its lease has surely run out. */
  private final Duration dropTimeout;
  /** Whether this run's first lease has passed (see {@link CopyGrants#writableAt()}); only ever set. */
  private volatile boolean writable;

  ChangeDelivery(Node node, ScheduledExecutorService timer, Duration invalidationTimeout, Duration lease,
      CopyGrants grants, Function<String, Receiver> receivers, Ticker ticker) {
    this.node = node;
    this.timer = timer;
    this.invalidationTimeout = invalidationTimeout;
    this.grants = grants;
    this.receivers = receivers;
    this.ticker = ticker;
    this.dropTimeout = lease.plusNanos(grants.marginNanos());
  }

  /**
   * Tells every other member whether this node's cache has listeners, and learns from their
   * answers whether theirs have; completes when all answered or the invalidation timeout passed,
   * with the members that did not take it (suspected, starting, or without this node on their ring).
   */
  CompletableFuture<List<PeerAddress>> announce(String cache, dev.groupcache.jcache.proto.Listening state) {
    return announced(cache, node.broadcast(CacheService.NAME, announcement(cache, state), invalidationTimeout));
  }

  /** As {@link #announce(String, dev.groupcache.jcache.proto.Listening)}, to {@code members} only. */
  CompletableFuture<List<PeerAddress>> announce(String cache, dev.groupcache.jcache.proto.Listening state,
      List<PeerAddress> members) {
    ByteView message = announcement(cache, state);
    List<CompletableFuture<PeerReply>> replies = new ArrayList<>(members.size());
    for (PeerAddress member : members) {
      replies.add(node.call(member, CacheService.NAME, message, invalidationTimeout)
          .handle((value, failure) -> new PeerReply(member, value, failure)));
    }
    return announced(cache, CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0]))
        .thenApply(done -> replies.stream().map(CompletableFuture::join).toList()));
  }

  private static ByteView announcement(String cache, dev.groupcache.jcache.proto.Listening state) {
    return ByteView.of(NodeRequest.newBuilder().setCache(cache).setListening(state).build());
  }

  private CompletableFuture<List<PeerAddress>> announced(String cache, CompletableFuture<List<PeerReply>> replies) {
    return replies.thenApply(all -> {
      List<PeerAddress> missed = new ArrayList<>();
      for (PeerReply reply : all) {
        if (reply.succeeded()) {
          answered(cache, reply.value()); // an unreadable answer: its listeners are learned otherwise
        } else {
          missed.add(reply.peer());
        }
      }
      return missed;
    });
  }

  /** A member's listeners on a cache as it read them at {@code said} (see {@code Listening.said}), as the protocol states them. */
  static dev.groupcache.jcache.proto.Listening listening(PeerAddress member, Listening state, long said) {
    return dev.groupcache.jcache.proto.Listening.newBuilder().setMember(member.toString())
        .setListening(state != Listening.NONE).setSynchronous(state == Listening.SYNCHRONOUS).setSaid(said).build();
  }

  /**
   * A member's announcement of its listeners on a cache, or its answer to this node's; false if
   * it was not taken: the member is not on this node's ring (yet: the engine takes a new member's
   * requests a moment before its ring has it), and owners send only to members.
   */
  boolean heard(String cache, dev.groupcache.jcache.proto.Listening l) {
    if (l.getMember().isEmpty()) {
      return false;
    }
    PeerAddress member = PeerAddress.parse(l.getMember());
    if (member.equals(node.self())) {
      return true;
    }
    if (!node.peers().contains(member)) {
      return false;
    }
    listening.computeIfAbsent(cache, c -> new ListeningMembers(others))
        .heard(member, l.getListening(), l.getSynchronous(), l.getSaid(), ticker.read());
    return true;
  }

  /** Whether a member announced {@code cache}: it has it open. */
  boolean known(String cache) {
    return listening.containsKey(cache);
  }

  /** Forgets members not heard from for a while by {@code now}; on the node's timer. */
  void forgetSilent(long now) {
    listening.values().forEach(l -> l.forget(now));
  }

  /** The ring changed: forgets the listeners of members that left it; those that joined are unheard. */
  void retain(List<PeerAddress> members) {
    List<PeerAddress> o = new ArrayList<>(members);
    o.remove(node.self());
    others = List.copyOf(o);
    listening.values().forEach(l -> l.retain(others));
  }

  /** A member answers again after being suspected: it may have restarted, so it is unheard until it answers. */
  void unhear(PeerAddress member) {
    listening.values().forEach(l -> l.unhear(member));
  }

  /**
   * Publishes an owner's change here, to the members with listeners on the cache and to the
   * holders of the key's copies, in the order of calls; completes when each has confirmed, or its
   * copy lease ran out, or (listeners) it timed out; with the first synchronous listener's failure.
   */
  CompletableFuture<String> publish(String cache, Event event, List<PeerAddress> holders) {
    changes.increment();
    Receiver receiver = receivers.apply(cache);
    CompletableFuture<String> here = receiver == null ? DONE : receiver.apply(event);
    ListeningMembers listeners = listening.get(cache);
    Collection<ListeningMembers.Listener> heard = listeners == null ? List.of() : listeners.current();
    List<PeerAddress> unheard = listeners == null ? others : listeners.unheard();
    if (!writable) {
      writable = ticker.read() - grants.writableAt() >= 0;
    }
    boolean starting = !writable;
    if (heard.isEmpty() && holders.isEmpty() && unheard.isEmpty() && !starting) {
      return here; // the usual write: nobody else holds the key or listens, so nobody is told
    }
    List<CompletableFuture<String>> waits = new ArrayList<>();
    waits.add(here);
    Set<PeerAddress> told = heard.isEmpty() && unheard.isEmpty() ? Set.of() : new HashSet<>();
    ByteView eventMessage = null;
    for (ListeningMembers.Listener l : heard) {
      if (l.member().equals(node.self()) || !told.add(l.member())) {
        continue;
      }
      if (eventMessage == null) {
        eventMessage = ByteView.of(NodeRequest.newBuilder().setCache(cache).setEvent(event).build());
      }
      CompletableFuture<String> wait = toListener(null, l, holders.contains(l.member()), eventMessage);
      if (wait != DONE) {
        waits.add(wait);
      }
    }
    for (PeerAddress member : unheard) { // it may listen: told and waited for as a synchronous listener
      if (!told.add(member)) {
        continue;
      }
      if (eventMessage == null) {
        eventMessage = ByteView.of(NodeRequest.newBuilder().setCache(cache).setEvent(event).build());
      }
      unheardEvents.increment();
      CompletableFuture<String> wait = toListener(cache, new ListeningMembers.Listener(member, true, 0),
          holders.contains(member), eventMessage);
      if (wait != DONE) {
        waits.add(wait);
      }
    }
    dropAt(cache, event.getKey(), holders, told, waits); // a listener's event drops its copy too
    long hold = grants.writableAt() - ticker.read();
    if (starting && hold > 0 && node.peers().size() > 1) {
      waits.add(CompletableFuture.supplyAsync(() -> null,
          CompletableFuture.delayedExecutor(hold, TimeUnit.NANOSECONDS, timer)));
    }
    return firstFailure(waits);
  }

  /**
   * Tells the holders of a key's copies to drop them, with no event: the key's entry changed here
   * without a user's change (an acting member handed its entry back). Completes as {@link #publish}.
   */
  CompletableFuture<String> drop(String cache, ByteView key, List<PeerAddress> holders) {
    if (holders.isEmpty()) {
      return DONE;
    }
    List<CompletableFuture<String>> waits = new ArrayList<>();
    dropAt(cache, OwnerStore.bytes(key), holders, Set.of(), waits);
    return waits.isEmpty() ? DONE : firstFailure(waits);
  }

  /** Sends a drop of {@code key} to each holder but this node and those {@code told}; adds its wait. */
  private void dropAt(String cache, com.google.protobuf.ByteString key, List<PeerAddress> holders,
      Set<PeerAddress> told, List<CompletableFuture<String>> waits) {
    ByteView dropMessage = null;
    for (PeerAddress holder : holders) {
      if (holder.equals(node.self()) || told.contains(holder)) {
        continue;
      }
      if (dropMessage == null) {
        dropMessage = ByteView.of(NodeRequest.newBuilder().setCache(cache).setDrop(Drop.newBuilder().setKey(key)).build());
      }
      sent.increment();
      long bound = grants.sending(holder);
      waits.add(held(null, holder, node.call(holder, CacheService.NAME, dropMessage, dropTimeout), bound));
    }
  }

  /**
   * An event sent to a member with listeners: waited for as a holder's drop if it holds a copy,
   * up to the invalidation timeout if its listeners are synchronous and it is available, else not.
   * Its answer says whether it listens, learned for {@code learnFor} (an unheard member's cache;
   * null for a member already heard, whose announcements keep this node's record of it).
   */
  private CompletableFuture<String> toListener(String learnFor, ListeningMembers.Listener l, boolean holds,
      ByteView event) {
    sent.increment();
    long bound = holds ? grants.sending(l.member()) : 0;
    CompletableFuture<ByteView> call = node.call(l.member(), CacheService.NAME, event, invalidationTimeout);
    if (holds) {
      return held(learnFor, l.member(), call, bound);
    }
    if (l.synchronous() && node.isAvailable(l.member())) {
      return call.handle((reply, failure) -> {
        if (failure != null) {
          late.increment();
          return null;
        }
        return answered(learnFor, reply);
      });
    }
    call.whenComplete((reply, failure) -> {
      if (failure != null) {
        late.increment();
      } else if (learnFor != null) {
        answered(learnFor, reply);
      }
    });
    return DONE;
  }

  /**
   * A drop (or event) sent to a holder of the key's copy: done when the holder confirms, or when its
   * copy lease has run out at {@code bound}, whichever comes first; learning as {@link #toListener}.
   */
  private CompletableFuture<String> held(String learnFor, PeerAddress holder, CompletableFuture<ByteView> call,
      long bound) {
    CompletableFuture<String> done = new CompletableFuture<>();
    call.whenComplete((reply, failure) -> {
      if (failure == null) {
        grants.confirmed(holder);
        done.complete(answered(learnFor, reply));
      } else {
        grants.unconfirmed(holder, bound);
      }
    });
    long wait = bound - ticker.read();
    if (wait <= 0) {
      if (done.complete(null)) {
        late.increment(); // its lease has run out already: nothing to wait for
      }
      return done;
    }
    ScheduledFuture<?> expiry = timer.schedule(() -> {
      if (done.complete(null)) {
        late.increment();
      }
    }, wait, TimeUnit.NANOSECONDS);
    done.whenComplete((r, e) -> expiry.cancel(false));
    return done;
  }

  /** All of them, done: the first failure text any of them completed with, or null. */
  private static CompletableFuture<String> firstFailure(List<CompletableFuture<String>> waits) {
    if (waits.size() == 1) {
      return waits.get(0);
    }
    return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
      for (CompletableFuture<String> w : waits) {
        String failure = w.join();
        if (failure != null) {
          return failure;
        }
      }
      return null;
    });
  }

  /**
   * A member's answer to an event, drop or announcement: learns its listeners on {@code cache} if
   * it states them and {@code cache} is not null; returns its listeners' failure, or null.
   */
  private String answered(String cache, ByteView reply) {
    NodeResponse r;
    try {
      r = NodeResponse.parseFrom(reply.asReadOnlyBuffer());
    } catch (InvalidProtocolBufferException e) {
      return null; // unreadable: its listeners are learned from its announcements
    }
    if (cache != null && r.hasListening()) {
      try {
        heard(cache, r.getListening());
      } catch (IllegalArgumentException e) {
        // not a member's address: nothing learned
      }
    }
    String f = r.getListenerFailure();
    return f.isEmpty() ? null : f;
  }

  /**
   * Drops and events a member did not confirm in time: the change went on once the member's copy
   * lease ran out, or its listeners' timeout passed. Peers' changes of state are logged by the
   * engine; these are counted.
   */
  long lateInvalidations() {
    return late.sum();
  }

  /** Changes published by this node as an owner. */
  long changes() {
    return changes.sum();
  }

  /** Drops and events sent to other members for those changes. */
  long sent() {
    return sent.sum();
  }

  /** Of those, events sent to members whose listeners this node had not heard of. */
  long unheardEvents() {
    return unheardEvents.sum();
  }
}
