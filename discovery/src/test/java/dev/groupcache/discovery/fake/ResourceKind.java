package dev.groupcache.discovery.fake;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * The two resources the {@link FakeApiServer} serves, with the names the real apiserver uses for
 * them: group, version, plural resource name (in URLs, RBAC and error messages) and kind.
 */
public enum ResourceKind {
    /** {@code discovery.k8s.io/v1 EndpointSlice}, plural {@code endpointslices}. */
    ENDPOINT_SLICE("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
    /** Core {@code v1 Pod}, plural {@code pods}. */
    POD("", "v1", "pods", "Pod");

    private final String group;
    private final String version;
    private final String plural;
    private final String kind;

    ResourceKind(String group, String version, String plural, String kind) {
        this.group = group;
        this.version = version;
        this.plural = plural;
        this.kind = kind;
    }

    /** The API group: {@code "discovery.k8s.io"}, or {@code ""} for the core group. */
    public String group() {
        return group;
    }

    /** The lower-case plural resource name used in paths and RBAC: {@code endpointslices}, {@code pods}. */
    public String plural() {
        return plural;
    }

    /** The object kind: {@code EndpointSlice}, {@code Pod}. */
    public String kind() {
        return kind;
    }

    /** The list kind: {@code EndpointSliceList}, {@code PodList}. */
    public String listKind() {
        return kind + "List";
    }

    /** {@code discovery.k8s.io/v1} or {@code v1}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /**
     * The resource as the apiserver names it in error messages: {@code endpointslices.discovery.k8s.io},
     * or just {@code pods} for the core group.
     */
    public String qualifiedResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** {@code /apis/discovery.k8s.io/v1} or {@code /api/v1}. */
    public String pathPrefix() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /**
     * The collection path, for one namespace or (with {@code namespace == null}) across all of them,
     * e.g. {@code /apis/discovery.k8s.io/v1/namespaces/ns/endpointslices}, {@code /api/v1/pods}.
     */
    public String collectionPath(String namespace) {
        return pathPrefix() + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
    }

    /** The kind for a {@code kind} field value, or {@code null} if the fake does not serve it. */
    public static ResourceKind ofKind(String kind) {
        for (ResourceKind k : values()) {
            if (k.kind.equals(kind)) {
                return k;
            }
        }
        return null;
    }

    /**
     * The object of a BOOKMARK event exactly as the apiserver serializes it: an empty object of the
     * type where only {@code metadata.resourceVersion} is set and every non-omitempty field keeps
     * its Go zero value ({@code null} slices, {@code ""} strings, {@code null} time). For Pods this
     * means {@code "spec":{"containers":null}}, the shape client-java 27 cannot parse (#4160).
     */
    JsonObject bookmarkObject(long resourceVersion) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind);
        o.addProperty("apiVersion", apiVersion());
        JsonObject meta = new JsonObject();
        meta.addProperty("resourceVersion", Long.toString(resourceVersion));
        meta.add("creationTimestamp", JsonNull.INSTANCE);
        o.add("metadata", meta);
        if (this == ENDPOINT_SLICE) {
            o.addProperty("addressType", "");
            o.add("endpoints", JsonNull.INSTANCE);
            o.add("ports", JsonNull.INSTANCE);
        } else {
            JsonObject spec = new JsonObject();
            spec.add("containers", JsonNull.INSTANCE);
            o.add("spec", spec);
            o.add("status", new JsonObject());
        }
        return o;
    }
}
