package dev.groupcache.jcache;

/**
 * This JVM's cluster member in JMX, as {@code dev.groupcache:type=Node}: what a health check needs,
 * readable even by an application that cannot see the provider's classes (under the agent).
 */
public interface NodeMXBean {
  /** Whether discovery has synced, is not refused, and the node is not a local-only fallback. */
  boolean isReady();

  /** Whether the node could not join the cluster and caches on its own. */
  boolean isLocalOnly();

  String getSelf();

  String[] getPeers();

  long getOwnerRequests();

  /** Drops and events a member did not confirm in time. */
  long getLateInvalidations();

  /** How often a peer became suspected here. */
  long getSuspicions();

  /** How often this node's copy lease from an owner ran out while it held copies under it. */
  long getLeaseExpiries();

  /** Changes made at this node as an owner. */
  long getChangesPublished();

  /** Drops and events sent to other members for those changes. */
  long getInvalidationsSent();

  /** Reads answered as misses because the key's owner was unavailable. */
  long getUnavailableReads();

  /** Backups this node holds of other owners' entries, every cache, tombstones included. */
  long getBackupEntries();

  /** Their weight in bytes: keys, values and per-entry overhead. */
  long getBackupBytes();

  /** Backups not held because the member to hold them was unavailable. */
  long getBackupsSkipped();

  /**
   * Changes not acknowledged because their backup went unanswered while a member acted for this
   * node (it was paused or cut off): what that member hands back may have replaced them.
   */
  long getBackupsUnconfirmed();

  /** Operations answered here as the owner of an unavailable member's key. */
  long getActedForUnavailableOwners();

  /**
   * Operations on this node's keys that waited until the members that acted for it while it did
   * not answer (paused, cut off) had handed its entries back.
   */
  long getOwnershipWaits();
}
