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

/**
 * The peers among the pods that match a label selector: those that are Ready, not being deleted,
 * and have an IP. A pod being deleted is draining. The port is the configured one, else the
 * container port of the configured name.
 *
 * <p>Pod bookmarks, which client-java cannot read (#4160), are read here like any other: they only
 * advance the resourceVersion.
 */
final class PodSource extends KubernetesSource<PodSource.Pod> {
  private static final System.Logger LOG = System.getLogger(PeerSource.class.getName());

  /** What a pod says, reduced to what the set needs. */
  record Pod(String uid, List<String> ips, boolean ready, boolean deleting, Map<String, Integer> ports) {}

  private final DiscoveryConfig config;
  private final Set<String> warned = new HashSet<>();

  PodSource(DiscoveryConfig config, KubernetesAccess access, String namespace) {
    super("pods " + config.labelSelector() + " in " + namespace, access, namespace, "", "pods",
        "/api/v1/namespaces/" + namespace + "/pods", config.labelSelector(), config.debounce());
    this.config = config;
  }

  @Override
  public Pod parse(JsonObject o) {
    String name = Json.string(o, "metadata", "name");
    String uid = Json.string(o, "metadata", "uid");
    List<String> ips = new ArrayList<>();
    JsonElement podIps = Json.at(o, "status", "podIPs");
    if (podIps != null && podIps.isJsonArray()) {
      for (JsonElement ip : podIps.getAsJsonArray()) {
        if (ip.isJsonObject() && Json.string(ip.getAsJsonObject(), "ip") != null) {
          ips.add(Json.string(ip.getAsJsonObject(), "ip"));
        }
      }
    }
    String podIp = Json.string(o, "status", "podIP");
    if (ips.isEmpty() && podIp != null && !podIp.isEmpty()) {
      ips.add(podIp);
    }
    boolean ready = false;
    JsonElement conditions = Json.at(o, "status", "conditions");
    if (conditions != null && conditions.isJsonArray()) {
      for (JsonElement c : conditions.getAsJsonArray()) {
        if (c.isJsonObject() && "Ready".equals(Json.string(c.getAsJsonObject(), "type"))) {
          ready = "True".equals(Json.string(c.getAsJsonObject(), "status"));
        }
      }
    }
    Map<String, Integer> ports = new HashMap<>();
    JsonElement containers = Json.at(o, "spec", "containers");
    if (containers != null && containers.isJsonArray()) {
      for (JsonElement c : containers.getAsJsonArray()) {
        JsonElement list = c.isJsonObject() ? Json.at(c.getAsJsonObject(), "ports") : null;
        if (list != null && list.isJsonArray()) {
          for (JsonElement p : list.getAsJsonArray()) {
            if (p.isJsonObject() && Json.string(p.getAsJsonObject(), "name") != null) {
              ports.put(Json.string(p.getAsJsonObject(), "name"), (int) Json.number(p.getAsJsonObject(), "containerPort"));
            }
          }
        }
      }
    }
    return new Pod(uid != null ? uid : name, ips, ready, Json.at(o, "metadata", "deletionTimestamp") != null, ports);
  }

  @Override
  PeerSet compute(Map<String, Pod> pods) {
    List<String> peers = new ArrayList<>();
    List<String> draining = new ArrayList<>();
    for (Map.Entry<String, Pod> entry : pods.entrySet()) {
      Pod pod = entry.getValue();
      int port = config.port() > 0 ? config.port()
          : config.portName() != null ? pod.ports().getOrDefault(config.portName(), 0) : 0;
      if (port <= 0) {
        warnOnce("pod " + entry.getKey() + " has no container port named '" + config.portName()
            + "': set the port or the port name; it is left out");
        continue;
      }
      Endpoints.Candidate chosen = null;
      for (String ip : pod.ips()) {
        boolean ipv6 = Endpoints.isIpv6(ip);
        if (Endpoints.allowed(config.addressFamily(), ipv6)) {
          Endpoints.Candidate c = new Endpoints.Candidate(pod.uid(), Endpoints.format(ip, port), ipv6, null);
          chosen = chosen == null ? c : Endpoints.prefer(chosen, c);
        }
      }
      if (chosen == null) {
        continue; // no IP yet, or none of the family
      }
      if (pod.deleting()) {
        draining.add(chosen.address());
      } else if (pod.ready()) {
        peers.add(chosen.address());
      }
    }
    return new PeerSet(peers, draining);
  }

  private void warnOnce(String message) {
    if (warned.add(message)) {
      LOG.log(Level.WARNING, "{0}: {1}", this, message);
    }
  }
}
