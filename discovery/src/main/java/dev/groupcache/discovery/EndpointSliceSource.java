package dev.groupcache.discovery;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The peers of a Service, from all of its EndpointSlices (a Service with more than 100 endpoints,
 * or a dual-stack one, has several), selected by the label {@code kubernetes.io/service-name}.
 *
 * <p>Per endpoint: {@code terminating: true} means draining (out of the set, reported as such);
 * otherwise {@code ready: false} means not ready, and {@code ready} true <em>or absent</em> means
 * ready, as the API defines it. The port is the configured one, else the slice's port of the
 * configured name, else the slice's only port. A pod that appears in several slices (dual-stack)
 * is one peer, by the configured address family. Each slice's endpoints are its own: deleting a
 * slice removes only them.
 */
final class EndpointSliceSource extends KubernetesSource<EndpointSliceSource.Slice> {
  private static final System.Logger LOG = System.getLogger(PeerSource.class.getName());

  /** What a slice says, reduced to what the set needs. */
  record Slice(String name, String addressType, List<Endpoint> endpoints, Map<String, Integer> ports) {}

  /** One endpoint: its first address, whose pod it is, and its conditions (null when absent). */
  record Endpoint(String address, String pod, Boolean ready, Boolean terminating) {}

  private final DiscoveryConfig config;
  private final Set<String> warned = new HashSet<>();

  EndpointSliceSource(DiscoveryConfig config, KubernetesAccess access, String namespace) {
    super("endpointslices of service " + namespace + "/" + config.service(), access, namespace,
        "discovery.k8s.io", "endpointslices",
        "/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices",
        "kubernetes.io/service-name=" + config.service(), config.debounce());
    this.config = config;
  }

  @Override
  public Slice parse(JsonObject o) {
    String name = Json.string(o, "metadata", "name");
    String addressType = Json.string(o, "addressType");
    List<Endpoint> endpoints = new ArrayList<>();
    JsonElement list = Json.at(o, "endpoints");
    if (list != null && list.isJsonArray()) {
      for (JsonElement e : list.getAsJsonArray()) {
        if (!e.isJsonObject()) {
          continue;
        }
        JsonObject endpoint = e.getAsJsonObject();
        JsonElement addresses = Json.at(endpoint, "addresses");
        if (addresses == null || !addresses.isJsonArray() || addresses.getAsJsonArray().isEmpty()) {
          continue;
        }
        String address = addresses.getAsJsonArray().get(0).getAsString();
        String pod = Json.string(endpoint, "targetRef", "uid");
        if (pod == null) {
          String podName = Json.string(endpoint, "targetRef", "name");
          pod = podName != null ? "name:" + podName : "address:" + address;
        }
        endpoints.add(new Endpoint(address, pod, Json.bool(endpoint, "conditions", "ready"),
            Json.bool(endpoint, "conditions", "terminating")));
      }
    }
    Map<String, Integer> ports = new HashMap<>();
    JsonElement portList = Json.at(o, "ports");
    if (portList != null && portList.isJsonArray()) {
      for (JsonElement p : portList.getAsJsonArray()) {
        if (p.isJsonObject() && Json.number(p.getAsJsonObject(), "port") > 0) {
          String portName = Json.string(p.getAsJsonObject(), "name");
          ports.put(portName == null ? "" : portName, (int) Json.number(p.getAsJsonObject(), "port"));
        }
      }
    }
    return new Slice(name, addressType, endpoints, ports);
  }

  @Override
  PeerSet compute(Map<String, Slice> slices) {
    return peers(slices.values(), config, this::warnOnce);
  }

  /** The set that {@code slices} describe: a pure function, so every node computes the same. */
  static PeerSet peers(Iterable<Slice> slices, DiscoveryConfig config, java.util.function.Consumer<String> warn) {
    Map<String, Endpoints.Candidate> byPod = new HashMap<>();
    for (Slice slice : slices) {
      if (!usable(slice, config)) {
        continue;
      }
      boolean ipv6 = "IPv6".equals(slice.addressType());
      int port = port(slice, config);
      if (port <= 0) {
        warn.accept("slice " + slice.name() + " has ports " + slice.ports() + " and none is "
            + (config.portName() != null ? "named '" + config.portName() + "'" : "the only one")
            + ": set the port or the port name; its endpoints are left out");
        continue;
      }
      for (Endpoint e : slice.endpoints()) {
        Endpoints.State state = Boolean.TRUE.equals(e.terminating()) ? Endpoints.State.DRAINING
            : Boolean.FALSE.equals(e.ready()) ? Endpoints.State.NOT_READY
            : Endpoints.State.READY;
        Endpoints.Candidate c = new Endpoints.Candidate(e.pod(), Endpoints.format(e.address(), port), ipv6, state);
        byPod.merge(e.pod(), c, Endpoints::prefer);
      }
    }
    List<String> peers = new ArrayList<>();
    List<String> draining = new ArrayList<>();
    for (Endpoints.Candidate c : byPod.values()) {
      if (c.state() == Endpoints.State.READY) {
        peers.add(c.address());
      } else if (c.state() == Endpoints.State.DRAINING) {
        draining.add(c.address());
      }
    }
    return new PeerSet(peers, draining, peers.isEmpty() ? problem(slices, config) : null);
  }

  /** Whether the set takes endpoints from {@code slice}: a known address type, of the configured family. */
  private static boolean usable(Slice slice, DiscoveryConfig config) {
    boolean ipv6 = "IPv6".equals(slice.addressType());
    return ("IPv4".equals(slice.addressType()) || ipv6 || "FQDN".equals(slice.addressType()))
        && Endpoints.allowed(config.addressFamily(), ipv6);
  }

  /**
   * Why {@code slices} give no peers when it is the configuration's fault rather than the pods',
   * else null. Looked for only when the set is empty, so a busy Service pays nothing for it.
   */
  private static String problem(Iterable<Slice> slices, DiscoveryConfig config) {
    boolean anySlice = false;
    SortedSet<String> names = new TreeSet<>();
    for (Slice slice : slices) {
      anySlice = true;
      if (!usable(slice, config)) {
        continue;
      }
      if (port(slice, config) > 0) {
        return null; // the port is right: the endpoints are just not ready
      }
      names.addAll(slice.ports().keySet());
    }
    if (!anySlice) {
      return "not found: no EndpointSlice" + (config.namespace() == null ? "" : " in namespace '" + config.namespace() + "'")
          + " has the label kubernetes.io/service-name=" + config.service() + " (is the name right? a Service without"
          + " a selector has slices only if someone writes them)";
    }
    if (config.portName() != null) {
      return "has no port named '" + config.portName() + "'; its EndpointSlices name " + names;
    }
    return names.isEmpty() ? "has no ports in its EndpointSlices"
        : "has several ports " + names + "; name one (or give a number)";
  }

  private static int port(Slice slice, DiscoveryConfig config) {
    if (config.port() > 0) {
      return config.port();
    }
    if (config.portName() != null) {
      return slice.ports().getOrDefault(config.portName(), 0);
    }
    return slice.ports().size() == 1 ? slice.ports().values().iterator().next() : 0;
  }

  private void warnOnce(String message) {
    if (warned.add(message)) {
      LOG.log(Level.WARNING, "{0}: {1}", this, message);
    }
  }
}
