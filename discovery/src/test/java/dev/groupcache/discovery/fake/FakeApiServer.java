package dev.groupcache.discovery.fake;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * An in-process fake Kubernetes API server for the EndpointSlice ({@code discovery.k8s.io/v1}) and
 * Pod ({@code v1}) resources, on the JDK's {@code com.sun.net.httpserver}, that behaves like the real
 * apiserver on the wire for what a discovery client does: list, get and watch. It exists because no
 * real apiserver can run in this build (no binaries, no Docker) and fabric8's mock cannot serve an
 * HTTP-streamed watch; see <a href="doc-files/k8s-api-testing.md">{@code doc-files/k8s-api-testing.md}</a>
 * in this package. The conformance tests in this package pin every behaviour below.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * try (FakeApiServer api = FakeApiServer.startHttp()) {
 *     api.upsert(EndpointSliceBuilder.endpointSlice("ns", "svc-a-1").serviceName("svc-a")
 *         .addEndpoint(EndpointSliceBuilder.endpoint("10.0.0.7").ready(true)).build());
 *     ApiClient client = new ClientBuilder().setBasePath(api.baseUrl()).build();
 *     // ... run the code under test against client ...
 *     api.delete(ResourceKind.ENDPOINT_SLICE, "ns", "svc-a-1");     // watchers see DELETED
 * }
 * }</pre>
 *
 * <h2>What it serves</h2>
 *
 * <ul>
 *   <li>{@code GET /apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices},
 *       {@code /apis/discovery.k8s.io/v1/endpointslices}, {@code /api/v1/namespaces/{ns}/pods},
 *       {@code /api/v1/pods}: a list, or a watch with {@code watch=true}; and
 *       {@code GET .../namespaces/{ns}/{plural}/{name}}: one object (404 Status if absent). Any other
 *       path: 404 Status; any method but GET: 405 Status (state changes only through this class).</li>
 *   <li>List: {@code {"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":
 *       {"resourceVersion":"N"},"items":[...]}} with items lacking kind and apiVersion, as the
 *       apiserver writes them; {@code labelSelector}, {@code fieldSelector}, {@code limit} and
 *       {@code continue} (a consistent snapshot at the first page's resourceVersion; 410 Expired
 *       once that snapshot has been compacted away).</li>
 *   <li>Watch: 200, chunked, one JSON event per line, flushed per event, objects with kind and
 *       apiVersion. From {@code resourceVersion} absent, {@code ""} or {@code "0"}: a synthetic
 *       ADDED per current object, then live events. From N: the retained history after N, then
 *       live events. From N older than the retained history: one in-stream ERROR 410 "too old
 *       resource version" line and the end of the stream. Selector transitions as in the
 *       apiserver's watch cache: into the selector → ADDED; out of it → DELETED carrying the
 *       previous content with the new resourceVersion; within it → MODIFIED.
 *       {@code timeoutSeconds} ends the stream cleanly; {@code allowWatchBookmarks=true} enables
 *       BOOKMARK events in the apiserver's exact shape.</li>
 * </ul>
 *
 * <h2>Deliberate deviations from a real apiserver</h2>
 *
 * <ul>
 *   <li>A list's {@code resourceVersion} and {@code resourceVersionMatch} are accepted but always
 *       answered with the current state at the current resourceVersion (what the watch cache does
 *       for {@code ""}, {@code "0"} and a not-too-new N); an {@code Exact} read of an old version,
 *       and the "Too large resource version" wait, are out of scope.</li>
 *   <li>A watch from an N greater than the current resourceVersion starts quietly and delivers
 *       events after N (the apiserver waits up to 3 s and then fails with 504).</li>
 *   <li>{@code limit} is always honoured (the apiserver's watch cache ignored it for
 *       {@code resourceVersion=0} in older releases); {@code remainingItemCount} is reported only
 *       without selectors, as the apiserver does. {@code sendInitialEvents} (streaming lists) is not
 *       implemented and is ignored.</li>
 *   <li>One history of events for both kinds; "too old" is decided against it, not per resource.
 *       {@link #compact()} stands for the watch cache's window having moved past everything.</li>
 *   <li>Without {@code timeoutSeconds} a watch lasts until it is ended, cut, or the server stops
 *       (the apiserver picks a random 30–60 min). A watch whose client went away is only noticed
 *       when the next event is written to it, so {@link #activeWatchCount()} may include it.</li>
 *   <li>An expired continue token gets the 410 without the "inconsistent continue" token the etcd
 *       path may offer in {@code metadata.continue}; clients must start a new list (they do).</li>
 *   <li>JSON only (no protobuf, no gzip); no managedFields; failures injected with
 *       {@link #failNextLists} carry a Status body even for 429, where the real priority-and-fairness
 *       filter answers with plain text. Messages of 400 BadRequest answers (malformed selectors,
 *       parameters, continue tokens) follow the apiserver's style but are not byte-identical.</li>
 *   <li>Read-only over HTTP (405 for writes); an upsert keeps a {@code uid} given on create (handy
 *       for EndpointSlice {@code targetRef.uid}), where the apiserver would assign its own.</li>
 * </ul>
 *
 * <p>Thread-safe. Every watch holds a server thread (a cached thread pool); all of them end on
 * {@link #stop()} or {@link #close()}.
 */
public final class FakeApiServer implements AutoCloseable {
    static {
        // Each watch event is one small flushed chunk: do not let Nagle's algorithm hold it back.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Gson as the apiserver writes JSON: compact, nulls kept ({@code "creationTimestamp":null}). */
    static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    /** The resourceVersion of a fresh fake; the first write gets the next one. */
    public static final long INITIAL_RESOURCE_VERSION = 100;
    /** Events retained for watch replay by default (the apiserver's watch cache keeps 100 to 100k). */
    public static final int DEFAULT_HISTORY_LIMIT = 10_000;
    /** The user named in 403 messages unless {@link #forbid(ResourceKind, String)} says otherwise. */
    public static final String DEFAULT_USER = "system:serviceaccount:default:default";

    private static final List<String> METADATA_ORDER = List.of("name", "generateName", "namespace", "selfLink",
            "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
            "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields");
    private static final Set<String> SYSTEM_METADATA = Set.of("uid", "resourceVersion", "generation",
            "creationTimestamp", "managedFields", "selfLink");
    private static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private enum Signal { END, CUT }

    private record StoredEvent(long rv, ResourceKind kind, String type, JsonObject object, JsonObject previous) {}

    private record Failure(int status, int retryAfterSeconds) {}

    private record Route(ResourceKind kind, String namespace, String name) {}

    private final TlsMaterial tls;
    private final InetAddress address;

    // ---- state, guarded by lock ----
    private final Object lock = new Object();
    private long resourceVersion = INITIAL_RESOURCE_VERSION;
    private long compactedThrough = INITIAL_RESOURCE_VERSION;
    private final EnumMap<ResourceKind, TreeMap<String, JsonObject>> store = new EnumMap<>(ResourceKind.class);
    private final ArrayDeque<StoredEvent> history = new ArrayDeque<>();
    private int historyLimit = DEFAULT_HISTORY_LIMIT;
    private final Set<Watcher> watchers = new LinkedHashSet<>();
    private final ArrayDeque<Failure> listFailures = new ArrayDeque<>();
    private final ArrayDeque<Failure> watchFailures = new ArrayDeque<>();
    private String bearerToken;
    private final Map<String, Long> retiredTokens = new HashMap<>();

    // ---- knobs read without the lock ----
    private final Map<ResourceKind, String> forbiddenUsers = new ConcurrentHashMap<>();
    private volatile Set<UnknownField> unknownFields = Collections.emptySet();

    // ---- request log, guarded by itself ----
    private final List<RecordedRequest> requests = new ArrayList<>();

    // ---- lifecycle, guarded by this ----
    private HttpServer server;
    private ExecutorService executor;
    private int port;
    private boolean closed;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> bookmarkTask;

    private FakeApiServer(TlsMaterial tls, InetAddress address) {
        this.tls = tls;
        this.address = address;
        for (ResourceKind k : ResourceKind.values()) {
            store.put(k, new TreeMap<>());
        }
    }

    // =============================================================================================
    // Lifecycle
    // =============================================================================================

    /** Starts a plain-HTTP fake on 127.0.0.1 and a free port. */
    public static FakeApiServer startHttp() {
        return startHttp(LOOPBACK);
    }

    /**
     * Starts a plain-HTTP fake on {@code address} and a free port: for clients in other network
     * namespaces, which reach the host on a bridge's address rather than its loopback.
     */
    public static FakeApiServer startHttp(InetAddress address) {
        FakeApiServer s = new FakeApiServer(null, address);
        s.start();
        return s;
    }

    /**
     * Starts an HTTPS fake on 127.0.0.1 and a free port, with a CA and a server certificate (for IP
     * 127.0.0.1 and DNS localhost) generated now, as a cluster serves the API with a certificate
     * signed by its own CA. Clients trust it through {@link #caCertificatePem()}.
     */
    public static FakeApiServer startTls() {
        FakeApiServer s = new FakeApiServer(TlsMaterial.generate(), LOOPBACK);
        s.start();
        return s;
    }

    /**
     * Starts serving again after {@link #stop()}, on the same port (the first start picks a free
     * one). State, history and knobs survive; this mimics the apiserver coming back after an outage
     * or a control-plane upgrade.
     *
     * @throws IllegalStateException if already running or closed
     * @throws UncheckedIOException if the port cannot be bound again within 5 s
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (server != null) {
            throw new IllegalStateException("already running on port " + port);
        }
        HttpServer s = bind();
        ExecutorService pool = Executors.newCachedThreadPool(daemonThreads("fake-apiserver-http"));
        s.setExecutor(pool);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        executor = pool;
        port = s.getAddress().getPort();
    }

    private HttpServer bind() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                InetSocketAddress socket = new InetSocketAddress(address, port);
                if (tls == null) {
                    return HttpServer.create(socket, 64);
                }
                HttpsServer https = HttpsServer.create(socket, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext));
                return https;
            } catch (BindException e) {
                if (port == 0 || System.nanoTime() > deadline) {
                    throw new UncheckedIOException(e);
                }
                sleepQuietly(50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Goes down: closes the listening socket and every connection. Open watches are cut (their
     * clients see a truncated stream) and new connections are refused until {@link #start()}. This
     * mimics an apiserver crash, restart or network partition. State can still be changed through
     * Java meanwhile. Does nothing if not running.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        synchronized (lock) {
            for (Watcher w : watchers) {
                w.queue.add(Signal.CUT);
            }
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
        executor = null;
    }

    /** Stops the server for good (see {@link #stop()}) and the periodic bookmark timer. */
    @Override
    public synchronized void close() {
        stop();
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** Whether the server is up (between {@link #start()} and {@link #stop()}). */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** The port; stays the same across {@link #stop()} and {@link #start()}. */
    public synchronized int port() {
        return port;
    }

    /** {@code http://HOST:PORT} or {@code https://HOST:PORT} (127.0.0.1 unless started on another address), without a trailing slash. */
    public synchronized String baseUrl() {
        String host = address.getHostAddress();
        return (tls == null ? "http" : "https") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Writes a kubeconfig that points at this server ({@link #baseUrl()}, trusting its CA when it
     * serves TLS), with {@code token} as the user's bearer token and {@code namespace} as the
     * context's: what a client outside the cluster is given.
     */
    public Path writeKubeconfig(Path file, String namespace, String token) {
        List<String> lines = new ArrayList<>(List.of(
                "apiVersion: v1", "kind: Config",
                "clusters:", "- name: fake", "  cluster:", "    server: " + baseUrl()));
        if (isTls()) {
            lines.add("    certificate-authority-data: "
                    + Base64.getEncoder().encodeToString(caCertificatePem().getBytes(StandardCharsets.UTF_8)));
        }
        lines.addAll(List.of(
                "users:", "- name: dev", "  user:", "    token: " + token,
                "contexts:", "- name: dev@fake", "  context:", "    cluster: fake", "    user: dev",
                "    namespace: " + namespace,
                "current-context: dev@fake", ""));
        try {
            return Files.writeString(file, String.join("\n", lines));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether this fake serves HTTPS ({@link #startTls()}). */
    public boolean isTls() {
        return tls != null;
    }

    // =============================================================================================
    // TLS
    // =============================================================================================

    /**
     * The CA certificate in PEM, as a kubeconfig's {@code certificate-authority-data} (decoded) or
     * a pod's {@code /var/run/secrets/kubernetes.io/serviceaccount/ca.crt} holds it; for
     * {@code ApiClient.setSslCaCert} or {@code ClientBuilder.setCertificateAuthority}.
     */
    public String caCertificatePem() {
        return TlsMaterial.pem(caCertificate());
    }

    /** The CA certificate that signed the server certificate. */
    public X509Certificate caCertificate() {
        requireTls();
        return tls.caCertificate;
    }

    /** A client SSLContext that trusts this server's CA (and nothing else). */
    public SSLContext trustingSslContext() {
        return TlsMaterial.clientContextTrusting(caCertificate());
    }

    /**
     * A client SSLContext that does NOT trust this server: it trusts only a different, freshly
     * generated CA, as a client with the wrong cluster CA (a stale kubeconfig, a rotated CA) does.
     */
    public SSLContext nonTrustingSslContext() {
        requireTls();
        return TlsMaterial.clientContextTrusting(TlsMaterial.unrelatedCa());
    }

    /** PEM of a freshly generated CA that did not sign this server's certificate. */
    public static String unrelatedCaCertificatePem() {
        return TlsMaterial.pem(TlsMaterial.unrelatedCa());
    }

    private void requireTls() {
        if (tls == null) {
            throw new IllegalStateException("not a TLS server; use FakeApiServer.startTls()");
        }
    }

    // =============================================================================================
    // State
    // =============================================================================================

    /**
     * Creates or replaces an object, as a controller's create or update would; the kind comes from
     * its {@code kind} field ({@code EndpointSlice} or {@code Pod}).
     *
     * @return the object's resourceVersion after the write
     * @see #upsert(ResourceKind, JsonObject)
     */
    public long upsert(JsonObject object) {
        JsonElement k = object.get("kind");
        ResourceKind kind = k == null || !k.isJsonPrimitive() ? null : ResourceKind.ofKind(k.getAsString());
        if (kind == null) {
            throw new IllegalArgumentException("kind must be EndpointSlice or Pod: " + k);
        }
        return upsert(kind, object);
    }

    /** {@link #upsert(JsonObject)} for JSON text. */
    public long upsert(String json) {
        return upsert(JsonParser.parseString(json).getAsJsonObject());
    }

    /**
     * Creates or replaces an object of {@code kind} (kind and apiVersion in it are optional), like
     * the apiserver storing a create or update:
     *
     * <ul>
     *   <li>the write takes the next value of the one global resourceVersion counter (shared by
     *       all kinds, as etcd's revision is) and sets {@code metadata.resourceVersion};</li>
     *   <li>on create: {@code uid} (a random one unless given), {@code creationTimestamp} (now unless
     *       given), {@code generation} 1, {@code namespace} "default" if missing; on update the
     *       stored uid and creationTimestamp are kept and {@code generation} goes up when the spec
     *       changes (for EndpointSlices: anything but metadata, or labels or annotations);</li>
     *   <li>watchers get ADDED or MODIFIED (or the selector transitions);</li>
     *   <li>an update that changes nothing (system fields aside) is a no-op, as in the apiserver:
     *       no new resourceVersion and no event.</li>
     * </ul>
     *
     * @return the object's resourceVersion after the write
     */
    public long upsert(ResourceKind kind, JsonObject object) {
        Objects.requireNonNull(kind, "kind");
        JsonElement givenKind = object.get("kind");
        if (givenKind != null && !givenKind.isJsonNull() && !kind.kind().equals(givenKind.getAsString())) {
            throw new IllegalArgumentException("kind " + givenKind + " is not " + kind.kind());
        }
        JsonObject obj = object.deepCopy();
        obj.remove("kind");
        obj.remove("apiVersion");
        JsonElement m = obj.get("metadata");
        if (m == null || !m.isJsonObject()) {
            throw new IllegalArgumentException("metadata is required");
        }
        JsonObject meta = m.getAsJsonObject();
        String name = string(meta, "name");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("metadata.name is required");
        }
        String namespace = string(meta, "namespace");
        if (namespace == null || namespace.isEmpty()) {
            namespace = "default";
            meta.addProperty("namespace", namespace);
        }
        String key = namespace + "/" + name;
        synchronized (lock) {
            TreeMap<String, JsonObject> objects = store.get(kind);
            JsonObject old = objects.get(key);
            if (old != null && withoutSystemFields(old).equals(withoutSystemFields(obj))) {
                return Long.parseLong(string(old.getAsJsonObject("metadata"), "resourceVersion"));
            }
            long rv = ++resourceVersion;
            if (old != null) {
                JsonObject oldMeta = old.getAsJsonObject("metadata");
                meta.add("uid", oldMeta.get("uid"));
                meta.add("creationTimestamp", oldMeta.get("creationTimestamp"));
                long generation = oldMeta.get("generation").getAsLong();
                meta.addProperty("generation", specChanged(kind, old, obj) ? generation + 1 : generation);
            } else {
                if (string(meta, "uid") == null || string(meta, "uid").isEmpty()) {
                    meta.addProperty("uid", UUID.randomUUID().toString());
                }
                if (string(meta, "creationTimestamp") == null) {
                    meta.addProperty("creationTimestamp", now());
                }
                meta.addProperty("generation", 1);
            }
            meta.addProperty("resourceVersion", Long.toString(rv));
            JsonObject stored = normalized(obj);
            objects.put(key, stored);
            record(new StoredEvent(rv, kind, old == null ? "ADDED" : "MODIFIED", stored, old));
            return rv;
        }
    }

    /**
     * Deletes an object, as a completed deletion in the apiserver: the write takes the next
     * resourceVersion and watchers get DELETED carrying the object's last state with that
     * resourceVersion. (A graceful pod deletion first sets {@code deletionTimestamp}; model that
     * with an {@link #upsert} of {@link PodBuilder#terminating()} before this.)
     *
     * @return the deletion's resourceVersion, or empty if there was no such object
     */
    public OptionalLong delete(ResourceKind kind, String namespace, String name) {
        synchronized (lock) {
            JsonObject old = store.get(kind).remove(namespace + "/" + name);
            if (old == null) {
                return OptionalLong.empty();
            }
            long rv = ++resourceVersion;
            JsonObject last = old.deepCopy();
            last.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(rv));
            record(new StoredEvent(rv, kind, "DELETED", last, old));
            return OptionalLong.of(rv);
        }
    }

    /** A copy of the stored object (without kind and apiVersion, as in a list), if present. */
    public Optional<JsonObject> get(ResourceKind kind, String namespace, String name) {
        synchronized (lock) {
            JsonObject o = store.get(kind).get(namespace + "/" + name);
            return Optional.ofNullable(o == null ? null : o.deepCopy());
        }
    }

    /** Copies of all stored objects of a kind, in the apiserver's list order (namespace, name). */
    public List<JsonObject> list(ResourceKind kind) {
        synchronized (lock) {
            List<JsonObject> out = new ArrayList<>();
            store.get(kind).values().forEach(o -> out.add(o.deepCopy()));
            return out;
        }
    }

    /** The current (latest) resourceVersion, as a list would report it. */
    public long resourceVersion() {
        synchronized (lock) {
            return resourceVersion;
        }
    }

    // =============================================================================================
    // History and watches
    // =============================================================================================

    /**
     * Drops all retained history, as when the apiserver's watch cache window (or etcd's compaction)
     * has moved past every version a client knows. Later watches from any older resourceVersion get
     * the in-stream ERROR 410 "too old resource version", and continue tokens from before now get a
     * 410 Expired. Open watches are not affected.
     *
     * @return the resourceVersion history now starts after
     */
    public long compact() {
        synchronized (lock) {
            history.clear();
            compactedThrough = resourceVersion;
            return compactedThrough;
        }
    }

    /**
     * Bounds the retained history (default {@value #DEFAULT_HISTORY_LIMIT} events); older events are
     * dropped as new ones arrive, like the watch cache's ring buffer.
     */
    public void setHistoryLimit(int events) {
        if (events < 1) {
            throw new IllegalArgumentException("history limit must be at least 1");
        }
        synchronized (lock) {
            historyLimit = events;
            trimHistory();
        }
    }

    /** The oldest resourceVersion a watch or continue token may still start from. */
    public long oldestWatchableResourceVersion() {
        synchronized (lock) {
            return compactedThrough;
        }
    }

    /**
     * Sends a BOOKMARK at the current resourceVersion now, to every open watch that asked for
     * bookmarks ({@code allowWatchBookmarks=true}), in the apiserver's exact shape.
     *
     * @return the bookmark's resourceVersion
     */
    public long sendBookmark() {
        synchronized (lock) {
            for (Watcher w : watchers) {
                if (w.bookmarks) {
                    w.queue.add(eventLine("BOOKMARK", w.kind.bookmarkObject(resourceVersion)));
                }
            }
            return resourceVersion;
        }
    }

    /**
     * Sends bookmarks periodically, as the apiserver does about once a minute (and shortly before a
     * watch's timeout); {@code null} or zero turns it off (the default, to keep tests
     * deterministic).
     */
    public synchronized void setBookmarkInterval(Duration interval) {
        if (bookmarkTask != null) {
            bookmarkTask.cancel(false);
            bookmarkTask = null;
        }
        if (interval != null && !interval.isZero() && !interval.isNegative()) {
            if (scheduler == null) {
                scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("fake-apiserver-bookmarks"));
            }
            long ms = Math.max(1, interval.toMillis());
            bookmarkTask = scheduler.scheduleAtFixedRate(this::sendBookmark, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Ends every open watch cleanly (the terminating chunk is sent), as the apiserver does when a
     * watch's timeout expires or it shuts a watch down; clients should simply watch again from
     * their last resourceVersion.
     *
     * @return how many watches were told to end
     */
    public int endAllWatches() {
        return signalAll(Signal.END);
    }

    /**
     * Cuts every open watch connection mid-stream, without the terminating chunk, as a load
     * balancer, a proxy restart or a network failure does: the client sees a truncated stream (an
     * IOException / unexpected end of stream).
     *
     * @return how many watches were cut
     */
    public int cutAllWatches() {
        return signalAll(Signal.CUT);
    }

    private int signalAll(Signal signal) {
        synchronized (lock) {
            for (Watcher w : watchers) {
                w.queue.add(signal);
            }
            return watchers.size();
        }
    }

    /**
     * Watches being streamed now: their 200 and headers have been sent, so a client holds the
     * stream (this may include a watch whose client left, until an event written to it reveals it).
     */
    public int activeWatchCount() {
        synchronized (lock) {
            return streamingWatches();
        }
    }

    /**
     * Waits until at least {@code count} watches are streaming (see {@link #activeWatchCount()}); a
     * test that then cuts, ends or stops knows the client saw the watch start. False on timeout.
     */
    public boolean awaitActiveWatches(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (streamingWatches() < count) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !waitOn(lock, remaining)) {
                    return streamingWatches() >= count;
                }
            }
            return true;
        }
    }

    private int streamingWatches() {
        int n = 0;
        for (Watcher w : watchers) {
            if (w.streaming) {
                n++;
            }
        }
        return n;
    }

    // =============================================================================================
    // Faults
    // =============================================================================================

    /**
     * Fails the next {@code count} list requests (of either kind) with {@code httpStatus} and the
     * Status body the apiserver writes for it: 410 Expired (a compacted resourceVersion), 500
     * InternalError (etcd trouble), 429 TooManyRequests (priority and fairness; with
     * {@code Retry-After: 1}), 503 ServiceUnavailable, 504 Timeout, ...
     */
    public void failNextLists(int count, int httpStatus) {
        failNextLists(count, httpStatus, httpStatus == 429 ? 1 : 0);
    }

    /** As {@link #failNextLists(int, int)}, with a {@code Retry-After} header (if positive). */
    public void failNextLists(int count, int httpStatus, int retryAfterSeconds) {
        enqueueFailures(listFailures, count, httpStatus, retryAfterSeconds);
    }

    /**
     * Fails the next {@code count} watch requests with {@code httpStatus} as the response status
     * (not in-stream). Note: the apiserver reports an expired resourceVersion on a watch in-stream
     * ({@link #compact()}), and client-java handles an HTTP 410 watch response differently.
     */
    public void failNextWatches(int count, int httpStatus) {
        failNextWatches(count, httpStatus, httpStatus == 429 ? 1 : 0);
    }

    /** As {@link #failNextWatches(int, int)}, with a {@code Retry-After} header (if positive). */
    public void failNextWatches(int count, int httpStatus, int retryAfterSeconds) {
        enqueueFailures(watchFailures, count, httpStatus, retryAfterSeconds);
    }

    private void enqueueFailures(ArrayDeque<Failure> queue, int count, int httpStatus, int retryAfterSeconds) {
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("not an error status: " + httpStatus);
        }
        synchronized (lock) {
            for (int i = 0; i < count; i++) {
                queue.add(new Failure(httpStatus, retryAfterSeconds));
            }
        }
    }

    /** Forgets failures queued by {@link #failNextLists} and {@link #failNextWatches} but not yet used. */
    public void clearFailures() {
        synchronized (lock) {
            listFailures.clear();
            watchFailures.clear();
        }
    }

    /**
     * Makes every request for {@code kind} answer 403 with the apiserver's RBAC denial, as when the
     * client's ServiceAccount lacks a Role granting get/list/watch on it, e.g. {@code
     * endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:NS:SA" cannot list
     * resource "endpointslices" in API group "discovery.k8s.io" in the namespace "NS"}.
     *
     * @param user the user named in the message, e.g. {@code system:serviceaccount:shop:groupcache}
     */
    public void forbid(ResourceKind kind, String user) {
        forbiddenUsers.put(kind, Objects.requireNonNull(user));
    }

    /** {@link #forbid(ResourceKind, String)} for {@value #DEFAULT_USER}. */
    public void forbid(ResourceKind kind) {
        forbid(kind, DEFAULT_USER);
    }

    /** Undoes {@link #forbid}: the RBAC permission has been granted. */
    public void allow(ResourceKind kind) {
        forbiddenUsers.remove(kind);
    }

    /**
     * Adds fields unknown to client-java's models at these places in every served object (lists,
     * gets and watch events; not bookmarks), as a newer apiserver would. Stays on until
     * {@link #stopInjectingUnknownFields()}.
     */
    public void injectUnknownFields(UnknownField... places) {
        EnumSet<UnknownField> set = EnumSet.noneOf(UnknownField.class);
        set.addAll(unknownFields);
        set.addAll(List.of(places));
        unknownFields = Collections.unmodifiableSet(set);
    }

    /** Serves objects exactly as stored again. */
    public void stopInjectingUnknownFields() {
        unknownFields = Collections.emptySet();
    }

    /**
     * Requires {@code Authorization: Bearer <token>} on every request, as the apiserver does for a
     * ServiceAccount token; anything else gets 401 Unauthorized. {@code null} turns authentication
     * off again (anonymous requests allowed, the default).
     */
    public void requireBearerToken(String token) {
        synchronized (lock) {
            bearerToken = token;
            retiredTokens.clear();
        }
    }

    /**
     * Rotates the required token, as kubelet rotates a projected ServiceAccount token: from now on
     * {@code newToken} is accepted and the old one is refused (401) once {@code gracePeriod} has
     * passed (zero: at once). Watches already open are not affected, as in the apiserver, which
     * authenticates a request only when it starts.
     */
    public void rotateBearerToken(String newToken, Duration gracePeriod) {
        Objects.requireNonNull(newToken, "newToken");
        synchronized (lock) {
            if (bearerToken == null) {
                throw new IllegalStateException("no token is required; call requireBearerToken first");
            }
            if (gracePeriod != null && !gracePeriod.isZero() && !gracePeriod.isNegative()) {
                retiredTokens.put(bearerToken, System.nanoTime() + gracePeriod.toNanos());
            }
            bearerToken = newToken;
        }
    }

    /** {@link #rotateBearerToken(String, Duration)} with no grace period. */
    public void rotateBearerToken(String newToken) {
        rotateBearerToken(newToken, Duration.ZERO);
    }

    // =============================================================================================
    // Request log
    // =============================================================================================

    /** Every request received so far, oldest first (a copy). */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The received requests that match {@code filter}, oldest first. */
    public List<RecordedRequest> requests(Predicate<RecordedRequest> filter) {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r : requests()) {
            if (filter.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Empties the request log. */
    public void clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
    }

    /**
     * Waits for a request matching {@code filter} (one received earlier counts too); empty on
     * timeout.
     */
    public Optional<RecordedRequest> awaitRequest(Predicate<RecordedRequest> filter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            int checked = 0;
            while (true) {
                for (; checked < requests.size(); checked++) {
                    if (filter.test(requests.get(checked))) {
                        return Optional.of(requests.get(checked));
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !waitOn(requests, remaining)) {
                    return Optional.empty();
                }
            }
        }
    }

    private void log(RecordedRequest r) {
        synchronized (requests) {
            requests.add(r);
            requests.notifyAll();
        }
    }

    // =============================================================================================
    // HTTP
    // =============================================================================================

    private void handle(HttpExchange exchange) throws IOException {
        try {
            serve(exchange);
        } catch (RuntimeException e) {
            // A bug in the fake: answer 500 if the response has not started, else drop the connection.
            if (exchange.getResponseCode() != -1) {
                throw new IOException("fake apiserver failed mid-response", e);
            }
            sendJson(exchange, 500, Statuses.status(500, "InternalError", "Internal error occurred: " + e, null), null);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        String method = exchange.getRequestMethod();
        String path = uri.getPath();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Map<String, String> query;
        try {
            query = parseQuery(uri.getRawQuery());
        } catch (IllegalArgumentException e) {
            log(new RecordedRequest(Instant.now(), method, path, Map.of(), uri.getRawQuery(), authorization));
            sendJson(exchange, 400, Statuses.badRequest("invalid query: " + e.getMessage()), null);
            return;
        }
        log(new RecordedRequest(Instant.now(), method, path, query, uri.getRawQuery(), authorization));

        if (!authenticated(authorization)) {
            sendJson(exchange, 401, Statuses.unauthorized(), null);
            return;
        }
        Route route = route(path);
        if (route == null) {
            sendJson(exchange, 404, Statuses.pathNotFound(), null);
            return;
        }
        if (!method.equals("GET")) {
            sendJson(exchange, 405, Statuses.methodNotAllowed(), Map.of("Allow", "GET"));
            return;
        }
        boolean watch = route.name() == null && isTrue(query.get("watch"));
        String user = forbiddenUsers.get(route.kind());
        if (user != null) {
            String verb = route.name() != null ? "get" : watch ? "watch" : "list";
            sendJson(exchange, 403, Statuses.forbidden(route.kind(), user, verb, route.namespace(), route.name()), null);
            return;
        }
        if (route.name() != null) {
            serveGet(exchange, route);
            return;
        }
        Failure failure;
        synchronized (lock) {
            failure = (watch ? watchFailures : listFailures).poll();
        }
        if (failure != null) {
            Map<String, String> headers = failure.retryAfterSeconds() > 0
                    ? Map.of("Retry-After", Integer.toString(failure.retryAfterSeconds())) : null;
            sendJson(exchange, failure.status(),
                    Statuses.forInjectedFailure(failure.status(), watch, failure.retryAfterSeconds()), headers);
            return;
        }
        if (watch) {
            serveWatch(exchange, route, query);
        } else {
            serveList(exchange, route, query);
        }
    }

    private static Route route(String path) {
        for (ResourceKind kind : ResourceKind.values()) {
            String prefix = kind.pathPrefix() + "/";
            if (!path.startsWith(prefix)) {
                continue;
            }
            String[] parts = path.substring(prefix.length()).split("/", -1);
            if (parts.length == 1 && parts[0].equals(kind.plural())) {
                return new Route(kind, null, null);
            }
            if (parts.length >= 3 && parts.length <= 4 && parts[0].equals("namespaces") && !parts[1].isEmpty()
                    && parts[2].equals(kind.plural())) {
                if (parts.length == 3) {
                    return new Route(kind, parts[1], null);
                }
                if (!parts[3].isEmpty()) {
                    return new Route(kind, parts[1], parts[3]);
                }
            }
        }
        return null;
    }

    private boolean authenticated(String authorization) {
        synchronized (lock) {
            if (bearerToken == null) {
                return true;
            }
            if (authorization == null) {
                return false;
            }
            String[] parts = authorization.trim().split("\\s+", 2);
            if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
                return false;
            }
            String token = parts[1].trim();
            if (token.equals(bearerToken)) {
                return true;
            }
            Long until = retiredTokens.get(token);
            return until != null && System.nanoTime() - until < 0;
        }
    }

    private void serveGet(HttpExchange exchange, Route route) throws IOException {
        JsonObject object;
        synchronized (lock) {
            object = store.get(route.kind()).get(route.namespace() + "/" + route.name());
        }
        if (object == null) {
            sendJson(exchange, 404, Statuses.notFound(route.kind(), route.name()), null);
        } else {
            sendJson(exchange, 200, served(route.kind(), object, true), null);
        }
    }

    private void serveList(HttpExchange exchange, Route route, Map<String, String> query) throws IOException {
        ResourceKind kind = route.kind();
        LabelSelector labels;
        FieldSelector fields;
        long limit;
        ContinueToken token = null;
        try {
            labels = LabelSelector.parse(query.get("labelSelector"));
            fields = FieldSelector.parse(query.get("fieldSelector"), kind);
            limit = parseLong(query.get("limit"), "limit", 0);
            parseResourceVersion(query.get("resourceVersion"));
            String c = query.get("continue");
            if (c != null && !c.isEmpty()) {
                token = ContinueToken.decode(c);
            }
        } catch (IllegalArgumentException e) {
            sendJson(exchange, 400, Statuses.badRequest(e.getMessage()), null);
            return;
        }
        List<JsonObject> items = new ArrayList<>();
        long listRv;
        String nextContinue = null;
        long remaining = 0;
        boolean expired = false;
        synchronized (lock) {
            NavigableMap<String, JsonObject> snapshot = null;
            if (token == null) {
                snapshot = store.get(kind);
                listRv = resourceVersion;
            } else {
                listRv = token.rv();
                expired = token.rv() < compactedThrough; // the snapshot this token continues is gone
                if (!expired) {
                    snapshot = stateAt(kind, token.rv()).tailMap(token.start(), true);
                }
            }
            if (!expired) {
                String lastKey = null;
                for (Map.Entry<String, JsonObject> e : snapshot.entrySet()) {
                    JsonObject o = e.getValue();
                    if (!inNamespace(o, route.namespace()) || !labels.matches(labelsOf(o)) || !fields.matches(o)) {
                        continue;
                    }
                    if (limit > 0 && items.size() == limit) {
                        remaining++;
                        continue;
                    }
                    items.add(o);
                    lastKey = e.getKey();
                }
                if (remaining > 0) {
                    nextContinue = new ContinueToken(listRv, lastKey + "\u0000").encode();
                }
            }
        }
        if (expired) {
            sendJson(exchange, 410, Statuses.status(410, "Expired", Statuses.CONTINUE_EXPIRED, null), null);
            return;
        }
        JsonObject body = new JsonObject();
        body.addProperty("kind", kind.listKind());
        body.addProperty("apiVersion", kind.apiVersion());
        JsonObject meta = new JsonObject();
        meta.addProperty("resourceVersion", Long.toString(listRv));
        if (nextContinue != null) {
            meta.addProperty("continue", nextContinue);
            if (labels.isEverything() && fields.isEverything()) {
                meta.addProperty("remainingItemCount", remaining);
            }
        }
        body.add("metadata", meta);
        JsonArray array = new JsonArray();
        for (JsonObject o : items) {
            array.add(served(kind, o, false));
        }
        body.add("items", array);
        sendJson(exchange, 200, body, null);
    }

    private void serveWatch(HttpExchange exchange, Route route, Map<String, String> query) throws IOException {
        Watcher w;
        long timeoutSeconds;
        Long fromRv;
        try {
            LabelSelector labels = LabelSelector.parse(query.get("labelSelector"));
            FieldSelector fields = FieldSelector.parse(query.get("fieldSelector"), route.kind());
            timeoutSeconds = parseLong(query.get("timeoutSeconds"), "timeoutSeconds", 0);
            fromRv = parseResourceVersion(query.get("resourceVersion"));
            w = new Watcher(route.kind(), route.namespace(), labels, fields, isTrue(query.get("allowWatchBookmarks")));
        } catch (IllegalArgumentException e) {
            sendJson(exchange, 400, Statuses.badRequest(e.getMessage()), null);
            return;
        }
        String tooOld = null;
        synchronized (lock) {
            if (fromRv == null) {
                // "Start at most recent": the current state as synthetic ADDED events, then live events.
                for (JsonObject o : store.get(w.kind).values()) {
                    if (w.matches(o)) {
                        w.queue.add(eventLine("ADDED", served(w.kind, o, true)));
                    }
                }
                w.afterRv = resourceVersion;
            } else if (fromRv < compactedThrough) {
                tooOld = eventLine("ERROR", Statuses.tooOldResourceVersion(fromRv, compactedThrough));
            } else {
                w.afterRv = fromRv;
                for (StoredEvent e : history) {
                    deliver(w, e);
                }
            }
            if (tooOld == null) {
                watchers.add(w);
                lock.notifyAll();
            }
        }
        setCommonHeaders(exchange.getResponseHeaders());
        exchange.sendResponseHeaders(200, 0); // chunked; the JDK flushes the headers here
        OutputStream out = exchange.getResponseBody();
        synchronized (lock) {
            w.streaming = true; // the client has (or is about to read) the 200: counted as active from now
            lock.notifyAll();
        }
        if (tooOld != null) {
            out.write(tooOld.getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.close();
            exchange.close();
            return;
        }
        try {
            long deadline = timeoutSeconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds) : 0;
            while (true) {
                Object item;
                if (deadline == 0) {
                    item = w.queue.take();
                } else {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        break;
                    }
                    item = w.queue.poll(remaining, TimeUnit.NANOSECONDS);
                    if (item == null) {
                        continue;
                    }
                }
                if (item == Signal.END) {
                    break;
                }
                if (item == Signal.CUT) {
                    throw new IOException("fake apiserver: watch connection cut");
                }
                out.write(((String) item).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("fake apiserver: server stopping", e);
        } finally {
            synchronized (lock) {
                watchers.remove(w);
                lock.notifyAll();
            }
        }
        out.close();
        exchange.close();
    }

    // =============================================================================================
    // Internals
    // =============================================================================================

    private final class Watcher {
        final ResourceKind kind;
        final String namespace;
        final LabelSelector labels;
        final FieldSelector fields;
        final boolean bookmarks;
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        long afterRv;
        boolean streaming;

        Watcher(ResourceKind kind, String namespace, LabelSelector labels, FieldSelector fields, boolean bookmarks) {
            this.kind = kind;
            this.namespace = namespace;
            this.labels = labels;
            this.fields = fields;
            this.bookmarks = bookmarks;
        }

        boolean matches(JsonObject o) {
            return inNamespace(o, namespace) && labels.matches(labelsOf(o)) && fields.matches(o);
        }
    }

    /** Appends to history (dropping the oldest beyond the limit) and fans out to watchers. Holds lock. */
    private void record(StoredEvent e) {
        history.addLast(e);
        trimHistory();
        for (Watcher w : watchers) {
            deliver(w, e);
        }
    }

    private void trimHistory() {
        while (history.size() > historyLimit) {
            compactedThrough = history.removeFirst().rv();
        }
    }

    /** The watch cache's filtering with selector transitions. Holds lock. */
    private void deliver(Watcher w, StoredEvent e) {
        if (e.kind() != w.kind || e.rv() <= w.afterRv) {
            return;
        }
        switch (e.type()) {
            case "ADDED":
                if (w.matches(e.object())) {
                    w.queue.add(eventLine("ADDED", served(w.kind, e.object(), true)));
                }
                break;
            case "MODIFIED": {
                boolean now = w.matches(e.object());
                boolean before = w.matches(e.previous());
                if (now && before) {
                    w.queue.add(eventLine("MODIFIED", served(w.kind, e.object(), true)));
                } else if (now) {
                    w.queue.add(eventLine("ADDED", served(w.kind, e.object(), true)));
                } else if (before) {
                    // Leaving the selector: the previous content, at the new resourceVersion.
                    JsonObject gone = e.previous().deepCopy();
                    gone.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(e.rv()));
                    w.queue.add(eventLine("DELETED", served(w.kind, gone, true)));
                }
                break;
            }
            case "DELETED":
                if (w.matches(e.previous())) {
                    w.queue.add(eventLine("DELETED", served(w.kind, e.object(), true)));
                }
                break;
            default:
                throw new AssertionError(e.type());
        }
    }

    /** The objects of {@code kind} as they were at {@code rv} (which must not be compacted). Holds lock. */
    private TreeMap<String, JsonObject> stateAt(ResourceKind kind, long rv) {
        TreeMap<String, JsonObject> state = new TreeMap<>(store.get(kind));
        Iterator<StoredEvent> it = history.descendingIterator();
        while (it.hasNext()) {
            StoredEvent e = it.next();
            if (e.rv() <= rv) {
                break;
            }
            if (e.kind() != kind) {
                continue;
            }
            if (e.type().equals("ADDED")) {
                state.remove(keyOf(e.object()));
            } else {
                state.put(keyOf(e.previous()), e.previous());
            }
        }
        return state;
    }

    /** An object as served: optionally with kind and apiVersion first, with unknown fields injected. */
    private JsonObject served(ResourceKind kind, JsonObject stored, boolean withTypeMeta) {
        Set<UnknownField> inject = unknownFields;
        JsonObject base = stored;
        if (!inject.isEmpty()) {
            base = stored.deepCopy();
            injectInto(kind, base, inject);
        }
        if (!withTypeMeta) {
            return base;
        }
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind.kind());
        o.addProperty("apiVersion", kind.apiVersion());
        for (Map.Entry<String, JsonElement> e : base.entrySet()) {
            o.add(e.getKey(), e.getValue());
        }
        return o;
    }

    private static void injectInto(ResourceKind kind, JsonObject o, Set<UnknownField> places) {
        if (places.contains(UnknownField.TOP_LEVEL)) {
            o.addProperty(UnknownField.TOP_LEVEL.fieldName(), UnknownField.VALUE);
        }
        if (places.contains(UnknownField.METADATA)) {
            o.getAsJsonObject("metadata").addProperty(UnknownField.METADATA.fieldName(), UnknownField.VALUE);
        }
        if (kind == ResourceKind.ENDPOINT_SLICE && o.get("endpoints") != null && o.get("endpoints").isJsonArray()) {
            for (JsonElement e : o.getAsJsonArray("endpoints")) {
                JsonObject endpoint = e.getAsJsonObject();
                if (places.contains(UnknownField.ENDPOINT)) {
                    endpoint.addProperty(UnknownField.ENDPOINT.fieldName(), UnknownField.VALUE);
                }
                if (places.contains(UnknownField.ENDPOINT_CONDITIONS)) {
                    if (!endpoint.has("conditions") || !endpoint.get("conditions").isJsonObject()) {
                        endpoint.add("conditions", new JsonObject());
                    }
                    endpoint.getAsJsonObject("conditions").addProperty(UnknownField.ENDPOINT_CONDITIONS.fieldName(), true);
                }
            }
        }
        if (kind == ResourceKind.POD && places.contains(UnknownField.POD_STATUS)) {
            if (!o.has("status") || !o.get("status").isJsonObject()) {
                o.add("status", new JsonObject());
            }
            o.getAsJsonObject("status").addProperty(UnknownField.POD_STATUS.fieldName(), UnknownField.VALUE);
        }
    }

    /** metadata first with its fields in Go's ObjectMeta order, the rest as given. */
    private static JsonObject normalized(JsonObject obj) {
        JsonObject meta = obj.getAsJsonObject("metadata");
        JsonObject orderedMeta = new JsonObject();
        for (String field : METADATA_ORDER) {
            if (meta.has(field)) {
                orderedMeta.add(field, meta.get(field));
            }
        }
        for (Map.Entry<String, JsonElement> e : meta.entrySet()) {
            if (!orderedMeta.has(e.getKey())) {
                orderedMeta.add(e.getKey(), e.getValue());
            }
        }
        JsonObject o = new JsonObject();
        o.add("metadata", orderedMeta);
        for (Map.Entry<String, JsonElement> e : obj.entrySet()) {
            if (!e.getKey().equals("metadata")) {
                o.add(e.getKey(), e.getValue());
            }
        }
        return o;
    }

    private static JsonObject withoutSystemFields(JsonObject o) {
        JsonObject copy = o.deepCopy();
        copy.remove("kind");
        copy.remove("apiVersion");
        JsonObject meta = copy.getAsJsonObject("metadata");
        for (String f : SYSTEM_METADATA) {
            meta.remove(f);
        }
        return copy;
    }

    private static boolean specChanged(ResourceKind kind, JsonObject old, JsonObject updated) {
        if (kind == ResourceKind.POD) {
            return !Objects.equals(old.get("spec"), updated.get("spec"));
        }
        JsonObject a = old.deepCopy();
        JsonObject b = updated.deepCopy();
        JsonObject metaA = a.getAsJsonObject("metadata");
        JsonObject metaB = b.getAsJsonObject("metadata");
        a.remove("metadata");
        b.remove("metadata");
        return !a.equals(b) || !Objects.equals(metaA.get("labels"), metaB.get("labels"))
                || !Objects.equals(metaA.get("annotations"), metaB.get("annotations"));
    }

    private static String keyOf(JsonObject o) {
        JsonObject meta = o.getAsJsonObject("metadata");
        return string(meta, "namespace") + "/" + string(meta, "name");
    }

    private static boolean inNamespace(JsonObject o, String namespace) {
        return namespace == null || namespace.equals(string(o.getAsJsonObject("metadata"), "namespace"));
    }

    static Map<String, String> labelsOf(JsonObject o) {
        JsonElement l = o.getAsJsonObject("metadata").get("labels");
        if (l == null || !l.isJsonObject()) {
            return Map.of();
        }
        Map<String, String> labels = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : l.getAsJsonObject().entrySet()) {
            labels.put(e.getKey(), e.getValue().isJsonNull() ? "" : e.getValue().getAsString());
        }
        return labels;
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static String eventLine(String type, JsonObject object) {
        JsonObject event = new JsonObject();
        event.addProperty("type", type);
        event.add("object", object);
        return GSON.toJson(event) + "\n";
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The apiserver's boolean query parameters: present and not "0" or "false" means true. */
    static boolean isTrue(String value) {
        return value != null && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    /** {@code null} for absent, "" or "0" (any version / most recent); else the number. */
    private static Long parseResourceVersion(String value) {
        if (value == null || value.isEmpty() || value.equals("0")) {
            return null;
        }
        try {
            long rv = Long.parseLong(value);
            if (rv < 0) {
                throw new NumberFormatException();
            }
            return rv;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid resource version: \"" + value + "\"");
        }
    }

    private static long parseLong(String value, String name, long absent) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": Invalid value: \"" + value + "\": must be an integer");
        }
    }

    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.putIfAbsent(key, value);
        }
        return query;
    }

    private static void setCommonHeaders(Headers h) {
        h.set("Content-Type", "application/json");
        h.set("Cache-Control", "no-cache, private");
        h.set("Audit-Id", UUID.randomUUID().toString());
    }

    private static void sendJson(HttpExchange exchange, int code, JsonObject body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        Headers h = exchange.getResponseHeaders();
        setCommonHeaders(h);
        if (headers != null) {
            headers.forEach(h::set);
        }
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        exchange.close();
    }

    private static boolean waitOn(Object monitor, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(monitor, nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The apiserver's continue token: base64url of {@code {"v":"meta.k8s.io/v1","rv":N,"start":"ns/name\u0000"}},
     * naming the snapshot's resourceVersion and the key to resume after.
     */
    private record ContinueToken(long rv, String start) {
        String encode() {
            JsonObject o = new JsonObject();
            o.addProperty("v", "meta.k8s.io/v1");
            o.addProperty("rv", rv);
            o.addProperty("start", start);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(GSON.toJson(o).getBytes(StandardCharsets.UTF_8));
        }

        static ContinueToken decode(String token) {
            try {
                JsonObject o = JsonParser.parseString(
                        new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)).getAsJsonObject();
                if (!"meta.k8s.io/v1".equals(o.get("v").getAsString())) {
                    throw new IllegalArgumentException("unknown version");
                }
                long rv = o.get("rv").getAsLong();
                String start = o.get("start").getAsString();
                if (rv <= 0 || start.isEmpty()) {
                    throw new IllegalArgumentException("bad token");
                }
                return new ContinueToken(rv, start);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("continue key is not valid: " + e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        return "FakeApiServer[" + baseUrl() + ", resourceVersion " + resourceVersion() + "]";
    }
}
