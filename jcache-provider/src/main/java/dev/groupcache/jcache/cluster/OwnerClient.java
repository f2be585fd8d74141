package dev.groupcache.jcache.cluster;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.groupcache.ByteView;
import dev.groupcache.GroupcacheException;
import dev.groupcache.Node;
import dev.groupcache.PeerAddress;
import dev.groupcache.PeerReply;
import dev.groupcache.PeerUnavailableException;
import dev.groupcache.jcache.expiry.Ttl;
import dev.groupcache.jcache.management.CacheCounters;
import dev.groupcache.jcache.proto.Clear;
import dev.groupcache.jcache.proto.Condition;
import dev.groupcache.jcache.proto.Entries;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Entry;
import dev.groupcache.jcache.proto.Loaded;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.proto.NodeResponse;
import dev.groupcache.jcache.proto.OwnerRequest;
import dev.groupcache.jcache.proto.OwnerResponse;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.cache.CacheException;
import javax.cache.event.CacheEntryListenerException;

/**
 * One cache's requests to the cluster from this node: typed operations on the owners of its keys
 * (every protobuf message of the owner protocol is built here), requests to every member, and the
 * near copies of other owners' entries ({@link NearCopies}).
 *
 * <p>Expiry arguments are the wire's milliseconds ({@link Ttl}): {@link Ttl#UNCHANGED} sends
 * nothing and leaves an entry's expiry as it is.
 *
 * <p>Long (over 400 lines) because it is the one place where owner messages are built: one short
 * typed method per operation of the protocol.
 */
public final class OwnerClient {
  /** How often a compound operation reads and writes again while its key keeps changing. */
  public static final int MAX_ATTEMPTS = 1_000;
  private static final int PAGE = 1_000;
  // the reads that carry no expiry, built once: most gets send one of these
  private static final Read PLAIN = Read.getDefaultInstance();
  private static final Read LEASE = Read.newBuilder().setLease(true).build();
  private static final Read QUIET = Read.newBuilder().setQuiet(true).build();

  private final Node node;
  private final CacheService service;
  private final String cache;
  private final Duration timeout;
  private final NearCopies near; // null: no copies
  private final CopyLeases leases;
  private final Ticker ticker;
  private final String self;
  private final long nearTtlMillis;
  private final NearCopies.Owners nearOwners; // made once: a near hit allocates nothing
  private final int backups;
  private final CacheCounters counters = new CacheCounters();
  private final SharedReads shared;

  /**
   * @param nearBytes the budget of near copies; 0 keeps none
   * @param backups how many members after a key's owner hold its entry: who may act for an owner
   *     that does not answer
   * @param ticker the clock near copies expire by
   */
  public OwnerClient(Node node, CacheService service, String cache, Duration timeout, long nearBytes, Duration nearTtl,
      int backups, Ticker ticker) {
    this.backups = backups;
    this.node = node;
    this.service = service;
    this.cache = cache;
    this.timeout = timeout;
    this.shared = new SharedReads(maxWaitMillis());
    this.near = NearCopies.of(nearBytes, nearTtl, timeout, ticker);
    this.leases = service == null ? null : service.leases();
    if (service != null) {
      service.countOwnedHits(counters);
    }
    this.ticker = ticker;
    this.self = node.self().toString();
    this.nearTtlMillis = nearTtl.toMillis();
    this.nearOwners = new NearCopies.Owners() {
      @Override
      public PeerAddress ownerElsewhere(ByteView key) {
        PeerAddress owner = node.ownerOf(key);
        return owner.equals(node.self()) ? null : owner;
      }

      @Override
      public boolean isAvailable(PeerAddress member) {
        return node.isAvailable(member);
      }
    };
  }

  public String cache() {
    return cache;
  }

  /** This cache's near copies, or null if it keeps none. */
  public NearCopies nearCopies() {
    return near;
  }

  /** The member that owns the key on this node's ring now. */
  public PeerAddress ownerOf(ByteView key) {
    return node.ownerOf(key);
  }

  /** Whether this node owns the key now. */
  public boolean ownsHere(ByteView key) {
    return node.ownerOf(key).equals(node.self());
  }

