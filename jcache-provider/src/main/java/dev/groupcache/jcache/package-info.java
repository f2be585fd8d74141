/**
 * A JSR-107 (JCache) provider whose caches live on the groupcache cluster: found by {@code
 * Caching.getCachingProvider()}, configured by MicroProfile Config ({@code groupcache.*}).
 *
 * <p>The API is this package's public types, and nothing else: {@link
 * dev.groupcache.jcache.GroupcacheCachingProvider}, {@link dev.groupcache.jcache.GroupcacheCacheManager},
 * {@link dev.groupcache.jcache.GroupcacheCache}, the {@link dev.groupcache.jcache.Codec} SPI, and
 * the node's management view ({@link dev.groupcache.jcache.NodeMXBean}, {@link
 * dev.groupcache.jcache.NodeStatistics}). The subpackages are internal: public only so that this
 * package can use them, and free to change in any release. They are laid out by concern:
 *
 * <ul>
 *   <li>{@code cluster}: the owner's side and the way there. {@code ClusterNode} is this JVM's
 *       member; {@code CacheService} answers peers; {@code OwnerStore} holds the entries this
 *       member owns (versions, expiry, read-through leases, events); {@code ChangeDelivery} tells
 *       a change to the members that hold a copy or listen, and only them; {@code OwnerClient} is a
 *       cache's typed requests to owners, the only place protobuf messages are built;
 *       {@code NearCopies} keeps copies of other owners' entries.
 *   <li>{@code codec}: keys and values to bytes and back ({@code Codecs}, built-in codecs, Java
 *       serialization behind an allowlist; {@code CacheCodec} for one cache's types).
 *   <li>{@code configuration}: {@code Settings} and their sources (MicroProfile Config, or
 *       system properties and the environment without it); {@code SettingsKey} lists every key.
 *   <li>{@code event}: listeners, and the changes they hear from every member.
 *   <li>{@code expiry}: the expiry policy turned into the wire's milliseconds ({@code Ttl}).
 *   <li>{@code integration}: read-through ({@code ReadThrough}) and write-through ({@code
 *       WriteThrough}, with a {@code DisabledCacheWriter} for caches that do not write through).
 *   <li>{@code management}: statistics and the MXBeans.
 *   <li>{@code processor}: entry processors ({@code invoke}).
 *   <li>{@code security}: mutual TLS between peers ({@code PeerTls}: credentials from the
 *       {@code groupcache.tls.*} files, read again as they rotate; {@code PeerIdentity}: a peer
 *       certificate's names against {@code groupcache.tls.peer-identity}).
 * </ul>
 *
 * <p>In this package, {@code GroupcacheCache} is the JSR-107 face: it checks arguments and calls
 * the concerns above; {@code ConditionalWrites} holds the compound writes (replace, remove of a
 * value, puts under a policy that must be asked after a read) and {@code CacheIterator} the
 * iterator.
 */
package dev.groupcache.jcache;
