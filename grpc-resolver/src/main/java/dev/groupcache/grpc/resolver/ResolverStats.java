package dev.groupcache.grpc.resolver;

import dev.groupcache.discovery.DiscoveryStats;
import java.time.Instant;

/**
 * A snapshot of one shared watch's figures: one per Service (and port name) that some channel
 * targets, from {@link KubernetesNameResolverProvider#stats()}.
 *
 * @param namespace the Service's namespace
 * @param service the Service's name
 * @param port the port name the targets give; {@code "#"} when they give numbers (one watch serves
 *     every number, each channel applying its own), or {@code ""} when they give none (the slices'
 *     only port)
 * @param resolvers the resolvers (one per channel that is not idle) sharing the watch
 * @param endpoints addresses in the last set handed to the channels: ready, not terminating
 * @param draining terminating endpoints, left out of that set
 * @param updates sets or errors handed to the channels because something changed (not counting
 *     repeats for {@code refresh()})
 * @param lastUpdate when the last of those was handed over, or null if never
 * @param resolutionErrors how many times the watch turned to an error: unknown Service, unknown
 *     port name, refused (403), API server unreachable before the first sync
 * @param lastError the current error, or the last one if the watch has recovered; null if none
 * @param discovery the underlying EndpointSlice watch's own figures (events, restarts, relists)
 */
public record ResolverStats(
    String namespace,
    String service,
    String port,
    int resolvers,
    int endpoints,
    int draining,
    long updates,
    Instant lastUpdate,
    long resolutionErrors,
    String lastError,
    DiscoveryStats discovery) {}
