package dev.groupcache.jcache.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.codec.Codecs;
import dev.groupcache.jcache.proto.Event;
import java.io.Closeable;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.Cache;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import org.junit.jupiter.api.Test;

/** A change drops this node's copy, then reaches the registered listeners as JSR-107 asks, in order. */
class CacheEventsTest {
  private final Codecs codecs = Codecs.create(getClass().getClassLoader(), "", 1 << 20);
  private final Cache<String, String> cache = cacheNamed("events");
  /** Everything that happened, in order: copies dropped and events heard. */
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final List<ByteView> dropped = new ArrayList<>();
  private final AtomicInteger allDropped = new AtomicInteger();
  /** The pool's tasks, run only when a test drains them. */
  private final Deque<Runnable> pool = new ArrayDeque<>();

  /** Listens to everything, records what it hears, and can be closed. */
  private final class Heard implements CacheEntryCreatedListener<String, String>,
      CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String>,
      CacheEntryExpiredListener<String, String>, Closeable {
    final String name;
    final List<CacheEntryEvent<? extends String, ? extends String>> events = new ArrayList<>();
    boolean closed;

    Heard(String name) {
      this.name = name;
    }

    private void hear(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      for (CacheEntryEvent<? extends String, ? extends String> e : batch) {
        events.add(e);
        log.add(name + " " + e.getEventType() + " " + e.getKey());
      }
    }

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      hear(batch);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      hear(batch);
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      hear(batch);
    }

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      hear(batch);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Hears removals and expiries only. */
  private static final class Departures implements CacheEntryRemovedListener<String, String>,
      CacheEntryExpiredListener<String, String> {
    final List<EventType> types = new ArrayList<>();

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      batch.forEach(e -> types.add(e.getEventType()));
    }

