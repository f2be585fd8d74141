package dev.groupcache.discovery;

import java.time.Instant;

/**
 * A snapshot of a source's figures.
 *
 * @param ready whether the source has synced (listed, resolved) at least once and is not being
 *     refused; a node should report not-ready while this is false
 * @param peers members in the current set
 * @param draining members on their way out
 * @param events changes seen: watch events, or resolutions for DNS
 * @param watchRestarts watches that ended, cleanly or not, and were started again
 * @param relists full lists after the first: after a 410, a cut the watch could not resume, or an
 *     error
 * @param forbidden whether the last request was refused with 403 (a missing RBAC rule)
 * @param lastUpdate when listeners were last told of a change, or null if never
 * @param lastEventToListenerMillis for the last change: from the event's arrival to the
 *     listeners' call, debounce included
 * @param lastError the last failure, or null
 */
public record DiscoveryStats(
    boolean ready,
    int peers,
    int draining,
    long events,
    long watchRestarts,
    long relists,
    boolean forbidden,
    Instant lastUpdate,
    double lastEventToListenerMillis,
    String lastError) {}
