package dev.groupcache.jcache;

import dev.groupcache.jcache.codec.CodecException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The entries of one cache whose bytes no codec here decodes (written by a member with another
 * codec or class path, or planted): iteration skips them and {@code removeAll()} removes them
 * without telling the writer, so that one of them never fails either for the rest of the cache.
 * Counted, and logged once per cache, with the first one's reason.
 */
final class UndecodableEntries {
  private static final System.Logger LOG = System.getLogger(UndecodableEntries.class.getName());

  private final String cache;
  private final LongAdder skipped = new LongAdder();
  private final AtomicBoolean logged = new AtomicBoolean();

  UndecodableEntries(String cache) {
    this.cache = cache;
  }

  /** One more was skipped (by iteration) or removed unread (by {@code removeAll()}). */
  void skipped(CodecException why) {
    skipped.increment();
    if (logged.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "cache {0}: an entry no codec here decodes was skipped ({1}); iteration and"
          + " removeAll() skip such entries, which are counted and not logged again", cache, why.getMessage());
    }
  }

  /** How many were skipped or removed unread. */
  long count() {
    return skipped.sum();
  }
}
