package dev.groupcache.discovery.fake;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a core {@code v1 Pod} as JSON in the apiserver's field order, for
 * {@link FakeApiServer#upsert(JsonObject)}:
 *
 * <pre>{@code
 * PodBuilder.pod("shop", "svc-a-0").label("app", "peer").podIP("10.0.0.7").ready(true).build();
 * }</pre>
 *
 * Defaults: one container {@code app}, phase {@code Running}, no Ready condition, no IP. The
 * system fields ({@code uid}, {@code resourceVersion}, {@code creationTimestamp},
 * {@code generation}) are set by the fake when the object is written.
 */
public final class PodBuilder {
    private final String namespace;
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> podIps = new ArrayList<>();
    private final List<JsonObject> containerPorts = new ArrayList<>();
    private String phase = "Running";
    private Boolean ready;
    private String nodeName;
    private String hostIp;
    private Instant deletionTimestamp;

    private PodBuilder(String namespace, String name) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.name = Objects.requireNonNull(name, "name");
    }

    public static PodBuilder pod(String namespace, String name) {
        return new PodBuilder(namespace, name);
    }

    public PodBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    /** Sets {@code status.podIP} and {@code status.podIPs} (the first IP is the primary one). */
    public PodBuilder podIP(String... ips) {
        podIps.clear();
        podIps.addAll(List.of(ips));
        return this;
    }

    /** {@code status.phase}: Pending, Running (the default), Succeeded, Failed, Unknown; null for none. */
    public PodBuilder phase(String phase) {
        this.phase = phase;
        return this;
    }

    /**
     * The {@code Ready} (and {@code ContainersReady}) conditions: {@code true}/{@code false} set them
     * to "True"/"False"; {@code null} leaves the conditions out, as for a pod not yet scheduled.
     */
    public PodBuilder ready(Boolean ready) {
        this.ready = ready;
        return this;
    }

    public PodBuilder nodeName(String nodeName) {
        this.nodeName = nodeName;
        return this;
    }

    public PodBuilder hostIP(String hostIp) {
        this.hostIp = hostIp;
        return this;
    }

    /** Adds a port to the pod's single container. */
    public PodBuilder containerPort(String portName, int port) {
        JsonObject p = new JsonObject();
        p.addProperty("name", portName);
        p.addProperty("containerPort", port);
        p.addProperty("protocol", "TCP");
        containerPorts.add(p);
        return this;
    }

    /**
     * Sets {@code metadata.deletionTimestamp} (and a 30 s grace period), as the apiserver does when
     * a pod is deleted gracefully: the pod still exists and is shutting down. {@code null} clears it.
     */
    public PodBuilder deletionTimestamp(Instant when) {
        this.deletionTimestamp = when == null ? null : when.truncatedTo(ChronoUnit.SECONDS);
        return this;
    }

    /** Marks the pod as being deleted now (see {@link #deletionTimestamp(Instant)}). */
    public PodBuilder terminating() {
        return deletionTimestamp(Instant.now());
    }

    /** The pod as JSON, with kind and apiVersion. */
    public JsonObject build() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "Pod");
        o.addProperty("apiVersion", "v1");
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name);
        meta.addProperty("namespace", namespace);
        if (deletionTimestamp != null) {
            meta.addProperty("deletionTimestamp", deletionTimestamp.toString());
            meta.addProperty("deletionGracePeriodSeconds", 30);
        }
        if (!labels.isEmpty()) {
            JsonObject l = new JsonObject();
            labels.forEach(l::addProperty);
            meta.add("labels", l);
        }
        o.add("metadata", meta);

        JsonObject spec = new JsonObject();
        JsonArray containers = new JsonArray();
        JsonObject container = new JsonObject();
        container.addProperty("name", "app");
        container.addProperty("image", "registry.example/app:1");
        if (!containerPorts.isEmpty()) {
            JsonArray ports = new JsonArray();
            containerPorts.forEach(p -> ports.add(p.deepCopy()));
            container.add("ports", ports);
        }
        containers.add(container);
        spec.add("containers", containers);
        if (nodeName != null) {
            spec.addProperty("nodeName", nodeName);
        }
        o.add("spec", spec);

        JsonObject status = new JsonObject();
        if (phase != null) {
            status.addProperty("phase", phase);
        }
        if (ready != null) {
            String transition = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            JsonArray conditions = new JsonArray();
            for (String type : List.of("Ready", "ContainersReady")) {
                JsonObject c = new JsonObject();
                c.addProperty("type", type);
                c.addProperty("status", ready ? "True" : "False");
                c.add("lastProbeTime", JsonNull.INSTANCE);
                c.addProperty("lastTransitionTime", transition);
                conditions.add(c);
            }
            status.add("conditions", conditions);
        }
        if (hostIp != null) {
            status.addProperty("hostIP", hostIp);
        }
        if (!podIps.isEmpty()) {
            status.addProperty("podIP", podIps.get(0));
            JsonArray ips = new JsonArray();
            for (String ip : podIps) {
                JsonObject i = new JsonObject();
                i.addProperty("ip", ip);
                ips.add(i);
            }
            status.add("podIPs", ips);
        }
        o.add("status", status);
        return o;
    }

    @Override
    public String toString() {
        return build().toString();
    }
}
