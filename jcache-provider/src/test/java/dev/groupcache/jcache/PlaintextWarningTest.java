package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A member without TLS says once, as it starts, what that exposes and how to turn TLS on. */
class PlaintextWarningTest {
  private static final Pattern WARNING = Pattern.compile("WARNING: groupcache peer port \\d+ is PLAINTEXT AND"
      + " UNAUTHENTICATED: anyone on the network path can read and alter its traffic, and members are told apart"
      + " from others only by the IP address their requests come from\\. Turn on mutual TLS"
      + " with groupcache\\.tls\\.cert, groupcache\\.tls\\.key and groupcache\\.tls\\.ca");

  @Test
  void aPlaintextMemberWarnsOnce() throws Exception {
    try (CacheCluster cluster = new CacheCluster(1, List.of())) {
      assertEquals("ok", cluster.call(0, "put k v"));
      assertEquals("value v", cluster.call(0, "get k"));
      Matcher m = WARNING.matcher(Files.readString(cluster.stderr(0), StandardCharsets.UTF_8));
      int warnings = 0;
      while (m.find()) {
        warnings++;
      }
      assertEquals(1, warnings, "plaintext warnings in " + cluster.stderr(0));
    }
  }
}
