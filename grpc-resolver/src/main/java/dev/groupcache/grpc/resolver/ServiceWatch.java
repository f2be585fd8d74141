package dev.groupcache.grpc.resolver;

import dev.groupcache.discovery.Discovery;
import dev.groupcache.discovery.DiscoveryConfig;
import dev.groupcache.discovery.DiscoveryMode;
import dev.groupcache.discovery.KubernetesAccess;
import dev.groupcache.discovery.PeerListener;
import dev.groupcache.discovery.PeerSet;
import dev.groupcache.discovery.PeerSource;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One watch of one Service's EndpointSlices, shared by every resolver that targets it, through the
 * discovery module's {@link PeerSource} (which aggregates all of the Service's slices, takes a
 * missing {@code ready} as ready, and leaves terminating endpoints out).
 *
 * <p>Everything that decides what the resolvers see runs on one thread per watch, so they see
 * the views in order and a slow resolver cannot hold up the discovery module's own thread.
 */
final class ServiceWatch {
  private static final System.Logger LOG = System.getLogger(ServiceWatch.class.getName());

  /**
   * The port the source writes when the targets give numbers. kuberesolver's rule, kept here, is
   * that a number is used as is, whatever the slices say; so one source serves every number, and
   * each resolver puts its own in place of this one.
   */
  static final int ANY_NUMBER = 1;

  /** How long the starting thread waits for the source; the source goes on trying after it. */
  private static final Duration START_WAIT = Duration.ofSeconds(30);

  /** The Service and port a watch serves. {@code port}: a port name, "#" for numbers, "" for the only port. */
  record Key(String namespace, String service, String port) {
    static Key of(KubernetesTarget target) {
      String port = target.portName() != null ? target.portName() : target.port() > 0 ? "#" : "";
      return new Key(target.namespace(), target.service(), port);
    }

    @Override
    public String toString() {
      return namespace + "/" + service + (port.equals("#") ? "" : port.isEmpty() ? " (its only port)" : " port " + port);
    }
  }

  /** One endpoint's address; its port is {@link #ANY_NUMBER} when the targets give numbers. */
  record Address(InetAddress ip, int port) {}

  /**
   * What the resolvers are told: the ready endpoints, or why there are none.
   *
   * @param error a resolution error (unknown Service or port, refused, unreachable), or null
   * @param reason why the set is empty, for the error message of the calls that fail; null if not
   */
  record View(List<Address> addresses, int draining, String error, String reason) {}

  /** A resolver, told of every new view, on this watch's thread. */
  interface Subscriber {
    void deliver(View view);
  }

  private final Key key;
  private final KubernetesAccess access;
  private final PeerSource source;
  private final ScheduledExecutorService executor;
  private final Thread starter;
  private final List<Subscriber> subscribers = new ArrayList<>(); // confined to the executor
  private final AtomicLong updates = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private boolean synced; // confined to the executor
  private volatile View view;
  private volatile Instant lastUpdate;
  private volatile String lastError;
  private volatile boolean closed;
  /** Resolvers holding this watch; guarded by the {@link SharedWatches} that made it. */
  int references;

  ServiceWatch(Key key, KubernetesAccess access) {
    this.key = key;
    this.access = access;
    DiscoveryConfig.Builder config = DiscoveryConfig.builder()
        .mode(DiscoveryMode.ENDPOINTSLICES)
        .service(key.service())
        .namespace(key.namespace())
        .access(access)
        // The EndpointSlice controller already batches; a channel should see each change at once.
        .debounce(Duration.ZERO);
    if (key.port().equals("#")) {
      config.port(ANY_NUMBER);
    } else if (!key.port().isEmpty()) {
      config.portName(key.port());
    }
    this.source = Discovery.create(config.build());
    String name = "groupcache-grpc-resolver-" + key.namespace() + "/" + key.service();
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    this.starter = new Thread(this::startSource, name + "-start");
    this.starter.setDaemon(true);
  }

  Key key() {
    return key;
  }

  void start() {
    // The source tells its first synced set, even an empty one, then every change; until it has
    // synced, why it cannot (403, no API server) is what the channels hear.
    source.addListener(new PeerListener() {
      @Override
      public void peersChanged(PeerSet set) {
        execute(ServiceWatch.this::update);
      }

      @Override
      public void failed(String problem, boolean refused) {
        execute(() -> failedBeforeSync(problem, refused));
      }
    });
    starter.start();
  }

  private void startSource() {
    source.start(START_WAIT); // returns early when close() interrupts it
  }

  /** Adds a resolver; it hears the current view at once if there is one. */
  void subscribe(Subscriber subscriber) {
    execute(() -> {
      subscribers.add(subscriber);
      View v = view;
      if (v != null) {
        subscriber.deliver(v);
      }
    });
  }

  void unsubscribe(Subscriber subscriber) {
    execute(() -> subscribers.remove(subscriber));
  }

