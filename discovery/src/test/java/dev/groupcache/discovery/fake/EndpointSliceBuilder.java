package dev.groupcache.discovery.fake;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@code discovery.k8s.io/v1 EndpointSlice} as JSON in the apiserver's field order, for
 * {@link FakeApiServer#upsert(JsonObject)}. A slice as the EndpointSlice controller writes it for
 * a Service {@code svc-a} looks like:
 *
 * <pre>{@code
 * EndpointSliceBuilder.endpointSlice("shop", "svc-a-x7k2p")
 *     .serviceName("svc-a")
 *     .addEndpoint(EndpointSliceBuilder.endpoint("10.0.0.7").ready(true).serving(true).terminating(false)
 *         .targetPod("svc-a-0").nodeName("node-1").zone("zone-a"))
 *     .addPort("grpc", 7600, "TCP")
 *     .build();
 * }</pre>
 *
 * The system fields ({@code uid}, {@code resourceVersion}, {@code creationTimestamp},
 * {@code generation}) are set by the fake when the object is written.
 */
public final class EndpointSliceBuilder {
    /** The label that ties a slice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** The label the EndpointSlice controller puts on the slices it manages. */
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

    private final String namespace;
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String addressType = "IPv4";
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final List<JsonObject> ports = new ArrayList<>();

    private EndpointSliceBuilder(String namespace, String name) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** A slice named {@code name} in {@code namespace}, addressType IPv4, no endpoints, no ports. */
    public static EndpointSliceBuilder endpointSlice(String namespace, String name) {
        return new EndpointSliceBuilder(namespace, name);
    }

    /** An endpoint with these addresses (one, in practice) and no conditions set. */
    public static Endpoint endpoint(String... addresses) {
        return new Endpoint(addresses);
    }

    /** Sets the {@value #SERVICE_NAME_LABEL} label, which selects the slices of one Service. */
    public EndpointSliceBuilder serviceName(String serviceName) {
        return label(SERVICE_NAME_LABEL, serviceName);
    }

    /** Sets {@value #MANAGED_BY_LABEL}{@code =endpointslice-controller.k8s.io}, as the controller does. */
    public EndpointSliceBuilder managedByController() {
        return label(MANAGED_BY_LABEL, "endpointslice-controller.k8s.io");
    }

    public EndpointSliceBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    /** {@code IPv4} (the default), {@code IPv6} or {@code FQDN}. */
    public EndpointSliceBuilder addressType(String addressType) {
        this.addressType = Objects.requireNonNull(addressType);
        return this;
    }

    public EndpointSliceBuilder addEndpoint(Endpoint endpoint) {
        endpoints.add(endpoint);
        return this;
    }

    /**
     * Adds a port. Every argument may be {@code null}: a null port means "all ports" in the
     * EndpointSlice API; the apiserver defaults a null protocol to TCP, which this builder does not.
     */
    public EndpointSliceBuilder addPort(String portName, Integer port, String protocol) {
        JsonObject p = new JsonObject();
        if (portName != null) {
            p.addProperty("name", portName);
        }
        if (protocol != null) {
            p.addProperty("protocol", protocol);
        }
        if (port != null) {
            p.addProperty("port", port);
        }
        ports.add(p);
        return this;
    }

    /** The slice as JSON, with kind and apiVersion. */
    public JsonObject build() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "EndpointSlice");
        o.addProperty("apiVersion", "discovery.k8s.io/v1");
        JsonObject meta = new JsonObject();
        meta.addProperty("name", name);
        meta.addProperty("namespace", namespace);
        if (!labels.isEmpty()) {
            JsonObject l = new JsonObject();
            labels.forEach(l::addProperty);
            meta.add("labels", l);
        }
        o.add("metadata", meta);
        o.addProperty("addressType", addressType);
        // Neither field is omitempty in Go: the apiserver writes null for a slice without endpoints or ports.
        if (endpoints.isEmpty()) {
            o.add("endpoints", JsonNull.INSTANCE);
        } else {
            JsonArray eps = new JsonArray();
            for (Endpoint e : endpoints) {
                eps.add(e.toJson(namespace));
            }
            o.add("endpoints", eps);
        }
        if (ports.isEmpty()) {
            o.add("ports", JsonNull.INSTANCE);
        } else {
            JsonArray ps = new JsonArray();
            ports.forEach(p -> ps.add(p.deepCopy()));
            o.add("ports", ps);
        }
        return o;
    }

    @Override
    public String toString() {
        return build().toString();
    }

    /** One entry of {@code endpoints}. Conditions are tri-state: true, false or absent ({@code null}). */
    public static final class Endpoint {
        private final List<String> addresses;
        private Boolean ready;
        private Boolean serving;
        private Boolean terminating;
        private String hostname;
        private String targetPodNamespace;
        private String targetPodName;
        private String targetPodUid;
        private String nodeName;
        private String zone;

        private Endpoint(String... addresses) {
            this.addresses = List.of(addresses);
        }

        /** {@code conditions.ready}; {@code null} leaves it out (consumers must then assume ready). */
        public Endpoint ready(Boolean ready) {
            this.ready = ready;
            return this;
        }

        /** {@code conditions.serving}; {@code null} leaves it out. */
        public Endpoint serving(Boolean serving) {
            this.serving = serving;
            return this;
        }

        /** {@code conditions.terminating}; {@code null} leaves it out. */
        public Endpoint terminating(Boolean terminating) {
            this.terminating = terminating;
            return this;
        }

        public Endpoint hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /** {@code targetRef} to a Pod in the slice's namespace. */
        public Endpoint targetPod(String podName) {
            this.targetPodName = podName;
            return this;
        }

        /** {@code targetRef} to a Pod with a known uid (and an explicit namespace, null for the slice's). */
        public Endpoint targetPod(String podNamespace, String podName, String podUid) {
            this.targetPodNamespace = podNamespace;
            this.targetPodName = podName;
            this.targetPodUid = podUid;
            return this;
        }

        public Endpoint nodeName(String nodeName) {
            this.nodeName = nodeName;
            return this;
        }

        public Endpoint zone(String zone) {
            this.zone = zone;
            return this;
        }

        JsonObject toJson(String sliceNamespace) {
            JsonObject e = new JsonObject();
            JsonArray a = new JsonArray();
            addresses.forEach(a::add);
            e.add("addresses", a);
            JsonObject c = new JsonObject();
            if (ready != null) {
                c.addProperty("ready", ready);
            }
            if (serving != null) {
                c.addProperty("serving", serving);
            }
            if (terminating != null) {
                c.addProperty("terminating", terminating);
            }
            e.add("conditions", c);
            if (hostname != null) {
                e.addProperty("hostname", hostname);
            }
            if (targetPodName != null) {
                JsonObject ref = new JsonObject();
                ref.addProperty("kind", "Pod");
                ref.addProperty("namespace", targetPodNamespace != null ? targetPodNamespace : sliceNamespace);
                ref.addProperty("name", targetPodName);
                if (targetPodUid != null) {
                    ref.addProperty("uid", targetPodUid);
                }
                e.add("targetRef", ref);
            }
            if (nodeName != null) {
                e.addProperty("nodeName", nodeName);
            }
            if (zone != null) {
                e.addProperty("zone", zone);
            }
            return e;
        }
    }
}
