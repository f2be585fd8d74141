package dev.groupcache.jcache.event;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.cluster.CacheService;
import dev.groupcache.jcache.integration.Closeables;
import dev.groupcache.jcache.proto.Event;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;

/**
 * One cache's listeners on this node, and the receiver of the cache's changes from every owner.
 *
 * <p>Each change first drops this node's copy of the key, then reaches the listeners, one change at
 * a time in the order this node received them (each owner sends a key's changes in order). The
 * returned future completes once the synchronous listeners have run; asynchronous ones run after,
 * in the same order. Listeners run on the cache's own delivery thread, never on a network thread,
 * so they may block; a synchronous listener must not call its own cache, which waits for it.
 */
public final class CacheEvents<K, V> implements CacheService.Receiver {
  private static final System.Logger LOG = System.getLogger(CacheEvents.class.getName());

  /** A registered listener, with its filter and how it wants its events. */
  private record Registration<K, V>(
      CacheEntryListenerConfiguration<K, V> configuration,
      CacheEntryListener<? super K, ? super V> listener,
      CacheEntryEventFilter<? super K, ? super V> filter) {

    boolean hears(EventType type) {
      return switch (type) {
        case CREATED -> listener instanceof CacheEntryCreatedListener;
        case UPDATED -> listener instanceof CacheEntryUpdatedListener;
        case REMOVED -> listener instanceof CacheEntryRemovedListener;
        case EXPIRED -> listener instanceof CacheEntryExpiredListener;
      };
    }
  }

  private final Cache<K, V> cache;
  private final Function<ByteView, Object> decode;
  private final Consumer<ByteView> dropCopy;
  private final Runnable dropAllCopies;
  private final SerialExecutor delivery;
  private final List<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();

  /**
   * @param decode turns bytes into a key or value
   * @param dropCopy forgets this node's copy of a key
   * @param dropAllCopies forgets all of them
   * @param pool where deliveries run, one at a time for this cache
   */
  public CacheEvents(Cache<K, V> cache, Function<ByteView, Object> decode, Consumer<ByteView> dropCopy,
      Runnable dropAllCopies, Executor pool) {
    this.cache = cache;
    this.decode = decode;
    this.dropCopy = dropCopy;
    this.dropAllCopies = dropAllCopies;
    this.delivery = new SerialExecutor(pool);
  }

  /** Creates the listener and filter from their factories and adds them. */
  public void register(CacheEntryListenerConfiguration<K, V> configuration) {
    for (Registration<K, V> r : registrations) {
      if (r.configuration().equals(configuration)) {
        throw new IllegalArgumentException("this listener configuration is already registered");
      }
    }
    Factory<? extends CacheEntryListener<? super K, ? super V>> listenerFactory =
        configuration.getCacheEntryListenerFactory();
    Factory<? extends CacheEntryEventFilter<? super K, ? super V>> filterFactory =
        configuration.getCacheEntryEventFilterFactory();
    registrations.add(new Registration<>(configuration, listenerFactory.create(),
        filterFactory == null ? null : filterFactory.create()));
  }

  /** Removes a registration, closing its listener and filter; returns whether there was one. */
  public boolean deregister(CacheEntryListenerConfiguration<K, V> configuration) {
    for (Registration<K, V> r : registrations) {
      if (r.configuration().equals(configuration) && registrations.remove(r)) {
        Closeables.close(r.listener(), r.filter());
        return true;
      }
    }
    return false;
  }

  /** Closes every listener and filter that is Closeable: the cache is closing. */
  public void close() {
    for (Registration<K, V> r : registrations) {
      Closeables.close(r.listener(), r.filter());
    }
    registrations.clear();
  }

  boolean isEmpty() {
    return registrations.isEmpty();
  }

  @Override
  public CompletableFuture<String> apply(Event event) {
    dropCopy.accept(ByteView.copyOf(event.getKey()));
    if (registrations.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<String> synchronous = new CompletableFuture<>();
    delivery.execute(() -> {
      String failure = null;
      try {
        failure = deliver(event, true);
      } finally {
        synchronous.complete(failure);
      }
      deliver(event, false);
    });
    return synchronous;
  }

  @Override
  public void clearCopies() {
    dropAllCopies.run();
  }

  @Override
  public void dropCopy(ByteView key) {
    dropCopy.accept(key);
  }

  @Override
  public CacheService.Listening listening() {
    CacheService.Listening listening = CacheService.Listening.NONE;
    for (Registration<K, V> r : registrations) {
      if (r.configuration().isSynchronous()) {
        return CacheService.Listening.SYNCHRONOUS;
      }
      listening = CacheService.Listening.ASYNCHRONOUS;
    }
    return listening;
  }

  /** Tells the synchronous or the asynchronous listeners; returns the first failure's text. */
  @SuppressWarnings("unchecked")
  private String deliver(Event event, boolean synchronous) {
    EventType type = EventType.valueOf(event.getType().name());
    EntryEvent<K, V> entryEvent = null;
    String failure = null;
    for (Registration<K, V> r : registrations) {
      if (r.configuration().isSynchronous() != synchronous || !r.hears(type)) {
        continue;
      }
      if (entryEvent == null) {
        entryEvent = event(event, type);
      }
      EntryEvent<K, V> e = r.configuration().isOldValueRequired() ? entryEvent : entryEvent.withoutOldValue();
      try {
        if (r.filter() != null && !r.filter().evaluate(e)) {
          continue;
        }
        Iterable<CacheEntryEvent<? extends K, ? extends V>> one = List.of(e);
        switch (type) {
          case CREATED -> ((CacheEntryCreatedListener<K, V>) r.listener()).onCreated(one);
          case UPDATED -> ((CacheEntryUpdatedListener<K, V>) r.listener()).onUpdated(one);
          case REMOVED -> ((CacheEntryRemovedListener<K, V>) r.listener()).onRemoved(one);
          case EXPIRED -> ((CacheEntryExpiredListener<K, V>) r.listener()).onExpired(one);
          default -> throw new AssertionError(type);
        }
      } catch (Exception x) {
        if (failure == null && synchronous) {
          failure = x.getClass().getName() + ": " + x.getMessage(); // the caller throws it
        } else {
          LOG.log(Level.WARNING, "a listener of cache " + cache.getName() + " failed", x);
        }
      } catch (Error x) {
        // An Error cannot travel to a caller on another node as itself; it is logged, not wrapped.
        LOG.log(Level.ERROR, "a listener of cache " + cache.getName() + " failed", x);
      }
    }
    return failure;
  }

  /**
   * The event JCache listeners see: removals and expiries carry the old value as both values.
   * Only the key is decoded here; values only as a listener reads them ({@link EntryEvent}).
   */
  @SuppressWarnings("unchecked")
  private EntryEvent<K, V> event(Event event, EventType type) {
    return new EntryEvent<>(cache, type, decode, (K) decode.apply(ByteView.copyOf(event.getKey())),
        event.getHasValue() ? ByteView.copyOf(event.getValue()) : null,
        event.getHasOldValue() ? ByteView.copyOf(event.getOldValue()) : null, event.getHasOldValue());
  }

  /** Runs tasks one at a time, in order, on a shared pool. */
  private static final class SerialExecutor implements Executor {
    private final Executor pool;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();

    SerialExecutor(Executor pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
      schedule();
    }

    private void schedule() {
      if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
        pool.execute(this::drain);
      }
    }

    private void drain() {
      try {
        for (Runnable task; (task = tasks.poll()) != null; ) {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "an event delivery failed", e);
          }
        }
      } finally {
        running.set(false);
        schedule(); // a task added after the last poll
      }
    }
  }
}