  /**
   * A resolver's {@code refresh()}: the watch keeps the view current, so this looks again (a name
   * of an FQDN slice may resolve now) and tells {@code subscriber} the result even if nothing
   * changed, since gRPC waits for an answer.
   */
  void refresh(Subscriber subscriber) {
    execute(() -> {
      if (synced && publishIfChanged(compute(source.current()))) {
        return; // publishing told every subscriber, this one too
      }
      View v = view;
      if (v != null) {
        subscriber.deliver(v);
      }
    });
  }

  /** Stops the watch, in the background: the channel's thread must not wait for the API server. */
  void close() {
    closed = true;
    starter.interrupt();
    executor.execute(source::close); // ends the list-watch thread, which cancels its HTTP call
    executor.shutdown();
  }

  ResolverStats stats(int resolvers) {
    View v = view;
    return new ResolverStats(key.namespace(), key.service(), key.port(), resolvers,
        v == null ? 0 : v.addresses().size(), v == null ? 0 : v.draining(), updates.get(), lastUpdate,
        errors.get(), lastError, source.stats());
  }

  private void execute(Runnable task) {
    try {
      executor.execute(() -> {
        if (!closed) {
          task.run();
        }
      });
    } catch (RejectedExecutionException e) {
      // closed: nobody listens any more
    }
  }

  /** Until the first sync, a failure is the channels' answer: why there are no addresses. */
  private void failedBeforeSync(String problem, boolean refused) {
    if (!synced) {
      publishIfChanged(new View(List.of(), 0, describeFailure(problem, refused), null));
    }
  }

  private void update() {
    synced = true;
    publishIfChanged(compute(source.current()));
  }

  /** Publishes {@code v} unless it is the current view; returns whether it did. */
  private boolean publishIfChanged(View v) {
    if (v.equals(view)) {
      return false;
    }
    publish(v);
    return true;
  }

  private void publish(View v) {
    View old = view;
    view = v;
    lastUpdate = Instant.now();
    updates.incrementAndGet();
    if (v.error() != null) {
      lastError = v.error();
      if (old == null || !v.error().equals(old.error())) {
        errors.incrementAndGet();
        LOG.log(Level.WARNING, "{0}", v.error());
      }
    } else if (old != null && old.error() != null) {
      LOG.log(Level.INFO, "{0}: resolved again: {1} endpoints", key, v.addresses().size());
    } else if (v.addresses().isEmpty()) {
      LOG.log(Level.INFO, "{0}", v.reason());
    } else {
      LOG.log(Level.DEBUG, "{0}: {1} endpoints, {2} draining", key, v.addresses().size(), v.draining());
    }
    for (Subscriber s : subscribers) {
      try {
        s.deliver(v);
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "a resolver of " + key + " failed to take a new view", e);
      }
    }
  }

  /** What the resolvers should see for {@code set}: its addresses, or why there are none. */
  private View compute(PeerSet set) {
    if (!set.peers().isEmpty()) {
      return new View(addresses(set.peers()), set.draining().size(), null, null);
    }
    if (set.problem() != null) { // a mistake in the target or the Service: an error, not a wait
      return new View(List.of(), 0, "kubernetes resolver: " + service() + " " + set.problem(), null);
    }
    return new View(List.of(), set.draining().size(), null, service() + " has no ready endpoints"
        + (set.draining().isEmpty() ? "" : " (" + set.draining().size() + " terminating)"));
  }

  /** {@code host:port} strings as the discovery module writes them (IPv6 in brackets) to addresses. */
  private List<Address> addresses(List<String> peers) {
    List<Address> out = new ArrayList<>(peers.size());
    for (String peer : peers) {
      int colon = peer.lastIndexOf(':');
      String host = peer.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        // An IP literal (IPv4 and IPv6 slices) is parsed without a lookup; only FQDN slices resolve.
        out.add(new Address(InetAddress.getByName(host), Integer.parseInt(peer.substring(colon + 1))));
      } catch (UnknownHostException | NumberFormatException e) {
        LOG.log(Level.WARNING, "{0}: leaving out endpoint {1}: {2}", key, peer, e.toString());
      }
    }
    return List.copyOf(out);
  }

  /** Why the source has not synced: a 403 names the Role rule that is missing. */
  private String describeFailure(String problem, boolean refused) {
    if (refused) {
      return "kubernetes resolver: forbidden to list and watch the EndpointSlices of " + service() + " ("
          + problem + "); " + access.identity() + " needs a Role in namespace '"
          + key.namespace() + "' with the rule {apiGroups: [\"discovery.k8s.io\"], resources: [\"endpointslices\"], "
          + "verbs: [\"get\", \"list\", \"watch\"]} and a RoleBinding to it";
    }
    return "kubernetes resolver: cannot watch the EndpointSlices of " + service() + " yet: " + problem;
  }

  /** {@code service ns/name}, as the messages name it. */
  private String service() {
    return "service " + key.namespace() + "/" + key.service();
  }

  @Override
  public String toString() {
    return "watch of " + key;
  }
}
