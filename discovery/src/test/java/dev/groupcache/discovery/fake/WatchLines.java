package dev.groupcache.discovery.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A watch read with the JDK's {@link HttpClient}, line by line on a background thread, so that the
 * test can wait for each event with a bound. The stream ends either cleanly (EOF after the
 * terminating chunk) or with the IOException a truncated chunked stream gives.
 */
final class WatchLines implements AutoCloseable {
    /** How a stream ended. {@code error} is null for a clean end. */
    record End(IOException error) {
        boolean clean() {
            return error == null;
        }
    }

    private static final Object EOF = new Object();

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private final Thread reader;

    private WatchLines(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "watch-lines");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Opens {@code baseUrl + pathAndQuery} and expects 200 (asserted). */
    static WatchLines open(HttpClient client, String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = client.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            fail("watch answered " + response.statusCode() + ": " + body);
        }
        return new WatchLines(response);
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                items.add(line);
            }
            items.add(EOF);
        } catch (IOException e) {
            items.add(e);
        }
    }

    /** The next line as raw text; fails the test if none arrives in {@code timeout} or the stream ended. */
    String nextLine(Duration timeout) throws InterruptedException {
        Object item = items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (item == null) {
            fail("no watch event within " + timeout);
        }
        if (!(item instanceof String)) {
            fail("the watch ended instead of sending an event: " + item);
        }
        return (String) item;
    }

    JsonObject next(Duration timeout) throws InterruptedException {
        return JsonParser.parseString(nextLine(timeout)).getAsJsonObject();
    }

    /** The next event; asserts its type and returns its object. */
    JsonObject expect(String type, Duration timeout) throws InterruptedException {
        JsonObject event = next(timeout);
        assertEquals(type, event.get("type").getAsString(), () -> "event " + event);
        return event.getAsJsonObject("object");
    }

    List<JsonObject> next(int count, Duration timeout) throws InterruptedException {
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(next(timeout));
        }
        return out;
    }

    /** Asserts that nothing (no event, no end) arrives for {@code quiet}. */
    void expectNothing(Duration quiet) throws InterruptedException {
        Object item = items.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        assertNull(item, () -> "expected no event, got " + item);
    }

    /** Waits for the end of the stream, asserting no further events arrive before it. */
    End awaitEnd(Duration timeout) throws InterruptedException {
        Object item = items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(item, () -> "the watch did not end within " + timeout);
        if (item instanceof String) {
            fail("expected the end of the watch, got " + item);
        }
        return new End(item == EOF ? null : (IOException) item);
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // closing a stream the server already cut
        }
        reader.interrupt();
    }
}
