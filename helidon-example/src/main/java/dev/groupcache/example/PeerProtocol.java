package dev.groupcache.example;

import dev.groupcache.jcache.GroupcacheCacheManager;
import io.helidon.microprofile.grpc.server.spi.GrpcMpContext;
import io.helidon.microprofile.grpc.server.spi.GrpcMpExtension;
import java.lang.System.Logger.Level;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.spi.CachingProvider;

/**
 * Mounts the groupcache peer protocol in Helidon's own gRPC server ({@code grpc.port}, which the
 * configuration sets to {@code groupcache.port}), with the provider as a plain dependency and
 * {@code groupcache.serve=false}: one server, not two.
 *
 * <p>Under the agent the application cannot see the provider's classes; the agent serves the peer
 * protocol itself on {@code groupcache.port}, so Helidon's server, with nothing of ours to serve,
 * moves to a port of its own.
 */
public final class PeerProtocol implements GrpcMpExtension {
  private static final System.Logger LOG = System.getLogger(PeerProtocol.class.getName());
  private static final String PROVIDER = "dev.groupcache.jcache.GroupcacheCachingProvider";

  @Override
  public void configure(GrpcMpContext context) {
    CachingProvider provider = Caching.getCachingProvider();
    if (provider.getClass().getName().equals(PROVIDER)) {
      context.routing().register(Provided.peerService(provider.getCacheManager()));
      LOG.log(Level.INFO, "the groupcache peer protocol is served by Helidon's gRPC server");
      return;
    }
    int grpcPort = context.config().get("grpc.port").asInt().orElse(-1);
    int peerPort = context.config().get("groupcache.port").asInt().orElse(7600);
    if (grpcPort == peerPort) {
      context.grpcServerConfiguration().port(0);
      LOG.log(Level.INFO, "the groupcache agent serves the peer protocol on port {0}; Helidon''s gRPC server "
          + "takes a free port", peerPort);
    }
  }

  /** The provider's classes, touched only when the provider is on the application's class path. */
  private static final class Provided {
    static io.grpc.BindableService peerService(CacheManager manager) {
      return manager.unwrap(GroupcacheCacheManager.class).peerService();
    }
  }
}
