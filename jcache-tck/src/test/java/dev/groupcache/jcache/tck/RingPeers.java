package dev.groupcache.jcache.tck;

import dev.groupcache.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * For the TCK's ring execution: before any test runs, starts the other members of the ring, each
 * in its own JVM, with this JVM's {@code groupcache.*} settings but its own address; stops them
 * when the session ends. Inactive unless {@code tck.ring.peers} names them.
 */
public final class RingPeers implements LauncherSessionListener {
  /** The running peers, for {@code RingTest}; empty outside the ring execution. */
  static final List<ChildJvm> PEERS = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final List<ChildJvm> peers = PEERS;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String addresses = System.getProperty("tck.ring.peers", "");
    if (addresses.isBlank()) {
      return;
    }
    for (String address : addresses.split(",")) {
      List<String> options = new ArrayList<>(List.of("-Xmx256m"));
      for (String name : System.getProperties().stringPropertyNames()) {
        if (name.startsWith("groupcache.")) {
          options.add("-D" + name + "=" + System.getProperty(name));
        }
      }
      options.add("-Dgroupcache.self=" + address);
      options.add("-Dgroupcache.port=" + address.substring(address.lastIndexOf(':') + 1));
      options.add("-Djava.net.preferIPv4Stack=true");
      ChildJvm peer = ChildJvm.start("ring-peer-" + address.replace(':', '-'), null, options,
          RingPeer.class.getName(), List.of(), Path.of("target", "ring-peer-logs"));
      peers.add(peer);
      String ready = peer.await("ready", Duration.ofSeconds(60));
      if (!ready.startsWith("ready")) {
        throw new IllegalStateException("ring peer " + address + " did not start: " + ready);
      }
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    peers.forEach(ChildJvm::close);
    peers.clear();
  }
}