    @Override
    public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> batch) {
      batch.forEach(e -> types.add(e.getEventType()));
    }
  }

  /** A filter that can be closed, passing keys that start with its prefix. */
  private static final class Prefix implements CacheEntryEventFilter<String, String>, Closeable {
    final String prefix;
    final List<Boolean> oldValueAvailable = new ArrayList<>();
    boolean closed;

    Prefix(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public boolean evaluate(CacheEntryEvent<? extends String, ? extends String> event) {
      oldValueAvailable.add(event.isOldValueAvailable());
      return event.getKey().startsWith(prefix);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @SuppressWarnings("unchecked")
  private static Cache<String, String> cacheNamed(String name) {
    return (Cache<String, String>) Proxy.newProxyInstance(Cache.class.getClassLoader(), new Class<?>[] {Cache.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getName" -> name;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "cache " + name;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private CacheEvents<String, String> events(Executor executor) {
    return new CacheEvents<>(cache, codecs::decode, key -> {
      dropped.add(key);
      log.add("drop " + codecs.decode(key));
    }, allDropped::incrementAndGet, executor);
  }

  /** Events delivered at once, on the caller's thread. */
  private CacheEvents<String, String> events() {
    return events(Runnable::run);
  }

  /** Events for which the pool must never be used. */
  private CacheEvents<String, String> eventsWithoutDeliveries() {
    return events(task -> {
      throw new AssertionError("nothing should be delivered");
    });
  }

  private void drain() {
    for (Runnable task; (task = pool.poll()) != null; ) {
      task.run();
    }
  }

  private static CacheEntryListenerConfiguration<String, String> config(CacheEntryListener<String, String> listener,
      boolean oldValues, boolean synchronous) {
    Factory<CacheEntryListener<String, String>> listeners = () -> listener;
    return new MutableCacheEntryListenerConfiguration<>(listeners, null, oldValues, synchronous);
  }

  private static CacheEntryListenerConfiguration<String, String> config(CacheEntryListener<String, String> listener,
      CacheEntryEventFilter<String, String> filter, boolean oldValues, boolean synchronous) {
    Factory<CacheEntryListener<String, String>> listeners = () -> listener;
    Factory<CacheEntryEventFilter<String, String>> filters = () -> filter;
    return new MutableCacheEntryListenerConfiguration<>(listeners, filters, oldValues, synchronous);
  }

  private ByteString bytes(String s) {
    return ByteString.copyFrom(codecs.encode(s).toByteArray());
  }

  private Event event(dev.groupcache.jcache.proto.EventType type, String key, String old, String value) {
    Event.Builder e = Event.newBuilder().setType(type).setKey(bytes(key));
    if (old != null) {
      e.setHasOldValue(true).setOldValue(bytes(old));
    }
    if (value != null) {
      e.setHasValue(true).setValue(bytes(value));
    }
    return e.build();
  }

  private Event created(String key, String value) {
    return event(dev.groupcache.jcache.proto.EventType.CREATED, key, null, value);
  }

  private Event updated(String key, String old, String value) {
    return event(dev.groupcache.jcache.proto.EventType.UPDATED, key, old, value);
  }

  private Event removed(String key, String old) {
    return event(dev.groupcache.jcache.proto.EventType.REMOVED, key, old, null);
  }

  private Event expired(String key, String old) {
    return event(dev.groupcache.jcache.proto.EventType.EXPIRED, key, old, null);
  }

  @Test
  void aChangeDropsThisNodesCopyBeforeAnyListenerHearsIt() {
    CacheEvents<String, String> events = events(pool::add);
    Heard heard = new Heard("sync");
    events.register(config(heard, false, true));

    CompletableFuture<String> answer = events.apply(created("k", "v"));

    assertEquals(List.of(codecs.encode("k")), dropped, "the copy is dropped as the change arrives");
    assertTrue(heard.events.isEmpty(), "listeners hear it on the pool, later");
    assertFalse(answer.isDone(), "the writer waits for the synchronous listener");
    drain();
    assertEquals(List.of("drop k", "sync CREATED k"), log);
    assertTrue(answer.isDone());
  }

  @Test
  void withoutListenersAChangeOnlyDropsTheCopyAndIsAnsweredAtOnce() throws Exception {
    CacheEvents<String, String> events = eventsWithoutDeliveries();
    assertTrue(events.isEmpty());

    CompletableFuture<String> answer = events.apply(updated("k", "old", "new"));

    assertTrue(answer.isDone());
    assertNull(answer.get(), "no failure");
    assertEquals(List.of(codecs.encode("k")), dropped);
  }

  @Test
  void eachListenerHearsOnlyTheKindsOfChangeItImplements() {
    CacheEvents<String, String> events = events();
    List<EventType> creations = new ArrayList<>();
    CacheEntryCreatedListener<String, String> createdOnly =
        batch -> batch.forEach(e -> creations.add(e.getEventType()));
    Departures departures = new Departures();
    events.register(config(createdOnly, false, true));
    events.register(config(departures, false, false));

    events.apply(created("a", "1"));
    events.apply(updated("a", "1", "2"));
    events.apply(removed("a", "2"));
    events.apply(expired("b", "3"));

    assertEquals(List.of(EventType.CREATED), creations);
    assertEquals(List.of(EventType.REMOVED, EventType.EXPIRED), departures.types);
    assertEquals(4, dropped.size(), "every change drops the copy, heard or not");
  }

  @Test
  void aCreationCarriesItsKeyNewValueAndCacheButNoOldValue() {
    CacheEvents<String, String> events = events();
    Heard heard = new Heard("l");
    events.register(config(heard, true, true));

    events.apply(created("key", "value"));

    CacheEntryEvent<? extends String, ? extends String> e = heard.events.get(0);
    assertSame(cache, e.getSource());
    assertEquals(EventType.CREATED, e.getEventType());
    assertEquals("key", e.getKey());
    assertEquals("value", e.getValue());
    assertNull(e.getOldValue());
    assertFalse(e.isOldValueAvailable());
    assertSame(e, e.unwrap(EntryEvent.class));
    assertThrows(IllegalArgumentException.class, () -> e.unwrap(String.class));
  }

  @Test
  void anUpdatesOldValueReachesOnlyTheListenersThatAskedForIt() {
    CacheEvents<String, String> events = events();
    Heard withOld = new Heard("with");
    Heard withoutOld = new Heard("without");
    events.register(config(withOld, true, true));
    events.register(config(withoutOld, false, false));

    events.apply(updated("k", "v1", "v2"));

    CacheEntryEvent<? extends String, ? extends String> asked = withOld.events.get(0);
    assertEquals("v2", asked.getValue());
    assertEquals("v1", asked.getOldValue());
    assertTrue(asked.isOldValueAvailable());
    CacheEntryEvent<? extends String, ? extends String> notAsked = withoutOld.events.get(0);
    assertEquals(EventType.UPDATED, notAsked.getEventType());
    assertEquals("v2", notAsked.getValue());
    assertNull(notAsked.getOldValue());
    assertFalse(notAsked.isOldValueAvailable());
  }

  @Test
  void removalsAndExpiriesCarryTheOldValueAsTheirValue() {
    CacheEvents<String, String> events = events();
    Heard withOld = new Heard("with");
    Heard withoutOld = new Heard("without");
    events.register(config(withOld, true, true));
    events.register(config(withoutOld, false, true));

    events.apply(removed("r", "gone"));
    events.apply(expired("x", "stale"));

    assertEquals(List.of("gone", "stale"), withOld.events.stream().map(e -> e.getOldValue()).toList());
    assertEquals(List.of("gone", "stale"), withOld.events.stream().map(e -> e.getValue()).toList());
    assertTrue(withOld.events.stream().allMatch(e -> e.isOldValueAvailable()));
    assertEquals(List.of("gone", "stale"), withoutOld.events.stream().map(e -> e.getValue()).toList());
    assertEquals(List.of(EventType.REMOVED, EventType.EXPIRED),
        withoutOld.events.stream().map(e -> e.getEventType()).toList());
  }

  @Test
  void aFilterKeepsTheEventsItRejectsFromItsOwnListenerOnly() {
    CacheEvents<String, String> events = events();
    Heard filtered = new Heard("filtered");
    Heard all = new Heard("all");
    Prefix prefix = new Prefix("a");
    events.register(config(filtered, prefix, false, true));
    events.register(config(all, false, true));

    events.apply(updated("apple", "1", "2"));
    events.apply(updated("banana", "1", "2"));

    assertEquals(List.of("apple"), filtered.events.stream().map(e -> e.getKey()).toList());
    assertEquals(List.of("apple", "banana"), all.events.stream().map(e -> e.getKey()).toList());
    assertEquals(List.of(false, false), prefix.oldValueAvailable,
        "the filter sees the event as its listener would: without the old value it did not ask for");
  }

  @Test
  void aSynchronousListenersFailureIsReportedToTheWriter() throws Exception {
    CacheEvents<String, String> events = events();
    CacheEntryCreatedListener<String, String> first = batch -> {
      throw new IllegalStateException("boom");
    };
    CacheEntryCreatedListener<String, String> second = batch -> {
      throw new IllegalArgumentException("second");
    };
    Heard third = new Heard("third");
    events.register(config(first, false, true));
    events.register(config(second, false, true));
    events.register(config(third, false, true));

    CompletableFuture<String> answer = events.apply(created("k", "v"));

    assertEquals("java.lang.IllegalStateException: boom", answer.get(), "the first failure, as text");
    assertEquals(1, third.events.size(), "a failure does not keep the event from the other listeners");
  }

  @Test
  void aSynchronousFiltersFailureIsReportedLikeItsListeners() throws Exception {
    CacheEvents<String, String> events = events();
    Heard heard = new Heard("l");
    CacheEntryEventFilter<String, String> failing = e -> {
      throw new UnsupportedOperationException("filter");
    };
    events.register(config(heard, failing, false, true));

    CompletableFuture<String> answer = events.apply(removed("k", "v"));

    assertEquals("java.lang.UnsupportedOperationException: filter", answer.get());
    assertTrue(heard.events.isEmpty(), "a filter that failed passes nothing");
  }

  @Test
  void anAsynchronousListenersFailureIsNotReportedToTheWriter() throws Exception {
    CacheEvents<String, String> events = events();
    CacheEntryUpdatedListener<String, String> failing = batch -> {
      throw new IllegalStateException("async");
    };
    Heard after = new Heard("after");
    events.register(config(failing, false, false));
    events.register(config(after, false, false));

    CompletableFuture<String> answer = events.apply(updated("k", "1", "2"));

    assertNull(answer.get());
    assertEquals(1, after.events.size(), "the next asynchronous listener still hears it");
  }

  @Test
  void anErrorFromASynchronousListenerIsNotReportedAsItsFailure() throws Exception {
    CacheEvents<String, String> events = events();
    CacheEntryCreatedListener<String, String> broken = batch -> {
      throw new LinkageError("a class is missing");
    };
    Heard after = new Heard("after");
    events.register(config(broken, false, true));
    events.register(config(after, false, true));

    CompletableFuture<String> answer = events.apply(created("k", "v"));

    assertNull(answer.get(), "an Error is logged here, not sent to the writer");
    assertEquals(1, after.events.size());
  }

  @Test
  void theWriterIsAnsweredAfterTheSynchronousListenersAndBeforeTheAsynchronousOnes() {
    CacheEvents<String, String> events = events(pool::add);
    AtomicReference<CompletableFuture<String>> answer = new AtomicReference<>();
    List<String> seen = new ArrayList<>();
    CacheEntryCreatedListener<String, String> async = batch -> seen.add("async, answered " + answer.get().isDone());
    CacheEntryCreatedListener<String, String> sync = batch -> seen.add("sync, answered " + answer.get().isDone());
    events.register(config(async, false, false));
    events.register(config(sync, false, true));

    answer.set(events.apply(created("k", "v")));
    assertFalse(answer.get().isDone());
    drain();

    assertEquals(List.of("sync, answered false", "async, answered true"), seen,
        "synchronous listeners first, whatever the order of registration");
  }

  @Test
  void changesAreDeliveredOneAtATimeInTheOrderTheyArrived() {
    CacheEvents<String, String> events = events(pool::add);
    Heard heard = new Heard("l");
    events.register(config(heard, false, true));

    List<CompletableFuture<String>> answers = List.of(events.apply(created("k1", "a")),
        events.apply(updated("k2", "a", "b")), events.apply(removed("k3", "b")));

    assertEquals(1, pool.size(), "one delivery task on the pool for the cache, not one per change");
    drain();
    assertEquals(List.of("l CREATED k1", "l UPDATED k2", "l REMOVED k3"),
        log.stream().filter(s -> s.startsWith("l ")).toList());
    assertTrue(answers.stream().allMatch(CompletableFuture::isDone));

    events.apply(expired("k4", "c"));
    assertEquals(1, pool.size(), "an idle cache schedules its next delivery");
    drain();
    assertEquals(4, heard.events.size());
  }

  @Test
  void aChangeArrivingDuringADeliveryWaitsForIt() {
    CacheEvents<String, String> events = events(pool::add);
    AtomicReference<CompletableFuture<String>> second = new AtomicReference<>();
    List<String> seen = new ArrayList<>();
    CacheEntryCreatedListener<String, String> listener = batch -> batch.forEach(e -> {
      seen.add("start " + e.getKey());
      if (e.getKey().equals("first")) {
        second.set(events.apply(created("second", "v")));
        seen.add("second answered " + second.get().isDone() + ", pool " + pool.size());
      }
      seen.add("end " + e.getKey());
    });
    events.register(config(listener, false, true));

    events.apply(created("first", "v"));
    drain();

    assertEquals(List.of("start first", "second answered false, pool 0", "end first", "start second", "end second"),
        seen);
    assertTrue(second.get().isDone());
  }

  @Test
  void aChangeThatCannotBeDecodedStillDropsTheCopyAndDoesNotStopLaterOnes() {
    Heard heard = new Heard("l");
    List<ByteView> copies = new ArrayList<>();
    CacheEvents<String, String> events =
        new CacheEvents<>(cache, codecs::decode, copies::add, () -> { }, Runnable::run);
    events.register(config(heard, false, true));
    ByteString garbage = ByteString.copyFrom(new byte[] {0x7F, 1, 2});

    CompletableFuture<String> answer = events.apply(Event.newBuilder().setKey(garbage).build());
    events.apply(created("fine", "v"));

    assertEquals(List.of(ByteView.copyOf(garbage), codecs.encode("fine")), copies);
    assertTrue(answer.isDone(), "the writer is not left waiting");
    assertEquals(List.of("fine"), heard.events.stream().map(e -> e.getKey()).toList());
  }

  @Test
  void theSameConfigurationCannotBeRegisteredTwice() {
    CacheEvents<String, String> events = events();
    AtomicInteger created = new AtomicInteger();
    Heard heard = new Heard("l");
    Factory<CacheEntryListener<String, String>> factory = () -> {
      created.incrementAndGet();
      return heard;
    };
    events.register(new MutableCacheEntryListenerConfiguration<>(factory, null, false, true));

    assertThrows(IllegalArgumentException.class,
        () -> events.register(new MutableCacheEntryListenerConfiguration<>(factory, null, false, true)));
    events.apply(created("k", "v"));

    assertEquals(1, created.get(), "the listener is made once");
    assertEquals(1, heard.events.size(), "and hears each change once");
  }

  @Test
  void aDeregisteredListenerAndItsFilterAreClosedAndHearNoMore() {
    CacheEvents<String, String> events = events();
    Heard leaving = new Heard("leaving");
    Prefix filter = new Prefix("");
    Heard staying = new Heard("staying");
    CacheEntryListenerConfiguration<String, String> leavingConfig = config(leaving, filter, false, true);
    events.register(leavingConfig);
    events.register(config(staying, false, true));

    assertTrue(events.deregister(leavingConfig));
    events.apply(created("k", "v"));

    assertTrue(leaving.closed);
    assertTrue(filter.closed);
    assertFalse(staying.closed);
    assertTrue(leaving.events.isEmpty());
    assertEquals(1, staying.events.size());
    assertFalse(events.deregister(leavingConfig), "it is no longer registered");
  }

  @Test
  void closingClosesEveryListenerAndFilterAndForgetsThem() throws Exception {
    Heard one = new Heard("one");
    Heard two = new Heard("two");
    Prefix filter = new Prefix("");
    CacheEvents<String, String> events = eventsWithoutDeliveries();
    events.register(config(one, false, true));
    events.register(config(two, filter, true, false));

    events.close();

    assertTrue(one.closed);
    assertTrue(two.closed);
    assertTrue(filter.closed);
    assertTrue(events.isEmpty());
    assertNull(events.apply(created("k", "v")).get(), "nothing left to deliver to");
  }

  @Test
  void clearingCopiesDropsThemAllWithoutEvents() {
    CacheEvents<String, String> events = eventsWithoutDeliveries();
    events.register(config(new Heard("l"), false, true));

    events.clearCopies();

    assertEquals(1, allDropped.get());
    assertTrue(dropped.isEmpty());
    assertTrue(log.isEmpty());
  }

  @Test
  void aListenerDecodesOnlyTheValuesItReadsAndNoOldValueItDidNotAskFor() {
    List<ByteView> decoded = new ArrayList<>();
    Function<ByteView, Object> counting = bytes -> {
      decoded.add(bytes);
      return codecs.decode(bytes);
    };
    Heard keysOnly = new Heard("keys");
    List<String> valuesRead = new ArrayList<>();
    CacheEntryUpdatedListener<String, String> reader = batch -> batch.forEach(e -> valuesRead.add(e.getValue()
        + " " + e.getOldValue()));
    CacheEvents<String, String> events = new CacheEvents<>(cache, counting, dropped::add, () -> { }, Runnable::run);
    events.register(config(keysOnly, true, true));

    events.apply(updated("k", "old", "new"));
    assertEquals(List.of(codecs.encode("k")), decoded, "the key only: the listener read no value");

    events.register(config(reader, false, true));
    decoded.clear();
    events.apply(updated("k", "old", "newer"));
    assertEquals(List.of("newer null"), valuesRead, "no old value for a listener that did not ask");
    assertEquals(List.of(codecs.encode("k"), codecs.encode("newer")), decoded, "the old value was never decoded");
  }
}
