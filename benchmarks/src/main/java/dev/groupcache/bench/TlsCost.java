package dev.groupcache.bench;

import dev.groupcache.bench.node.CacheSpec;
import dev.groupcache.bench.node.OursJCacheNode;
import dev.groupcache.bench.node.OursNode;
import dev.groupcache.bench.node.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What mutual TLS between members costs: W2 (remote hits through the engine, 16 threads) and a
 * JCache get/put mix (80/20 over 10,000 keys of 1 KiB, 8 threads on each of three members), each
 * on three fresh JVMs in plaintext and with mutual TLS, alternating, in rounds; the medians and
 * their ratio. The certificates come from {@code openssl}: a CA and one member certificate for
 * 127.0.0.1, ECDSA P-256.
 */
final class TlsCost {
  static final String ID = "tls";
  private static final int ROUNDS = 3;
  private static final int KEYS = 10_000;
  private static final int W2_THREADS = 16;
  private static final int MIX_THREADS = 8;
  private static final long MILLIS = 8_000;
  /**
   * Long enough for C2 to have compiled the TLS path: Netty's SslHandler and the OpenSSL engine's
   * wrap and unwrap were seen reaching C2 4-9 s into W2, and with 4 s of warm-up the TLS runs
   * measured the JIT more than TLS.
   */
  private static final long WARMUP_MILLIS = 12_000;

  private TlsCost() {}

  static void run(Options options, Results results) {
    Path pki = options.logDir().resolve("tls-pki");
    makePki(pki);
    List<String> plain = Cluster.JVM_OPTIONS;
    List<String> tls = new ArrayList<>(Cluster.JVM_OPTIONS);
    tls.add("-D" + OursNode.TLS_DIR + "=" + pki.toAbsolutePath());
    double[][] w2 = new double[2][ROUNDS];
    double[][] mix = new double[2][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      for (int i = 0; i < 2; i++) {
        int variant = (r + i) % 2; // alternate which goes first: drift on a shared machine hits both
        List<String> jvm = variant == 0 ? plain : tls;
        String label = (variant == 0 ? "plaintext" : "tls") + "-r" + r;
        w2[variant][r] = remoteHits(label, jvm, options);
        mix[variant][r] = getPutMix(label, jvm, options);
      }
    }
    report(results, "tls.w2.remote_hit.", w2);
    report(results, "tls.jcache_get_put.", mix);
  }

  private static void report(Results results, String prefix, double[][] byVariant) {
    double plain = median(byVariant[0]);
    double tls = median(byVariant[1]);
    results.put(SystemUnderTest.OURS, prefix + "plaintext_ops_per_s", plain, Unit.OPS_PER_SECOND);
    results.put(SystemUnderTest.OURS, prefix + "tls_ops_per_s", tls, Unit.OPS_PER_SECOND);
    results.put(SystemUnderTest.OURS, prefix + "tls_over_plaintext", plain == 0 ? 0 : tls / plain, Unit.TIMES);
  }

  private static double remoteHits(String label, List<String> jvm, Options options) {
    try (Cluster cluster = Cluster.start(SystemUnderTest.OURS, "tls-w2-" + label, OursNode.class, 3, jvm,
        options.logDir())) {
      cluster.open(new CacheSpec("w2", -1, Workload.ROOMY_BYTES, 0, "POPULAR", true));
      long millis = options.millis(MILLIS);
      cluster.call(1, "preload w2 w2- " + KEYS, Workload.timeout(millis));
      Reply r = cluster.call(0, String.join(" ", "remote-hit", "w2", "w2-", Integer.toString(KEYS),
          cluster.id(1), Integer.toString(W2_THREADS), Long.toString(options.millis(WARMUP_MILLIS)),
          Long.toString(millis)), Workload.timeout(millis));
      double ops = r.number("ops") * 1e9 / r.number("elapsed_ns");
      Progress.note(label + " W2: " + Math.round(ops) + " ops/s");
      return ops;
    }
  }

  private static double getPutMix(String label, List<String> jvm, Options options) {
    try (Cluster cluster = Cluster.start(SystemUnderTest.OURS, "tls-mix-" + label, OursJCacheNode.class, 3, jvm,
        options.logDir())) {
      cluster.open(new CacheSpec("mix", -1, 0, 0, "POPULAR", true, 1)); // the provider's default backups
      long millis = options.millis(MILLIS);
      List<Reply> replies = cluster.callEach(i -> String.join(" ", "get-put", "mix", "m" + i + "-",
          Integer.toString(KEYS / 3), Integer.toString(MIX_THREADS), Long.toString(options.millis(WARMUP_MILLIS)),
          Long.toString(millis)), Workload.timeout(millis * 2));
      double ops = 0;
      long errors = 0;
      for (Reply r : replies) {
        ops += r.number("ops") * 1e9 / r.number("elapsed_ns");
        errors += r.number("errors");
      }
      Progress.note(label + " JCache get/put: " + Math.round(ops) + " ops/s, " + errors + " errors");
      return ops;
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** A CA and one member certificate (SAN 127.0.0.1 and localhost, both usages), PEM, by openssl. */
  private static void makePki(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
          + "extendedKeyUsage=serverAuth,clientAuth\n");
      openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=groupcache-bench-ca");
      openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", "key.pem", "-out", "member.csr", "-subj", "/CN=groupcache-bench-member");
      openssl(dir, "x509", "-req", "-in", "member.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
          "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf");
    } catch (IOException e) {
      throw new IllegalStateException("cannot make the benchmark's certificates in " + dir + ": " + e, e);
    }
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed; see " + dir.resolve("openssl.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
