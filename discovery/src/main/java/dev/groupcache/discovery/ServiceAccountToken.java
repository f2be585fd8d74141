package dev.groupcache.discovery;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.credentials.Authentication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A bearer token read from a file that the kubelet rewrites when it rotates the token (a projected
 * service-account volume). The file is looked at again when it changes (checked at most once a
 * second) and at once when the API server answers 401, so a rotation costs at most one refused
 * request. client-java's own file token is re-read only once a minute.
 */
final class ServiceAccountToken implements Authentication, Interceptor {
  private static final long CHECK_NANOS = 1_000_000_000L;

  private final Path file;
  private String token; // guarded by this
  private FileTime modified; // guarded by this
  private long checkedAt; // guarded by this

  ServiceAccountToken(Path file) {
    this.file = file;
  }

  @Override
  public void provide(ApiClient client) {
    client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(this).build());
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    String used = token(false);
    Response response = chain.proceed(authorized(chain.request(), used));
    if (response.code() == 401) {
      String fresh = token(true);
      if (!fresh.equals(used)) {
        response.close();
        return chain.proceed(authorized(chain.request(), fresh));
      }
    }
    return response;
  }

  private static Request authorized(Request request, String token) {
    return request.newBuilder().header("Authorization", "Bearer " + token).build();
  }

  /** The token, re-read if the file changed or {@code force}. */
  synchronized String token(boolean force) {
    long now = System.nanoTime();
    if (token != null && !force && now - checkedAt < CHECK_NANOS) {
      return token;
    }
    checkedAt = now;
    try {
      FileTime time = Files.getLastModifiedTime(file);
      if (token == null || force || !time.equals(modified)) {
        token = Files.readString(file, StandardCharsets.UTF_8).trim();
        modified = time;
      }
      return token;
    } catch (IOException e) {
      if (token != null) {
        return token; // mid-rotation: keep the last good token
      }
      throw new UncheckedIOException("cannot read the service account token " + file, e);
    }
  }
}
