package dev.groupcache.discovery;

import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The peers a source sees at one moment: every address as {@code host:port} (IPv6 hosts in
 * brackets), sorted and without duplicates, so that two nodes shown the same cluster build equal
 * sets.
 *
 * @param peers the members: ready and not terminating
 * @param draining members on their way out (terminating endpoints, pods being deleted); not in
 *     {@code peers}, listed so that their keys can be handed over
 * @param problem why the set is empty when that is a mistake to fix rather than a state to wait
 *     out, phrased to follow the target's name (e.g. {@code has no port named 'grpc'; its
 *     EndpointSlices name [http]}); null otherwise
 */
public record PeerSet(List<String> peers, List<String> draining, String problem) {
  private static final PeerSet EMPTY = new PeerSet(List.of(), List.of());

  public PeerSet {
    peers = sortedCopy(peers);
    draining = sortedCopy(draining);
  }

  /** A set with no problem to report. */
  public PeerSet(List<String> peers, List<String> draining) {
    this(peers, draining, null);
  }

  public static PeerSet empty() {
    return EMPTY;
  }

  public static PeerSet of(List<String> peers) {
    return new PeerSet(peers, List.of());
  }

  public boolean contains(String peer) {
    return peers.contains(peer);
  }

  private static List<String> sortedCopy(List<String> list) {
    SortedSet<String> sorted = new TreeSet<>();
    for (String s : list) {
      sorted.add(Objects.requireNonNull(s, "peer"));
    }
    return List.copyOf(sorted);
  }
}
