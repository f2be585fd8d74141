package dev.groupcache;

import io.grpc.BindableService;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One member of a groupcache cluster: its groups, its view of the membership (the ring), its links
 * to the other members, and the gRPC server that answers them.
 *
 * <pre>{@code
 * Node node = Node.builder().self("10.0.0.7:7600").build();
 * Group pages = node.newGroup("pages", 256 << 20, key -> render(key));
 * node.setPeers(List.of("10.0.0.7:7600", "10.0.0.8:7600", "10.0.0.9:7600"));
 * ByteView page = pages.get(ByteView.of("/index.html"));
 * }</pre>
 *
 * <p>Membership comes from outside (a discovery source, or a static list) through
 * {@link #setPeers}; every node must be given the same set to agree on owners. A node that is not
 * in its own peer set owns no keys: it asks the owners for everything and loads only when they
 * fail. That is what a starting node does until discovery lists it.
 *
 * <p>Each node watches its links ({@link Builder#failureTimeout}): a peer that refuses connections,
 * or stays silent while this node waits on it, is suspected here, and its keys are unavailable here
 * at once (gets load locally, calls to it fail fast) until it answers again or leaves the ring.
 *
 * <p>Thread-safe. {@link #close()} stops the server and closes every link.
 */
public final class Node implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Node.class.getName());
  /** The calls one connection may have open at once on this node's server. */
  static final int MAX_CALLS_PER_CONNECTION = 1000;

  private final PeerAddress self;
  private final int vnodes;
  private final int maxKeyBytes;
  private final int maxValueBytes;
  private final MessageLimits limits;
  private final Executor loadExecutor;
  private final ExecutorService ownedExecutor;
  private final ChannelCredentials channelCredentials;
  private final Duration shutdownGrace;
  private final boolean membersOnly;
  private final InFlightBudget inFlight;
  private final PeerService service;
  private final FailureDetector detector;
  private final Map<String, Group> groups = new ConcurrentHashMap<>();
  private final List<Consumer<Group>> groupObservers = new CopyOnWriteArrayList<>();
  private final Map<String, PeerHandler> services = new ConcurrentHashMap<>();
  private final Map<PeerAddress, PeerClient> clients = new ConcurrentHashMap<>();
  private final Set<ServerExchange> exchanges = ConcurrentHashMap.newKeySet();
  private final Object membership = new Object();
  private final Server server;
  private final PeerTransport transport;
  private volatile Ring ring = Ring.empty();
  /**
   * The rings before the current one, newest first, with when each was replaced: where entries of
   * keys that moved were until then, through changes that come close together.
   */
  private volatile List<EarlierRing> earlierRings = List.of();
  private static final int EARLIER_RINGS = 4;

  private record EarlierRing(Ring ring, long replacedAt) {}
  private volatile MemberAddresses memberAddresses;
  /** The address the server is bound to, from which connections to peers leave; null: any. */
  private final InetAddress localAddress;
  /** Members that left at the last change, heard until {@link #departedUntil}: to hand over what they held. */
  private volatile MemberAddresses departed;
  private volatile long departedUntil = System.nanoTime();
  private final long departedGraceNanos;
  private volatile boolean closed;

  private Node(Builder b, PeerAddress self, PeerService service, Server server, PeerTransport transport) {
    this.self = self;
    this.service = service;
    this.server = server;
    this.transport = transport;
    this.vnodes = b.vnodes;
    this.maxKeyBytes = b.maxKeyBytes;
    this.maxValueBytes = b.maxValueBytes;
    this.limits = new MessageLimits(maxKeyBytes, maxValueBytes);
    this.channelCredentials = b.channelCredentials;
    this.shutdownGrace = b.shutdownGrace;
    this.membersOnly = b.membersOnly;
    this.inFlight = new InFlightBudget(b.maxInFlightPerPeer);
    this.memberAddresses = MemberAddresses.of(List.of(), self);
    this.departed = memberAddresses;
    this.departedGraceNanos = b.departedGrace.toNanos();
    this.localAddress = localAddress(b.bindHost);
    this.detector = new FailureDetector(self, b.failureTimeout,
        peer -> services.values().forEach(h -> h.peerBack(peer)));
    if (b.loadExecutor != null) {
      this.loadExecutor = b.loadExecutor;
      this.ownedExecutor = null;
    } else {
      AtomicInteger n = new AtomicInteger();
      this.ownedExecutor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "groupcache-load-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      this.loadExecutor = ownedExecutor;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Makes a group on this node. Every node of the cluster must make the same groups, with the same
   * loaders, before peers ask it for them; until then it answers NOT_FOUND and they load themselves.
   *
   * @throws IllegalStateException if this node already has a group of that name
   */
  public Group newGroup(GroupConfig config, Loader loader) {
    Group group = new Group(this, config, loader);
    if (groups.putIfAbsent(config.name(), group) != null) {
      throw new IllegalStateException("group '" + config.name() + "' already exists on " + self);
    }
    groupObservers.forEach(o -> o.accept(group));
    return group;
  }

  /**
   * Tells {@code observer} of each group this node has, then of each group made later, on the
   * thread that makes it. A group made while this runs may be told twice.
   */
  @Internal
  public void observeGroups(Consumer<Group> observer) {
    groupObservers.add(observer);
    groups.values().forEach(observer);
  }

  /** Makes a group with a budget of {@code maxBytes} and the other settings at their defaults. */
  public Group newGroup(String name, long maxBytes, Loader loader) {
    return newGroup(GroupConfig.builder(name).maxBytes(maxBytes).build(), loader);
  }

  public Optional<Group> group(String name) {
    return Optional.ofNullable(groups.get(name));
  }

  /**
   * Registers a service that peers can call: a higher layer's own protocol (the JCache provider's)
   * carried over this node's links. Every node must register it to be reachable through it.
   *
   * @throws IllegalStateException if a service of that name exists
   */
  @Internal
  public void registerService(String name, PeerHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (services.putIfAbsent(name, handler) != null) {
      throw new IllegalStateException("service '" + name + "' already exists on " + self);
    }
  }

  /** Removes a service; peers that call it afterwards are answered NOT_FOUND. */
  @Internal
  public void unregisterService(String name) {
    services.remove(name);
  }

  PeerHandler service(String name) {
    return services.get(name);
  }

  /**
   * Sends {@code request} to the owner of {@code key} on this node's ring, or hands it to the local
   * service if this node is the owner. A peer that does not own the key on its own ring refuses
   * rather than forwards; the call then waits for the rings to agree and asks again, until
   * {@code timeout}. The future fails with a {@link GroupcacheException} naming the cause if the
   * owner fails, refuses the service, cannot be reached, or no owner answers in time; a transport
   * failure is not retried, since the request may have been applied, and while the owner is
   * suspected ({@link #isAvailable}) calls fail at once.
   */
  @Internal
  public CompletableFuture<ByteView> callOwner(String service, ByteView key, ByteView request, Duration timeout) {
    return callOwner(service, key, request, timeout, false);
  }

  /**
   * As {@link #callOwner(String, ByteView, ByteView, Duration)}; with {@code idempotent}, a request
   * whose owner failed to answer (ended the stream, stopped, became unreachable) after the ring
   * moved its key elsewhere is sent again to the key's new owner, within {@code timeout}: for a
   * request that may safely be applied twice, such as a read, an owner leaving the ring must not
   * fail the calls that were waiting at it.
   */
  @Internal
  public CompletableFuture<ByteView> callOwner(String service, ByteView key, ByteView request, Duration timeout,
      boolean idempotent) {
    checkKey(key);
    CompletableFuture<ByteView> result = new CompletableFuture<>();
    new ServiceCall.ToOwner(this, service, key, request, System.nanoTime() + timeout.toNanos(), idempotent,
        result).attempt();
    return result;
  }

  /**
   * Sends {@code request} to one member's service, or hands it to the local one. While the member
   * is suspected ({@link #isAvailable}) the future fails at once with a
   * {@link PeerUnavailableException}.
   */
  @Internal
  public CompletableFuture<ByteView> call(PeerAddress peer, String service, ByteView request, Duration timeout) {
    if (peer.equals(self)) {
      return callLocal(service, null, request);
    }
    PeerClient client = peerClient(peer);
    if (client == null) {
      return CompletableFuture.failedFuture(new GroupcacheException(peer + " is not a member"));
    }
    String suspicion = client.suspicion();
    if (suspicion != null) {
      // Known unresponsive: fail now rather than make the caller wait out its timeout.
      return CompletableFuture.failedFuture(new PeerUnavailableException(peer, peer + " is unavailable (suspected: "
          + suspicion + ")", null, false));
    }
    CompletableFuture<ByteView> result = new CompletableFuture<>();
    client.call(ServiceCall.request(ring.version(), service, null, false, request), Math.max(1, timeout.toMillis()),
        new ServiceCall.ToMember(client, result));
    return result;
  }

  /**
   * Sends {@code message} to the service on every other member, in the order of this node's calls
   * to each, and completes with every member's reply once all have answered, failed, or run out of
   * {@code timeout}; a suspected member's reply is its failure, at once.
   */
  @Internal
  public CompletableFuture<List<PeerReply>> broadcast(String service, ByteView message, Duration timeout) {
    List<PeerAddress> others = new ArrayList<>();
    for (PeerAddress p : ring.peers()) {
      if (!p.equals(self)) {
        others.add(p);
      }
    }
    if (others.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<CompletableFuture<PeerReply>> replies = new ArrayList<>(others.size());
    for (PeerAddress peer : others) {
      replies.add(call(peer, service, message, timeout).handle((value, failure) ->
          new PeerReply(peer, failure == null ? value : null, failure == null ? null : ServiceCall.unwrap(failure))));
    }
    return CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
      List<PeerReply> all = new ArrayList<>(replies.size());
      for (CompletableFuture<PeerReply> r : replies) {
        all.add(r.join());
      }
      return all;
    });
  }

  /** Hands a request to this node's own service. */
  CompletableFuture<ByteView> callLocal(String service, ByteView key, ByteView request) {
    PeerHandler handler = services.get(service);
    if (handler == null) {
      return CompletableFuture.failedFuture(new GroupcacheException("no service '" + service + "' on " + self));
    }
    try {
      return handler.handle(self, key, request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Replaces the membership. The new ring takes effect at once for every later get; links to new
   * peers start connecting, and links to peers that left are closed after their in-flight requests
   * are answered.
   *
   * @param peers {@code host:port} addresses, this node's own included when it should own keys;
   *     IPv6 hosts in brackets
   * @throws IllegalArgumentException naming the first malformed address; the membership is then
   *     unchanged
   */
  public void setPeers(Collection<String> peers) {
    List<PeerAddress> parsed = new ArrayList<>(peers.size());
    for (String p : peers) {
      parsed.add(PeerAddress.parse(p));
    }
    MemberAddresses addresses = MemberAddresses.of(parsed, self); // host names resolve outside the lock
    List<PeerAddress> leaving = new ArrayList<>(ring.peers());
    leaving.removeAll(parsed);
    MemberAddresses left = leaving.isEmpty() ? null : MemberAddresses.of(leaving, self);
    synchronized (membership) {
      if (closed) {
        return;
      }
      Set<PeerAddress> next = new TreeSet<>(parsed);
      if (next.equals(new TreeSet<>(ring.peers()))) {
        return;
      }
      if (next.remove(self)) {
        next.add(self); // the ring names this node by this very instance: "is it mine?" is ==
      }
      // before the ring: a request routed by the new ring finds its sender a member here
      memberAddresses = addresses;
      if (left != null) {
        departed = left;
        departedUntil = System.nanoTime() + departedGraceNanos;
      }
      // Links to new members before the ring that names them, so a get routed by it finds its link;
      // they connect now: after a membership change the first request is often a herd's.
      for (PeerAddress peer : next) {
        if (!peer.equals(self)) {
          clients.computeIfAbsent(peer, this::connect);
        }
      }
      List<EarlierRing> earlier = new ArrayList<>(EARLIER_RINGS);
      earlier.add(new EarlierRing(ring, System.nanoTime()));
      earlier.addAll(earlierRings.subList(0, Math.min(EARLIER_RINGS - 1, earlierRings.size())));
      earlierRings = List.copyOf(earlier);
      ring = Ring.of(next, vnodes);
      clients.entrySet().removeIf(e -> {
        if (next.contains(e.getKey())) {
          return false;
        }
        detector.gone(e.getKey(), e.getValue().close());
        return true;
      });
      RingChangeEvent event = new RingChangeEvent();
      if (event.shouldCommit()) {
        event.version = Long.toHexString(ring.version());
        event.members = next.size();
        event.includesSelf = next.contains(self);
        event.commit();
      }
      LOG.log(Level.INFO, "{0}: ring {1} now has {2} peers{3}", self,
          Long.toHexString(ring.version()), next.size(),
          next.contains(self) ? "" : " (not including this node, which therefore owns no keys)");
    }
    services.values().forEach(PeerHandler::ringChanged);
  }

  /**
   * Whether {@code peer} left the ring at the last change and is still heard in its grace ({@link
   * Builder#departedGrace}): its services let it hand over what it held, and nothing else.
   */
  @Internal
  public boolean hasLeft(PeerAddress peer) {
    return System.nanoTime() - departedUntil < 0 && departed.contains(peer) && !ring.peers().contains(peer)
        && !peer.equals(self);
  }

  /** The current members, sorted. */
  public List<PeerAddress> peers() {
    return ring.peers();
  }

  /** The owner of {@code key} on the current ring, or this node if the ring is empty. */
  public PeerAddress ownerOf(ByteView key) {
    PeerAddress owner = ring.owner(key);
    return owner != null ? owner : self;
  }

  /**
   * The key's owner and the next {@code n - 1} distinct members after it on the current ring, in
   * ring order: where a provider keeps backups of the key. Fewer if the ring has fewer members;
   * just this node if the ring is empty.
   */
  @Internal
  public List<PeerAddress> replicasOf(ByteView key, int n) {
    List<PeerAddress> replicas = ring.replicas(key, n);
    return replicas.isEmpty() ? List.of(self) : replicas;
  }

  /**
   * Who owned {@code key} before its current owner, if the ring changed that within {@code
   * withinNanos}: where its entry was until then, for a new owner that has not received it yet.
   * Looks back over the last few changes, so that a key that moved here and then stayed through
   * another change close behind is still known to have moved. Null if it did not move lately.
   */
  @Internal
  public PeerAddress previousOwnerOf(ByteView key, long withinNanos) {
    long now = System.nanoTime();
    PeerAddress current = null;
    for (EarlierRing earlier : earlierRings) { // newest first
      if (now - earlier.replacedAt() > withinNanos) {
        return null;
      }
      current = current != null ? current : ring.owner(key);
      PeerAddress before = earlier.ring().owner(key);
      if (before != null && !before.equals(current)) {
        return before;
      }
    }
    return null;
  }

  /** A fingerprint of the membership, equal on two nodes exactly when their peer sets are. */
  public long ringVersion() {
    return ring.version();
  }

  public PeerAddress self() {
    return self;
  }

  /**
   * Whether this node would ask {@code peer} now: true for this node itself, false for an address
   * that is not a member or a member that is suspected (it refused connections, or was silent for
   * {@link #failureTimeout()} while this node waited on it), until it answers again.
   */
  @Internal
  public boolean isAvailable(PeerAddress peer) {
    if (peer.equals(self)) {
      return true;
    }
    PeerClient client = clients.get(peer);
    return client != null && client.available();
  }

  /** Each member of the current ring, with {@link #isAvailable} for it; sorted by address. */
  @Internal
  public Map<PeerAddress, Boolean> peerAvailability() {
    Map<PeerAddress, Boolean> states = new TreeMap<>();
    for (PeerAddress peer : ring.peers()) {
      states.put(peer, isAvailable(peer));
    }
    return Collections.unmodifiableMap(states);
  }

  /** How many times, since this node started, a peer became suspected. */
  @Internal
  public long suspicions() {
    return detector.suspicions();
  }

  /** How many times {@code peer} became suspected here while a member. */
  @Internal
  public long suspicions(PeerAddress peer) {
    return detector.suspicions(peer);
  }

  /** How many requests to {@code peer} failed here: refused, past their deadline, or cut off. */
  @Internal
  public long callErrors(PeerAddress peer) {
    return detector.callErrors(peer);
  }

  /** Sets what hears the round trips of this node's requests to its peers (one at a time). */
  @Internal
  public void observeRoundTrips(RoundTripObserver observer) {
    detector.observeRoundTrips(observer == null ? RoundTripObserver.NONE : observer);
  }

  /** How long a peer this node waits on may stay silent before it is suspected. */
  @Internal
  public Duration failureTimeout() {
    return detector.timeout();
  }

  /** The port the node's own server listens on, or -1 if it has none. */
  public int port() {
    return server != null ? server.getPort() : -1;
  }

  /**
   * The peer protocol as a gRPC service, for a node built with {@link Builder#serve(boolean)
   * serve(false)} whose application serves it from its own gRPC server. The server should run it on
   * a direct executor: its handlers never block.
   */
  public BindableService peerService() {
    return service;
  }

  /**
   * Leaves the cluster: stops accepting requests, ends the streams peers hold to this node (their
   * waiting requests fail over to their own loaders), closes the links to peers and waits up to the
   * shutdown grace for calls in progress.
   */
  @Override
  public void close() {
    synchronized (membership) {
      if (closed) {
        return;
      }
      closed = true;
    }
    detector.stop();
    if (server != null) {
      server.shutdown();
    }
    for (ServerExchange e : exchanges) {
      e.close();
    }
    clients.values().forEach(PeerClient::close);
    long deadline = System.nanoTime() + shutdownGrace.toNanos();
    try {
      if (server != null && !server.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
      }
      for (PeerClient c : clients.values()) {
        if (!c.channel().awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
          c.channel().shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (server != null) {
        server.shutdownNow();
      }
      clients.values().forEach(c -> c.channel().shutdownNow());
    }
    clients.clear();
    transport.close();
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  // ---- for groups and the service ----

  Ring ring() {
    return ring;
  }

  Executor loadExecutor() {
    return loadExecutor;
  }

  /**
   * The link to {@code peer}, made when the peer joined the ring; null if the peer is no longer a
   * member (a get routed with the ring that was current a moment ago) or this node has closed.
   */
  PeerClient peerClient(PeerAddress peer) {
    return clients.get(peer);
  }

  private PeerClient connect(PeerAddress peer) {
    return new PeerClient(peer, () -> fromBindHost(transport.configure(NettyChannelBuilder.forAddress(peer.host(),
            peer.port(), channelCredentials)))
        .directExecutor() // callbacks only complete futures; a hand-off would cost a thread wake-up
        // the exchange retries on its own terms; gRPC's retry would hold each stream's sent
        // messages for replay and add a layer to every message in both directions
        .disableRetry()
        .maxInboundMessageSize(limits.clientInboundBytes())
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .intercept(MetadataUtils.newAttachHeadersInterceptor(selfHeader()))
        .build(), limits, detector);
  }

  /**
   * Connections to peers leave from the address the server is bound to, if it is bound to one:
   * peers that check a member's requests come from its own host see the address they know it by,
   * also where several members share a machine on different addresses.
   */
  private NettyChannelBuilder fromBindHost(NettyChannelBuilder builder) {
    if (localAddress == null) {
      return builder;
    }
    return builder.localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
      @Override
      public SocketAddress createSocketAddress(SocketAddress remoteAddress, io.grpc.Attributes attrs) {
        return new InetSocketAddress(localAddress, 0);
      }
    });
  }

  /** The bind host as an address, or null for none or a wildcard (any interface). */
  private static InetAddress localAddress(String bindHost) {
    if (bindHost == null) {
      return null;
    }
    try {
      InetAddress address = InetAddress.getByName(bindHost);
      return address.isAnyLocalAddress() ? null : address;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("bind host " + bindHost + " does not resolve", e);
    }
  }

  /** The header that names this node to the peers it calls ({@link Caller}). */
  private Metadata selfHeader() {
    Metadata headers = new Metadata();
    headers.put(Caller.MEMBER, self.toString());
    return headers;
  }

  MessageLimits limits() {
    return limits;
  }

  /** The largest key accepted, here and from peers. */
  @Internal
  public int maxKeyBytes() {
    return maxKeyBytes;
  }

  /** The largest value loaded, served or accepted. */
  @Internal
  public int maxValueBytes() {
    return maxValueBytes;
  }

  /** Whether peer requests are taken only from current members ({@link Builder#membersOnly}). */
  boolean membersOnly() {
    return membersOnly;
  }

  /** Every peer's requests in flight here. */
  InFlightBudget inFlight() {
    return inFlight;
  }

  /**
   * The member that sent a request: the address the caller declares, if it is on this node's
   * ring and, with {@link #membersOnly}, the request's connection comes from that member's host.
   * Null for anyone else.
   */
  PeerAddress memberOf(Caller caller) {
    PeerAddress declared = caller.declared();
    if (declared == null) {
      return null;
    }
    if (heard(memberAddresses, declared, caller)) {
      return declared;
    }
    return System.nanoTime() - departedUntil < 0 && heard(departed, declared, caller) ? declared : null;
  }

  private boolean heard(MemberAddresses members, PeerAddress declared, Caller caller) {
    return membersOnly ? caller.remote() != null && members.matches(declared, caller.remote())
        : members.contains(declared);
  }

  void checkKey(ByteView key) {
    if (key.length() == 0 || key.length() > maxKeyBytes) {
      throw new IllegalArgumentException(
          "key of " + key.length() + " bytes: keys must have 1-" + maxKeyBytes + " bytes");
    }
  }

  void checkValue(ByteView value) {
    if (value.length() > maxValueBytes) {
      throw new ValueTooLargeException("value of " + value.length()
          + " bytes exceeds the limit of " + maxValueBytes + " bytes");
    }
  }

  /** Remembers an open stream from a peer so that {@link #close()} can end it. */
  void track(ServerExchange exchange) {
    exchanges.add(exchange);
  }

  void untrack(ServerExchange exchange) {
    exchanges.remove(exchange);
  }

  /** A loader produced a value larger than the node's value limit. */
  static final class ValueTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ValueTooLargeException(String message) {
      super(message);
    }
  }

  @Override
  public String toString() {
    return "Node[" + self + ", " + ring + "]";
  }

  /** Builds and starts a {@link Node}. */
  public static final class Builder {
    private String self;
    private String bindHost;
    private int port = -1;
    private boolean serve = true;
    private int vnodes = Ring.DEFAULT_VNODES;
    private int maxKeyBytes = 64 << 10;
    private int maxValueBytes = 4 << 20;
    private Executor loadExecutor;
    private ServerCredentials serverCredentials = InsecureServerCredentials.create();
    private ChannelCredentials channelCredentials = InsecureChannelCredentials.create();
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private Duration failureTimeout = FailureDetector.DEFAULT_TIMEOUT;
    private boolean membersOnly = true;
    private Duration departedGrace = Duration.ofSeconds(60);
    private int maxInFlightPerPeer = InFlightBudget.DEFAULT_PER_PEER;
    private int ioThreads = 1;

    private Builder() {}

    /**
     * This node's address as its peers reach it, {@code host:port}; required. The port may be left
     * out ({@code host} alone) when {@link #port} is given, and is then the port the server got.
     */
    public Builder self(String self) {
      this.self = Objects.requireNonNull(self, "self");
      return this;
    }

    /** The port to listen on; 0 picks a free one. Default: the port of {@link #self}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** The local address to listen on. Default: every interface. */
    public Builder bindHost(String bindHost) {
      this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
      return this;
    }

    /**
     * Whether the node starts its own gRPC server (the default). Without one the application serves
     * {@link #peerService()} from its own.
     */
    public Builder serve(boolean serve) {
      this.serve = serve;
      return this;
    }

    /** Points per peer on the ring. Default {@value Ring#DEFAULT_VNODES}; every node must agree. */
    public Builder vnodes(int vnodes) {
      if (vnodes < 1 || vnodes > 65536) {
        throw new IllegalArgumentException("vnodes must be 1-65536: " + vnodes);
      }
      this.vnodes = vnodes;
      return this;
    }

    /**
     * Whether peer requests are taken only from current members (the default): a request must
     * name a member of this node's ring as its sender ({@code groupcache-member}, which every
     * node's links send) and come from that member's host. Anyone else is answered
     * {@code PERMISSION_DENIED} to everything but a ping. Turn it off only where the address a
     * connection comes from is not the peer's, such as behind a service mesh's proxy, whose own
     * mutual TLS must then keep others out.
     */
    public Builder membersOnly(boolean membersOnly) {
      this.membersOnly = membersOnly;
      return this;
    }

    /**
     * How long a member that left the ring is still heard, as the member it was: to hand what it
     * held to the members that take its keys. Its services decide what such a member may still ask
     * ({@link #isMember} tells them apart). Default 60 s; zero refuses it at once.
     */
    public Builder departedGrace(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("departedGrace must not be negative: " + grace);
      }
      this.departedGrace = grace;
      return this;
    }

    /**
     * How many requests one peer (one IP address) may have in flight at this node: loads and
     * calls waiting for their answer. Beyond it a request is refused with
     * {@code RESOURCE_EXHAUSTED}. Default {@value InFlightBudget#DEFAULT_PER_PEER}.
     */
    public Builder maxInFlightPerPeer(int maxInFlightPerPeer) {
      if (maxInFlightPerPeer < 1) {
        throw new IllegalArgumentException("maxInFlightPerPeer must be positive: " + maxInFlightPerPeer);
      }
      this.maxInFlightPerPeer = maxInFlightPerPeer;
      return this;
    }

    /**
     * How many threads carry this node's peer traffic, its server's and its links' alike. Default
     * 1: a request that leads to another (an owner's backup, the answer that waits for it) then
     * never changes threads, which saves a wake-up per message; more pay only where one thread is
     * busy all the time with peer traffic. 1-64.
     */
    public Builder ioThreads(int ioThreads) {
      if (ioThreads < 1 || ioThreads > 64) {
        throw new IllegalArgumentException("ioThreads must be 1-64: " + ioThreads);
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /** The largest key accepted, here and from peers. Default 64 KiB. */
    public Builder maxKeyBytes(int maxKeyBytes) {
      if (maxKeyBytes < 1 || maxKeyBytes > (16 << 20)) {
        throw new IllegalArgumentException("maxKeyBytes must be 1-16777216: " + maxKeyBytes);
      }
      this.maxKeyBytes = maxKeyBytes;
      return this;
    }

    /** The largest value loaded, served or accepted. Default 4 MiB. */
    public Builder maxValueBytes(int maxValueBytes) {
      if (maxValueBytes < 1 || maxValueBytes > (256 << 20)) {
        throw new IllegalArgumentException("maxValueBytes must be 1-268435456: " + maxValueBytes);
      }
      this.maxValueBytes = maxValueBytes;
      return this;
    }

    /** Where loaders run. Default: a pool of daemon threads that grows with concurrent loads. */
    public Builder loadExecutor(Executor loadExecutor) {
      this.loadExecutor = Objects.requireNonNull(loadExecutor, "loadExecutor");
      return this;
    }

    /** Credentials of the node's server, such as TLS with client authentication. Default: plaintext. */
    public Builder serverCredentials(ServerCredentials credentials) {
      this.serverCredentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Credentials for connecting to peers. Default: plaintext. */
    public Builder channelCredentials(ChannelCredentials credentials) {
      this.channelCredentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** How long {@link #close()} waits for calls in progress. Default 5 s. */
    public Builder shutdownGrace(Duration shutdownGrace) {
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative: " + shutdownGrace);
      }
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    /**
     * How long a peer may stay silent while this node waits on it (for answers, or for a ping this
     * node sends every quarter of this when it has heard nothing) before the node suspects it: its
     * waiting requests fail at once, and its keys are unavailable here (gets load locally, calls to
     * it fail at once) until it answers again. A refused connection or a broken stream makes a
     * peer suspected at once. Default 2 s; 100 ms to 1 min. Shorter detects sooner but mistakes a
     * longer GC pause or a slower network for a failure.
     */
    public Builder failureTimeout(Duration failureTimeout) {
      Objects.requireNonNull(failureTimeout, "failureTimeout");
      if (failureTimeout.compareTo(FailureDetector.MIN_TIMEOUT) < 0
          || failureTimeout.compareTo(FailureDetector.MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException("failureTimeout must be 100 ms to 1 min: " + failureTimeout);
      }
      this.failureTimeout = failureTimeout;
      return this;
    }

    /**
     * Starts the node's server (unless {@code serve(false)}) and returns the node, with no peers
     * yet.
     *
     * @throws UncheckedIOException if the server cannot bind its port
     */
    public Node build() {
      if (self == null) {
        throw new IllegalStateException("self (this node's host:port) is required");
      }
      boolean hostOnly = self.startsWith("[") ? !self.contains("]:") : self.indexOf(':') < 0;
      int listenPort = port;
      if (listenPort < 0) {
        if (hostOnly) {
          throw new IllegalStateException("self '" + self + "' has no port and no port() was given");
        }
        listenPort = PeerAddress.parse(self).port();
      }
      PeerService service = new PeerService();
      PeerTransport transport = new PeerTransport(ioThreads, "groupcache-io");
      Server server = null;
      PeerAddress address;
      try {
        if (serve) {
          server = startServer(service, listenPort, transport);
          listenPort = server.getPort();
        }
        address = hostOnly ? PeerAddress.of(self, listenPort) : PeerAddress.parse(self);
      } catch (RuntimeException e) {
        if (server != null) {
          server.shutdownNow();
        }
        transport.close();
        throw e;
      }
      Node node = new Node(this, address, service, server, transport);
      service.attach(node); // until now the server answered UNAVAILABLE
      node.detector.start(node.clients::values);
      return node;
    }

    private Server startServer(PeerService service, int listenPort, PeerTransport transport) {
      InetSocketAddress address = bindHost == null
          ? new InetSocketAddress(listenPort)
          : new InetSocketAddress(bindHost, listenPort);
      try {
        return transport.configure(NettyServerBuilder.forAddress(address, serverCredentials))
            .directExecutor() // handlers never block; a hand-off would cost a thread wake-up
            .addService(service)
            .maxInboundMessageSize(new MessageLimits(maxKeyBytes, maxValueBytes).serverInboundBytes())
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            // one connection's calls at once; a member's own traffic runs on one stream
            .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
            .build()
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen on " + address, e);
      }
    }
  }
}
