package dev.groupcache.discovery;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Keeps a copy of the objects of one kind that match a label selector in one namespace: lists them,
 * then watches from the list's resourceVersion, and starts over whenever it must.
 *
 * <p>Objects are read leniently: only the fields a {@link Handler} asks for, with everything else
 * ignored. client-java's generated models reject any field they do not know, so a newer API server
 * can stop its informers from ever syncing (client-java #3428, #4809), and they cannot read Pod
 * bookmarks (#4160). This reader has neither problem. client-java still builds every request, so
 * its TLS and authentication (kubeconfig, exec plugins, certificates) apply.
 *
 * <p>The loop, on its own daemon thread, never gives up:
 * <ul>
 *   <li>a watch that ends cleanly (the server's timeout) resumes at once from the last
 *       resourceVersion, without a list;
 *   <li>a cut connection or an error resumes after a backoff from the last resourceVersion;
 *   <li>{@code 410 Gone}, in the stream or as a status, means the history is gone: it lists again,
 *       and the new list replaces the whole copy, so objects deleted during the gap disappear;
 *   <li>backoffs are jittered and double from 500 ms to 30 s; a watch that stays up for 10 s
 *       resets them.
 * </ul>
 * Bookmarks only advance the resourceVersion, so resuming after them is cheap.
 */
final class ListWatch<T> implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ListWatch.class.getName());
  static final long INITIAL_BACKOFF_MILLIS = 500;
  static final long MAX_BACKOFF_MILLIS = 30_000;
  static final long HEALTHY_MILLIS = 10_000;
  private static final int PAGE = 500;

  /** Receives the copy's changes, on the loop's thread. */
  interface Handler<T> {
    /** Reads the fields it needs from an object, or returns null to ignore it. */
    T parse(JsonObject object);

    /** The whole copy after a list: replaces everything known before. */
    void replaceAll(Map<String, T> objects);

    void upsert(String name, T object);

    void delete(String name);

    /** A request failed; {@code forbidden} when the API server refused it (403). */
    void failed(String problem, boolean forbidden);
  }

  private final String description;
  private final ApiClient client;
  private final String path;
  private final String labelSelector;
  private final Handler<T> handler;
  private final AtomicLong events;
  private final AtomicLong watchRestarts;
  private final AtomicLong relists;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Call current;
  private String resourceVersion; // null: must list
  private long lists;
  private long backoffMillis = INITIAL_BACKOFF_MILLIS;

  ListWatch(String description, ApiClient client, String path, String labelSelector, Handler<T> handler,
      AtomicLong events, AtomicLong watchRestarts, AtomicLong relists) {
    this.description = description;
    this.client = client;
    this.path = path;
    this.labelSelector = labelSelector;
    this.handler = handler;
    this.events = events;
    this.watchRestarts = watchRestarts;
    this.relists = relists;
    this.thread = new Thread(this::run, "groupcache-discovery-" + description.replace(' ', '-'));
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        if (resourceVersion == null) {
          list();
        }
        long started = System.nanoTime();
        boolean clean = watch();
        watchRestarts.incrementAndGet();
        long upMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (upMillis >= HEALTHY_MILLIS) {
          backoffMillis = INITIAL_BACKOFF_MILLIS;
        }
        if (!clean || upMillis < 1_000) {
          pause(); // a watch that keeps ending at once must not spin
        }
      } catch (Expired e) {
        resourceVersion = null;
        LOG.log(Level.DEBUG, "{0}: {1}; listing again", description, e.getMessage());
      } catch (Refused e) {
        handler.failed(e.getMessage(), e.status == 403);
        if (e.status == 403 || e.status == 401) {
          LOG.log(Level.DEBUG, "{0}: {1}", description, e.getMessage());
        } else {
          LOG.log(Level.WARNING, "{0}: {1}", description, e.getMessage());
        }
        pause(e.retryAfterMillis);
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        handler.failed(description + ": " + e, false);
        LOG.log(Level.DEBUG, "{0}: {1}; resuming after a backoff", description, e.toString());
        pause();
      }
    }
  }

  /** Lists every matching object, page by page, and hands the whole copy over. */
  private void list() throws IOException {
    Map<String, T> objects = new HashMap<>();
    String continueToken = null;
    String listVersion;
    do {
      List<Pair> query = new ArrayList<>();
      if (continueToken != null) {
        query.add(new Pair("continue", continueToken));
      }
      query.add(new Pair("labelSelector", labelSelector));
      query.add(new Pair("limit", String.valueOf(PAGE)));
      JsonObject list;
      try (Response response = execute(query, false, 60)) {
        list = JsonParser.parseString(body(response).string()).getAsJsonObject();
      } catch (JsonParseException | IllegalStateException e) {
        throw new IOException("unreadable list: " + e.getMessage(), e);
      }
      JsonElement items = list.get("items");
      if (items != null && items.isJsonArray()) {
        for (JsonElement item : items.getAsJsonArray()) {
          if (item.isJsonObject()) {
            String name = Json.string(item.getAsJsonObject(), "metadata", "name");
            T parsed = handler.parse(item.getAsJsonObject());
            if (name != null && parsed != null) {
              objects.put(name, parsed);
            }
          }
        }
      }
      listVersion = Json.string(list, "metadata", "resourceVersion");
      continueToken = Json.string(list, "metadata", "continue");
    } while (continueToken != null && !continueToken.isEmpty() && !closed);
    if (listVersion == null) {
      throw new IOException("the list has no resourceVersion");
    }
    if (lists++ > 0) {
      relists.incrementAndGet();
    }
    events.incrementAndGet();
    resourceVersion = listVersion;
    handler.replaceAll(objects);
  }

  /**
   * Watches from the last resourceVersion until the stream ends.
   *
   * @return true if it ended cleanly (the server's timeout), false if it was cut
   */
  private boolean watch() throws IOException {
    int timeoutSeconds = 240 + ThreadLocalRandom.current().nextInt(120);
    List<Pair> query = new ArrayList<>();
    query.add(new Pair("allowWatchBookmarks", "true"));
    query.add(new Pair("labelSelector", labelSelector));
    query.add(new Pair("resourceVersion", resourceVersion));
    query.add(new Pair("timeoutSeconds", String.valueOf(timeoutSeconds)));
    query.add(new Pair("watch", "true"));
    // The server ends the stream after timeoutSeconds; a call much longer means a dead link.
    try (Response response = execute(query, true, timeoutSeconds + 60L)) {
      BufferedSource source = body(response).source();
      for (String line; (line = source.readUtf8Line()) != null; ) {
        if (!line.isBlank()) {
          event(line);
        }
      }
      return true;
    } catch (InterruptedIOException e) {
      if (closed) {
        return true;
      }
      throw e;
    }
  }

  private void event(String line) throws IOException {
    JsonObject event;
    try {
      event = JsonParser.parseString(line).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException("unreadable watch event: " + abbreviate(line), e);
    }
    String type = Json.string(event, "type");
    JsonElement object = event.get("object");
    if (type == null || object == null || !object.isJsonObject()) {
      throw new IOException("malformed watch event: " + abbreviate(line));
    }
    JsonObject o = object.getAsJsonObject();
    if (type.equals("ERROR")) {
      long code = Json.number(o, "code");
      if (code == 410) {
        throw new Expired("watch expired: " + Json.string(o, "message"));
      }
      throw new IOException("watch error " + code + ": " + Json.string(o, "message"));
    }
    String version = Json.string(o, "metadata", "resourceVersion");
    String name = Json.string(o, "metadata", "name");
    switch (type) {
      case "BOOKMARK" -> {
        // Only a resourceVersion to resume from: no object, no event for listeners.
      }
      case "ADDED", "MODIFIED" -> {
        T parsed = name == null ? null : handler.parse(o);
        if (parsed != null) {
          events.incrementAndGet();
          handler.upsert(name, parsed);
        }
      }
      case "DELETED" -> {
        if (name != null) {
          events.incrementAndGet();
          handler.delete(name);
        }
      }
      default -> LOG.log(Level.DEBUG, "{0}: ignoring watch event of type {1}", description, type);
    }
    if (version != null && !version.isEmpty()) {
      resourceVersion = version;
    }
  }

  private Response execute(List<Pair> query, boolean watch, long timeoutSeconds) throws IOException {
    Call call;
    try {
      // Mutable maps: client-java's authentications write headers (a kubeconfig token) into them.
      Map<String, String> headers = new HashMap<>();
      headers.put("Accept", "application/json");
      call = client.buildCall(client.getBasePath(), path, "GET", query, new ArrayList<>(), null,
          headers, new HashMap<>(), new HashMap<>(), new String[] {"BearerToken"}, null);
    } catch (ApiException e) {
      throw new IOException("cannot build the request: " + e.getMessage(), e);
    }
    call.timeout().timeout(timeoutSeconds, TimeUnit.SECONDS);
    current = call;
    if (closed) {
      call.cancel();
    }
    Response response = call.execute();
    if (response.isSuccessful()) {
      return response;
    }
    try (response) {
      String text = response.body() == null ? "" : response.body().string();
      String message = text;
      try {
        JsonObject status = JsonParser.parseString(text).getAsJsonObject();
        message = Json.string(status, "message");
      } catch (JsonParseException | IllegalStateException e) {
        // not a Status: keep the raw text
      }
      if (response.code() == 410) {
        throw new Expired("HTTP 410: " + message);
      }
      long retryAfter = -1;
      String header = response.header("Retry-After");
      if (header != null) {
        try {
          retryAfter = Long.parseLong(header.trim()) * 1000;
        } catch (NumberFormatException e) {
          // a date: use the backoff
        }
      }
      throw new Refused(response.code(), (watch ? "watch" : "list") + " " + path + " refused: HTTP "
          + response.code() + (message == null || message.isEmpty() ? "" : ": " + abbreviate(message)), retryAfter);
    }
  }

  private static ResponseBody body(Response response) throws IOException {
    ResponseBody body = response.body();
    if (body == null) {
      throw new IOException("empty response");
    }
    return body;
  }

  private void pause() {
    pause(-1);
  }

  private void pause(long requestedMillis) {
    long millis = requestedMillis > 0
        ? Math.min(requestedMillis, MAX_BACKOFF_MILLIS)
        : (long) (backoffMillis * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      closed = true;
    }
  }

  /** The backoff the next failure will wait, before jitter. */
  long nextBackoffMillis() {
    return backoffMillis;
  }

  @Override
  public void close() {
    closed = true;
    Call call = current;
    if (call != null) {
      call.cancel();
    }
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  /** The history the watch needs is gone (410): list again. */
  private static final class Expired extends IOException {
    private static final long serialVersionUID = 1L;

    Expired(String message) {
      super(message);
    }
  }

  /** The API server answered a request with an error status. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;
    final long retryAfterMillis;

    Refused(int status, String message, long retryAfterMillis) {
      super(message);
      this.status = status;
      this.retryAfterMillis = retryAfterMillis;
    }
  }
}
