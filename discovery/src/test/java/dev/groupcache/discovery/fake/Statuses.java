package dev.groupcache.discovery.fake;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * {@code v1 Status} bodies as the apiserver writes them (k8s.io/apimachinery {@code api/errors}),
 * field order included: kind, apiVersion, metadata, status, message, reason, details, code.
 */
final class Statuses {
    /** The apiserver's message for a continue token whose snapshot has been compacted. */
    static final String CONTINUE_EXPIRED = "The provided continue parameter is too old to display a consistent list"
            + " result. You can start a new list without the continue parameter.";

    private Statuses() {}

    static JsonObject status(int code, String reason, String message, JsonObject details) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "Status");
        o.addProperty("apiVersion", "v1");
        o.add("metadata", new JsonObject());
        o.addProperty("status", "Failure");
        o.addProperty("message", message);
        if (reason != null && !reason.isEmpty()) {
            o.addProperty("reason", reason);
        }
        if (details != null) {
            o.add("details", details);
        }
        o.addProperty("code", code);
        return o;
    }

    /** StatusDetails in Go field order; empty values are omitted (omitempty). */
    static JsonObject details(String name, String group, String kind) {
        JsonObject d = new JsonObject();
        if (name != null && !name.isEmpty()) {
            d.addProperty("name", name);
        }
        if (group != null && !group.isEmpty()) {
            d.addProperty("group", group);
        }
        if (kind != null && !kind.isEmpty()) {
            d.addProperty("kind", kind);
        }
        return d;
    }

    /** The in-stream watch error for a resourceVersion older than the retained history. */
    static JsonObject tooOldResourceVersion(long requested, long oldestAvailable) {
        return status(410, "Expired", "too old resource version: " + requested + " (" + oldestAvailable + ")", null);
    }

    static JsonObject notFound(ResourceKind kind, String name) {
        return status(404, "NotFound", kind.qualifiedResource() + " \"" + name + "\" not found",
                details(name, kind.group(), kind.plural()));
    }

    /** What the apiserver answers for a path it does not serve. */
    static JsonObject pathNotFound() {
        return status(404, "NotFound", "the server could not find the requested resource", new JsonObject());
    }

    static JsonObject badRequest(String message) {
        return status(400, "BadRequest", message, null);
    }

    static JsonObject unauthorized() {
        return status(401, "Unauthorized", "Unauthorized", null);
    }

    static JsonObject methodNotAllowed() {
        return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                new JsonObject());
    }

    /**
     * The RBAC denial the apiserver writes (its {@code forbiddenMessage} and {@code NewForbidden}).
     *
     * @param namespace {@code null} for a request across all namespaces ("at the cluster scope")
     * @param name the object name for a get, else {@code null}
     */
    static JsonObject forbidden(ResourceKind kind, String user, String verb, String namespace, String name) {
        String scope = namespace == null ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
        String reason = "User \"" + user + "\" cannot " + verb + " resource \"" + kind.plural() + "\" in API group \""
                + kind.group() + "\" " + scope;
        String subject = name == null ? kind.qualifiedResource() : kind.qualifiedResource() + " \"" + name + "\"";
        return status(403, "Forbidden", subject + " is forbidden: " + reason, details(name, kind.group(), kind.plural()));
    }

    /**
     * A Status for an injected failure with the given HTTP status, shaped as the apiserver shapes
     * errors of that code.
     *
     * @param watch whether the failed request was a watch (only changes the 410 message)
     */
    static JsonObject forInjectedFailure(int code, boolean watch, int retryAfterSeconds) {
        switch (code) {
            case 400:
                return badRequest("the server rejected our request for an unknown reason");
            case 401:
                return unauthorized();
            case 403:
                return status(403, "Forbidden", "forbidden: the server does not allow access to the requested resource",
                        new JsonObject());
            case 404:
                return pathNotFound();
            case 409:
                return status(409, "Conflict", "the server reported a conflict", new JsonObject());
            case 410:
                return status(410, "Expired", "The resourceVersion for the provided " + (watch ? "watch" : "list")
                        + " is too old.", null);
            case 429: {
                JsonObject d = new JsonObject();
                d.addProperty("retryAfterSeconds", retryAfterSeconds);
                return status(429, "TooManyRequests", "Too many requests, please try again later.", d);
            }
            case 500: {
                String cause = "injected by FakeApiServer";
                JsonObject d = new JsonObject();
                JsonArray causes = new JsonArray();
                JsonObject c = new JsonObject();
                c.addProperty("message", cause);
                causes.add(c);
                d.add("causes", causes);
                return status(500, "InternalError", "Internal error occurred: " + cause, d);
            }
            case 503: {
                JsonObject d = null;
                if (retryAfterSeconds > 0) {
                    d = new JsonObject();
                    d.addProperty("retryAfterSeconds", retryAfterSeconds);
                }
                return status(503, "ServiceUnavailable", "the server is currently unable to handle the request", d);
            }
            case 504: {
                JsonObject d = null;
                if (retryAfterSeconds > 0) {
                    d = new JsonObject();
                    d.addProperty("retryAfterSeconds", retryAfterSeconds);
                }
                return status(504, "Timeout", "Timeout: request did not complete within requested timeout", d);
            }
            default:
                return status(code, "", "HTTP " + code + " injected by FakeApiServer", null);
        }
    }
}
