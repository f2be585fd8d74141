package dev.groupcache.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.jcache.cluster.CacheIds;
import dev.groupcache.jcache.cluster.CacheService;
import dev.groupcache.jcache.proto.Entries;
import dev.groupcache.jcache.proto.NodeRequest;
import dev.groupcache.jcache.security.TestPki;
import dev.groupcache.jcache.security.TestTlsClients;
import dev.groupcache.proto.CallRequest;
import dev.groupcache.proto.PeerGrpc;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client side checks the server too: a member whose peer-identity pattern admits only the
 * members' identity does not use a link to a peer whose certificate (signed by the right CA) names
 * another identity, although that peer's server, having no pattern, would accept it.
 */
class TlsPeerIdentityTest {
  @TempDir
  Path dir;

  @Test
  void aMemberRefusesAServerWhoseCertificateDoesNotMatchItsPattern() throws Exception {
    TestPki ca = TestPki.create("shop-ca");
    TestPki.Issued member = ca.issue("orders", List.of(TestPki.MEMBER_ID));
    TestPki.Issued intruder = ca.issue("intruder", List.of("spiffe://cluster.local/ns/shop/sa/intruder"));
    member.writeSecret(dir.resolve("member"));
    intruder.writeSecret(dir.resolve("intruder"));
    // member 0 checks identities; member 1 is the intruder, accepting any certificate of the CA
    try (CacheCluster cluster = new CacheCluster(2, i -> {
      List<String> options = new ArrayList<>(TestPki.Issued.options(dir.resolve(i == 0 ? "member" : "intruder")));
      if (i == 0) {
        options.add("-Dgroupcache.tls.peer-identity=" + TestPki.MEMBER_PATTERN);
      }
      options.add("-Dgroupcache.failure-timeout=500ms");
      options.add("-Dgroupcache.caches.chaos.backups=0"); // no backup to answer for the intruder's keys
      return options;
    }, false)) {
      // The intruder's server answers a client with the member's certificate: any refusal is the client's.
      String cache = CacheIds.of(URI.create(cluster.call(1, "manager-uri")), "c");
      ManagedChannel channel = TestTlsClients.channel(cluster.address(1), member);
      try {
        CallRequest entries = CallRequest.newBuilder().setService(CacheService.NAME).setToOwner(false)
            .setPayload(NodeRequest.newBuilder().setCache(cache).setEntries(Entries.newBuilder().setLimit(1)).build()
                .toByteString()).build();
        PeerGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).call(entries);
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      String key = cluster.keyOwnedBy(1, "k");
      Path log = cluster.stderr(0);
      String refusal = "does not match groupcache.tls.peer-identity";
      long deadline = System.nanoTime() + CacheCluster.WAIT.toNanos();
      String answer;
      do { // the member tries its link until it has logged that it refused the peer it dialled
        answer = cluster.call(0, "available " + key);
        assertTrue(answer.startsWith("available false"), "member 0 reached the intruder: " + answer);
        if (Files.readString(log, StandardCharsets.UTF_8).contains(refusal)) {
          break;
        }
        Thread.sleep(Duration.ofMillis(100).toMillis());
      } while (System.nanoTime() - deadline < 0);
      String logged = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(logged.contains("refused a peer it dialled") && logged.contains("sa/intruder"),
          "member 0 did not log its refusal of the intruder's certificate:\n" + logged);
      assertEquals("available false", cluster.call(0, "available " + key).substring(0, "available false".length()));
    }
  }
}
