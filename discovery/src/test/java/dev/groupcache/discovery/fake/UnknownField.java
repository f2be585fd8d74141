package dev.groupcache.discovery.fake;

/**
 * Places where {@link FakeApiServer#injectUnknownFields} adds a field that the client's model does
 * not know, as a newer apiserver does when a Kubernetes release adds a field (for example
 * EndpointSlice {@code conditions.serving} and {@code conditions.terminating} in 1.20/1.22, or
 * {@code hints} in 1.21). A tolerant client ignores such fields; client-java 27's generated models
 * reject them (kubernetes-client/java#3428, #3980, #4809).
 */
public enum UnknownField {
    /** A top-level field of every served object: {@code "futureTopLevelField":"from-a-newer-apiserver"}. */
    TOP_LEVEL("futureTopLevelField"),
    /** A field in every object's {@code metadata}. */
    METADATA("futureMetadataField"),
    /** A field in every entry of an EndpointSlice's {@code endpoints}. */
    ENDPOINT("futureEndpointField"),
    /** A boolean in every EndpointSlice endpoint's {@code conditions} (a new condition). */
    ENDPOINT_CONDITIONS("futureCondition"),
    /** A field in every Pod's {@code status}. */
    POD_STATUS("futureStatusField");

    /** The value given to string-valued injected fields. */
    public static final String VALUE = "from-a-newer-apiserver";

    private final String fieldName;

    UnknownField(String fieldName) {
        this.fieldName = fieldName;
    }

    /** The JSON member name the fake adds at this place. */
    public String fieldName() {
        return fieldName;
    }
}
