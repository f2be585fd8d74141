package dev.groupcache.bench.node;

import dev.groupcache.ByteView;
import dev.groupcache.Group;
import dev.groupcache.GroupConfig;
import dev.groupcache.HotAdmission;
import dev.groupcache.Node;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A groupcache node in its own JVM: listens on a free port of 127.0.0.1, reports it as its id, and
 * takes the full static peer list from the driver.
 */
public final class OursNode implements BenchNode {
  /** A system property: the directory of {@code cert.pem}, {@code key.pem} and {@code ca.pem} for mutual TLS. */
  public static final String TLS_DIR = "bench.tls.dir";

  private final Node node = tls(Node.builder().self("127.0.0.1").port(0).bindHost("127.0.0.1")).build();

  /** Mutual TLS from {@link #TLS_DIR}'s files, if it is set. */
  private static Node.Builder tls(Node.Builder builder) {
    String dir = System.getProperty(TLS_DIR);
    if (dir == null) {
      return builder;
    }
    File cert = Path.of(dir, "cert.pem").toFile();
    File key = Path.of(dir, "key.pem").toFile();
    File ca = Path.of(dir, "ca.pem").toFile();
    try {
      return builder
          .serverCredentials(TlsServerCredentials.newBuilder().keyManager(cert, key).trustManager(ca)
              .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build())
          .channelCredentials(TlsChannelCredentials.newBuilder().keyManager(cert, key).trustManager(ca).build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS files in " + dir, e);
    }
  }

  /** The child JVM's entry point; speaks {@link CommandLoop}'s protocol. */
  public static void main(String[] args) {
    CommandLoop.serve(OursNode::new);
  }

  @Override
  public String id() {
    return node.self().toString();
  }

  @Override
  public void join(List<String> ids) {
    node.setPeers(ids);
  }

  /** A group whose loader counts its calls and answers after the spec's latency. */
  @Override
  public BenchCache<ByteView> open(CacheSpec spec) {
    if (spec.maxBytes() <= 0) {
      throw new IllegalArgumentException("a group needs a byte budget: " + spec);
    }
    GroupConfig config = GroupConfig.builder(spec.name())
        .maxBytes(spec.maxBytes())
        .hotShare(spec.hotShare())
        .hotAdmission(HotAdmission.valueOf(spec.admission()))
        .build();
    long latency = spec.loaderMillis();
    Group group = node.newGroup(config, key -> {
      LoaderCalls.increment();
      LoaderCalls.simulateLatency(latency);
      return ByteView.copyOf(Values.of(key.toByteArray()));
    });
    return new GroupCache(node, group);
  }

  @Override
  public void close() {
    node.close();
  }
}