  /**
   * What a get that changes nothing at the owner (no access expiry) may answer with here, counted
   * as answered here, or null for {@link #get} to ask the owner: this node's own live entry if it
   * owns the key, else its near copy of another owner's. An owned entry found here is the usual
   * case and is answered without looking its owner up on the ring (the store remembers it).
   */
  public ByteView localValue(ByteView key) {
    ByteView value = service == null ? null : service.liveValue(cache, key);
    if (value != null) {
      counters.answeredInProcess();
      return value;
    }
    PeerAddress owner = node.ownerOf(key);
    if (owner.equals(node.self())) {
      return null;
    }
    ByteView copy = near == null ? null : near.get(key, owner, nearOwners);
    if (copy != null) {
      counters.nearHit();
    }
    return copy;
  }

  /** What a cache's gets ask their owner, fixed by its configuration: built once, sent by every get. */
  public static final class GetRead {
    private final Read read;
    private final Read holding; // the same read from a node that keeps a copy of the answer

    private GetRead(Read read, Read holding) {
      this.read = read;
      this.holding = holding;
    }
  }

  /**
   * The read of a get: with {@code lease}, a miss makes the caller the key's loader (the answer's
   * lease) or waits for another's load; {@code accessTtl} applies on a hit.
   */
  public GetRead getRead(boolean lease, long accessTtl) {
    Read read = accessTtl == Ttl.UNCHANGED ? (lease ? LEASE : PLAIN)
        : Read.newBuilder().setLease(lease).setAccessTtlMillis(accessTtl).build();
    return new GetRead(read, read.toBuilder().setHolder(self).setCopyMillis(nearTtlMillis).build());
  }

  /**
   * Reads an entry for a get; with {@code keepCopy}, a present answer is kept as a near copy. Gets
   * of a key another member owns share reads ({@link SharedReads}). The answer is counted by where
   * it came from, unless it asks the caller to try again.
   */
  public OwnerResponse get(ByteView key, GetRead read, boolean keepCopy) {
    long ring = node.ringVersion(); // before the owner is read from it
    PeerAddress owner = node.ownerOf(key);
    boolean owned = owner.equals(node.self());
    OwnerResponse r;
    if (owned) {
      r = await(service.read(cache, key, read.read));
    } else if (keepCopy && near != null) {
      r = shared.read(key, read.holding, () -> readToKeep(key, owner, ring, read.holding));
    } else {
      r = shared.read(key, read.read,
          () -> remote(key, OwnerRequest.newBuilder().setCache(cache).setRead(read.read).build(), true));
    }
    if (r.getRetry()) {
      return r;
    }
    if (keptCopy(r)) {
      counters.nearHit();
    } else {
      counters.answered(r.getPresent() && !r.getLoadedForRead(), owned);
    }
    return r;
  }

  /**
   * Whether a read's answer is this node's own copy ({@link #readToKeep}) rather than an owner's:
   * present with no version, which an owner's answer of an entry always has.
   */
  private static boolean keptCopy(OwnerResponse r) {
    return r.getPresent() && r.getVersion() == 0;
  }

  /** The near copies this node holds of the cache's entries. */
  public long nearEntries() {
    return near == null ? 0 : near.size();
  }

  /** The cache closed here: its gets no longer count on this node. */
  public void close() {
    if (service != null) {
      service.stopCounting(counters);
    }
  }

  /** This cache's counters on this node. */
  public CacheCounters counters() {
    return counters;
  }

  /**
   * Begins a load whose value may be kept as a near copy, returning the change counter for {@link
   * #keepLoaded} (0 without copies); end it with {@link #endNearRead} whatever the load did.
   */
  public long beginNearRead() {
    return near == null ? 0 : near.beginRead();
  }

  /** Ends what {@link #beginNearRead} began. */
  public void endNearRead() {
    if (near != null) {
      near.endRead();
    }
  }

  /**
   * Keeps a value loaded here, while the key's owner was unavailable, as a near copy, so that the
   * next gets do not load it again; unless the key changed since {@code before}. Its owner drops
   * it with any change, as it does every copy.
   */
  public void keepLoaded(ByteView key, ByteView value, long before) {
    if (near != null) {
      near.keepLoaded(key, value, before);
    }
  }

  /** The failure of a key that kept changing under {@link #MAX_ATTEMPTS} attempts to change it. */
  public CacheException contended(Object key) {
    return new CacheException("key " + key + " of cache " + CacheIds.name(cache) + " kept changing under "
        + MAX_ATTEMPTS + " attempts to change it");
  }

