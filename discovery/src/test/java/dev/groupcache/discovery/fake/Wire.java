package dev.groupcache.discovery.fake;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for talking to the fake over plain HTTP with the JDK's client. */
final class Wire {
    /** The bound for one expected event or response. */
    static final Duration STEP = Duration.ofSeconds(5);

    static final String ES_PATH = "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices";
    static final String POD_PATH = "/api/v1/namespaces/%s/pods";

    private Wire() {}

    static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return send(client, HttpRequest.newBuilder(URI.create(url)).GET());
    }

    static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    /** Percent-encodes a query value the way client-java (OkHttp) does: spaces as %20. */
    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static List<String> names(JsonArray items) {
        List<String> names = new ArrayList<>();
        for (JsonElement item : items) {
            names.add(item.getAsJsonObject().getAsJsonObject("metadata").get("name").getAsString());
        }
        return names;
    }

    static String name(JsonObject object) {
        return object.getAsJsonObject("metadata").get("name").getAsString();
    }

    static String rv(JsonObject object) {
        return object.getAsJsonObject("metadata").get("resourceVersion").getAsString();
    }

    static String label(JsonObject object, String key) {
        JsonObject labels = object.getAsJsonObject("metadata").getAsJsonObject("labels");
        return labels == null || !labels.has(key) ? null : labels.get(key).getAsString();
    }
}
