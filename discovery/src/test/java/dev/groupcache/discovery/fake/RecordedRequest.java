package dev.groupcache.discovery.fake;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request as the {@link FakeApiServer} received it, for tests to inspect (for example that a
 * client re-listed with an empty {@code resourceVersion=} after a 410, or sent
 * {@code allowWatchBookmarks=true}).
 *
 * @param time when it arrived
 * @param method the HTTP method
 * @param path the percent-decoded path, e.g. {@code /api/v1/namespaces/ns/pods}
 * @param query the percent-decoded query parameters in request order; a parameter given without a
 *     value ({@code resourceVersion=}) maps to {@code ""}; only the first of repeated parameters is
 *     kept (as the apiserver reads them)
 * @param rawQuery the query string as sent, or {@code null}
 * @param authorization the {@code Authorization} header, or {@code null} if absent
 */
public record RecordedRequest(
        Instant time, String method, String path, Map<String, String> query, String rawQuery, String authorization) {

    public RecordedRequest {
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /** The decoded query parameter, or {@code null} if the request did not have it. */
    public String param(String name) {
        return query.get(name);
    }

    /** Whether the request was a watch, by the apiserver's rule (present and not "0" or "false"). */
    public boolean isWatch() {
        return FakeApiServer.isTrue(query.get("watch"));
    }

    /** Whether an {@code Authorization} header was sent. */
    public boolean hasAuthorization() {
        return authorization != null;
    }
}