  /** A synchronous listener's failure, somewhere, reported in the owner's answer to a change, thrown here. */
  public static void listenerFailure(OwnerResponse r) {
    if (!r.getListenerFailure().isEmpty()) {
      throw new CacheEntryListenerException(r.getListenerFailure());
    }
  }

  /** Reads an entry without touching its expiry or counting as an access. */
  public OwnerResponse peek(ByteView key) {
    return read(key, QUIET);
  }

  /** Applies an access expiry to an entry just read. */
  public void touch(ByteView key, long accessTtl) {
    if (accessTtl != Ttl.UNCHANGED) {
      read(key, Read.newBuilder().setAccessTtlMillis(accessTtl).build());
    }
  }

  /**
   * Reads an entry at its owner. A read changes nothing but an access time, so one whose owner
   * leaves the ring while it waits there is asked again of the new owner rather than failed.
   */
  private OwnerResponse read(ByteView key, Read read) {
    if (ownsHere(key)) { // this node's own store: no request to build
      return await(service.read(cache, key, read));
    }
    return remote(key, OwnerRequest.newBuilder().setCache(cache).setRead(read).build(), true);
  }

  /**
   * Reads an entry at another owner as a holder, and keeps a present answer as a near copy under
   * the copy lease it grants; unless the ring changed meanwhile (another member may have answered
   * than the one whose lease it would be kept under).
   */
  private OwnerResponse readToKeep(ByteView key, PeerAddress owner, long ring, Read read) {
    // A read whose gets waited for the read before it (SharedReads) finds that read's answer kept
    // as a copy, valid as any near copy is now, after each of those gets began: it answers them
    // without another round trip. (A herd on another member's key: one read to the owner per
    // member, whose answer, waited for through the owner's load, comes with a copy lease.)
    ByteView copy = near.get(key, owner, nearOwners);
    if (copy != null) {
      return OwnerResponse.newBuilder().setPresent(true).setValue(OwnerStore.bytes(copy)).build();
    }
    long before = near.beginRead();
    try {
      long sentAt = ticker.read();
      OwnerResponse r = remote(key, OwnerRequest.newBuilder().setCache(cache).setRead(read).build(), true);
      if (r.getPresent() && r.getLease() == 0 && r.getCopyLeaseMillis() > 0 && node.ringVersion() == ring) {
        CopyLease lease = leases.of(owner);
        long term = leases.renewed(lease, sentAt, r.getCopyLeaseMillis(), r.getOwnerIncarnation());
        if (term >= 0) {
          near.keep(key, r, before, sentAt, lease, term);
        }
      }
      return r;
    } finally {
      near.endRead();
    }
  }

  /** Puts whatever is there, with the expiry of a creation and of an update (the owner picks). */
  public OwnerResponse put(ByteView key, ByteView value, long createTtl, long updateTtl, boolean returnOld) {
    Write.Builder w = Write.newBuilder().setCondition(Condition.ANY).setValue(OwnerStore.bytes(value)).setReturnOld(returnOld);
    return write(key, expiring(w, createTtl, updateTtl).build());
  }

  /** Puts only if there is no entry. */
  public OwnerResponse putIfAbsent(ByteView key, ByteView value, long createTtl) {
    Write.Builder w = Write.newBuilder().setCondition(Condition.ABSENT).setValue(OwnerStore.bytes(value));
    return write(key, expiring(w, createTtl, Ttl.UNCHANGED).build());
  }

  /** Puts only if there is an entry, with an update's expiry. */
  public OwnerResponse putIfPresent(ByteView key, ByteView value, long updateTtl, boolean returnOld) {
    Write.Builder w = Write.newBuilder().setCondition(Condition.PRESENT).setValue(OwnerStore.bytes(value))
        .setReturnOld(returnOld);
    return write(key, expiring(w, Ttl.UNCHANGED, updateTtl).build());
  }

  /**
   * Puts only if the entry is still as a read saw it: absent ({@code version} 0) or of {@code
   * version}; with the expiry of a creation or of an update, whichever the caller asked for.
   */
  public OwnerResponse putIfVersion(ByteView key, ByteView value, long version, long createTtl, long updateTtl,
      boolean returnOld) {
    Write.Builder w = Write.newBuilder().setCondition(Condition.VERSION).setExpectedVersion(version)
        .setValue(OwnerStore.bytes(value)).setReturnOld(returnOld);
    return write(key, expiring(w, createTtl, updateTtl).build());
  }

  /**
   * Puts if the entry is still as {@code snapshot} saw it (absent, or of its version), asking
   * {@code ttl} only what applies: a creation's expiry, or an update's.
   */
  public OwnerResponse putOver(ByteView key, ByteView value, OwnerResponse snapshot, Ttl ttl, boolean returnOld) {
    return snapshot.getPresent()
        ? putIfVersion(key, value, snapshot.getVersion(), Ttl.UNCHANGED, ttl.update(), returnOld)
        : putIfVersion(key, value, 0, ttl.creation(), Ttl.UNCHANGED, returnOld);
  }

  /** Removes whatever is there. */
  public OwnerResponse remove(ByteView key, boolean returnOld) {
    return write(key, Write.newBuilder().setCondition(Condition.ANY).setRemove(true).setReturnOld(returnOld).build());
  }

  /** Removes the entry only if it is still of {@code version}. */
  public OwnerResponse removeIfVersion(ByteView key, long version) {
    return write(key, Write.newBuilder().setCondition(Condition.VERSION).setExpectedVersion(version).setRemove(true)
        .build());
  }

  /** Writes of many keys begun together, sent as one request per owner ({@link WriteBatch}). */
  public WriteBatch batch() {
    return new WriteBatch(this, node, service, cache);
  }

  Duration timeout() {
    return timeout;
  }

  static Write.Builder expiring(Write.Builder w, long createTtl, long updateTtl) {
    if (createTtl != Ttl.UNCHANGED) {
      w.setCreateTtlMillis(createTtl);
    }
    if (updateTtl != Ttl.UNCHANGED) {
      w.setUpdateTtlMillis(updateTtl);
    }
    return w;
  }

  private OwnerResponse write(ByteView key, Write write) {
    if (near != null) {
      near.drop(key); // this node's own copy goes at once; the owner's event drops it again, and elsewhere
    }
    return call(key, OwnerRequest.newBuilder().setCache(cache).setWrite(write).build());
  }

  /** Ends the load lease this node holds with the loaded value; stores it unless someone put meanwhile. */
  public OwnerResponse loaded(ByteView key, long lease, ByteView value, long createTtl) {
    Loaded.Builder l = Loaded.newBuilder().setLease(lease).setHasValue(true).setValue(OwnerStore.bytes(value));
    if (createTtl != Ttl.UNCHANGED) {
      l.setCreateTtlMillis(createTtl);
    }
    return loaded(key, l.build());
  }

  /** Ends the load lease this node holds with nothing loaded; {@code failure} (or null) tells the waiters why. */
  public OwnerResponse loadedNothing(ByteView key, long lease, String failure) {
    Loaded.Builder l = Loaded.newBuilder().setLease(lease);
    if (failure != null) {
      l.setFailure(failure);
    }
    return loaded(key, l.build());
  }

  private OwnerResponse loaded(ByteView key, Loaded loaded) {
    return call(key, OwnerRequest.newBuilder().setCache(cache).setLoaded(loaded).build());
  }

  /** Forgets this node's copy of a key: an owner changed it. */
  public void drop(ByteView key) {
    if (near != null) {
      near.drop(key);
    }
  }

  /** Forgets every copy. */
  public void dropAll() {
    if (near != null) {
      near.dropAll();
    }
  }

  /** Drops every entry of the cache on every member, without events. */
  public void clearEverywhere() {
    ByteView clear = ByteView.of(NodeRequest.newBuilder().setCache(cache).setClear(Clear.getDefaultInstance())
        .build());
    List<PeerReply> replies = await(node.broadcast(CacheService.NAME, clear, timeout));
    service.clearHere(cache);
    for (PeerReply r : replies) {
      if (!r.succeeded()) {
        throw new CacheException("clearing cache " + CacheIds.name(cache) + " on " + r.peer() + " failed: "
            + r.failure().getMessage(), r.failure());
      }
    }
  }

  /**
   * Every live entry of the cache, member by member, fetched a page at a time. With {@code
   * skipUnavailable} (a read), a member that cannot be asked is skipped, its entries absent;
   * without (for a write), it fails the iteration with an {@link OwnerUnavailableException}.
   */
  public Iterator<Entry> entries(boolean skipUnavailable) {
    List<PeerAddress> members = new ArrayList<>(node.peers());
    if (!members.contains(node.self())) {
      members.add(node.self());
    }
    return new Iterator<>() {
      private final ArrayDeque<Entry> page = new ArrayDeque<>();
      private int member = -1;
      private ByteView after;
      private boolean more;

      @Override
      public boolean hasNext() {
        while (page.isEmpty()) {
          if (!more) {
            if (++member >= members.size()) {
              return false;
            }
            after = null;
          }
          EntriesPage p;
          try {
            p = fetch(members.get(member), after);
          } catch (OwnerUnavailableException e) {
            if (!skipUnavailable) {
              throw e;
            }
            // its entries cannot be reached: read as absent
            if (service != null) {
              service.unavailableRead();
            }
            more = false;
            continue;
          }
          page.addAll(p.getEntriesList());
          more = p.getMore() && !p.getEntriesList().isEmpty();
          if (!p.getEntriesList().isEmpty()) {
            after = ByteView.copyOf(p.getEntries(p.getEntriesCount() - 1).getKey());
          }
        }
        return true;
      }

      @Override
      public Entry next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.poll();
      }
    };
  }

  private EntriesPage fetch(PeerAddress member, ByteView after) {
    Entries.Builder entries = Entries.newBuilder().setLimit(PAGE);
    if (after != null) {
      entries.setAfter(OwnerStore.bytes(after));
    }
    ByteView request = ByteView.of(NodeRequest.newBuilder().setCache(cache).setEntries(entries).build());
    ByteView reply = await(node.call(member, CacheService.NAME, request, timeout));
    try {
      return NodeResponse.parseFrom(reply.asReadOnlyBuffer()).getPage();
    } catch (InvalidProtocolBufferException e) {
      throw new CacheException(member + " sent an unreadable page of cache " + CacheIds.name(cache), e);
    }
  }

  OwnerResponse call(ByteView key, OwnerRequest request) {
    return call(key, request, repeatable(request));
  }

  /**
   * As {@link #call(ByteView, OwnerRequest)}; {@code repeatable} says that the request may be sent
   * again after an attempt that went unanswered, as for a write whose answer only counts (a
   * putAll's or removeAll's).
   */
  OwnerResponse call(ByteView key, OwnerRequest request, boolean repeatable) {
    if (ownsHere(key)) { // this node's own store: no serialization, no hop
      return await(service.answer(key, request));
    }
    return remote(key, request, false, true, repeatable);
  }

  private OwnerResponse remote(ByteView key, OwnerRequest request, boolean idempotent) {
    return remote(key, request, idempotent, true, repeatable(request));
  }

  private OwnerResponse remote(ByteView key, OwnerRequest request, boolean idempotent, boolean mayIntroduce,
      boolean repeatable) {
    ByteView reply;
    try {
      reply = await(node.callOwner(CacheService.NAME, key, ByteView.of(request), timeout, idempotent));
    } catch (OwnerUnavailableException unavailable) {
      if (mayIntroduce && service != null && service.introductions().introduce(cache, unavailable.getCause())) {
        // the owner had not heard of the cache, and refused the request unapplied: it has heard now
        return remote(key, request, idempotent, false, repeatable);
      }
      if (backups == 0 || service == null) {
        throw unavailable;
      }
      if (!repeatable && mayHaveArrived(unavailable)) {
        throw undecided(unavailable);
      }
      return acting(key, request, repeatable, unavailable);
    }
    return parse(reply);
  }

  /**
   * Whether sending {@code request} a second time, to the owner or to a member acting for it, is
   * as good as sending it once: a read, a loaded value, or a put whose answer the caller does not
   * use. A conditional write, a remove or a put that returns the old value answers by what it
   * found, which its own first attempt may have changed; an entry processor runs again.
   */
  static boolean repeatable(OwnerRequest request) {
    if (request.hasWrite()) {
      Write w = request.getWrite();
      return w.getCondition() == Condition.ANY && !w.getRemove() && !w.getReturnOld();
    }
    return true;
  }

  /** Whether the failed request may have reached its member (and been applied there). */
  private static boolean mayHaveArrived(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PeerUnavailableException p) {
        return p.mayHaveArrived();
      }
    }
    return true; // no answer in time, or nothing says it was not sent
  }

  /**
   * The failure of a change that was sent and not answered: the member may have applied it, and
   * then its backups hold it too, so it is not sent again elsewhere (it could apply twice, and
   * answer by what its first attempt did).
   */
  private OwnerUnavailableException undecided(CacheException failure) {
    return new OwnerUnavailableException("cache " + CacheIds.name(cache) + ": the key's owner did not answer, and may"
        + " have applied the change; it is not sent again, lest it apply twice: " + failure.getMessage(), failure);
  }

  private static OwnerResponse parse(ByteView reply) {
    try {
      return OwnerResponse.parseFrom(reply.asReadOnlyBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new CacheException("an unreadable answer from the owner: " + e.getMessage(), e);
    }
  }

  /** How long a caller waits between asking a key's backup to act and asking again. */
  private static final long ACTING_RETRY_MILLIS = 20;

  /**
   * Sends an operation on a key whose owner does not answer to the first available member among its
   * backups, which acts as the owner once it finds the owner unavailable too (until then it refuses,
   * and this asks again, within the timeout). A read keeps no copy of the answer: its lease would be
   * the acting member's, not the owner's. Throws {@code unavailable} if no backup can act.
   */
  private OwnerResponse acting(ByteView key, OwnerRequest request, boolean repeatable,
      OwnerUnavailableException unavailable) {
    OwnerRequest sent = request.hasRead() && !request.getRead().getHolder().isEmpty()
        ? request.toBuilder().setRead(request.getRead().toBuilder().clearHolder().clearCopyMillis()).build()
        : request;
    ByteView relayed = ByteView.of(NodeRequest.newBuilder().setCache(cache)
        .setActing(dev.groupcache.jcache.proto.Acting.newBuilder().setKey(OwnerStore.bytes(key)).setRequest(sent))
        .build());
    long deadline = System.nanoTime() + timeout.toNanos();
    CacheException last = unavailable;
    while (System.nanoTime() - deadline < 0) {
      List<PeerAddress> replicas = node.replicasOf(key, backups + 1);
      if (node.isAvailable(replicas.get(0))) {
        return parse(await(node.callOwner(CacheService.NAME, key, ByteView.of(request), timeout, false)));
      }
      PeerAddress actor = null;
      for (int i = 1; i < replicas.size() && actor == null; i++) {
        actor = node.isAvailable(replicas.get(i)) ? replicas.get(i) : null;
      }
      if (actor == null) {
        break;
      }
      try {
        if (actor.equals(node.self())) {
          return await(service.actingHere(cache, key, sent));
        }
        ByteView reply = await(node.call(actor, CacheService.NAME, relayed, timeout));
        return NodeResponse.parseFrom(reply.asReadOnlyBuffer()).getActed();
      } catch (InvalidProtocolBufferException e) {
        throw new CacheException("an unreadable answer from " + actor + ": " + e.getMessage(), e);
      } catch (CacheException e) {
        if (!refusedToAct(e)) {
          throw e; // the acting member's verdict on the operation, such as a listener failure
        }
        if (e instanceof OwnerUnavailableException && !repeatable && mayHaveArrived(e)) {
          throw undecided(e); // it did not answer: it may have applied it
        }
        last = e; // it does not find the owner unavailable yet, or itself became unavailable
      }
      try {
        Thread.sleep(ACTING_RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw last instanceof OwnerUnavailableException u ? u
        : new OwnerUnavailableException("cache " + CacheIds.name(cache) + ": the owner of the key is unavailable and"
            + " no backup could act for it: " + last.getMessage(), last);
  }

  /** Whether an acting request failed because the member may not (yet) act, or could not be reached. */
  private static boolean refusedToAct(CacheException e) {
    if (e instanceof OwnerUnavailableException) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.ABORTED) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains(Replication.NOT_ACTING)) {
        return true;
      }
    }
    return false;
  }

  /** How long a caller waits for an answer: the request's timeout and time for a backup to act. */
  private long maxWaitMillis() {
    return timeout.toMillis() + 5_000;
  }

  /** Waits a little longer than the call's own deadline, which fails it first. */
  <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(maxWaitMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    } catch (TimeoutException e) {
      throw new OwnerUnavailableException("cache " + CacheIds.name(cache) + ": no answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("interrupted", e);
    } catch (GroupcacheException e) {
      throw failure(e);
    }
  }

  /** A failed request as the caller sees it: an {@link OwnerUnavailableException} if the peer was. */
  private CacheException failure(Throwable cause) {
    String message = "cache " + CacheIds.name(cache) + ": " + cause.getMessage();
    return cause instanceof PeerUnavailableException ? new OwnerUnavailableException(message, cause)
        : new CacheException(message, cause);
  }
}
