package dev.groupcache.jcache.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.OwnerResponse;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import org.junit.jupiter.api.Test;

/** Write-through: which writer a cache gets, how its failures reach the caller, and partial batches. */
class WriteThroughTest {
  private static final OwnerResponse APPLIED = OwnerResponse.newBuilder().setApplied(true).setVersion(1).build();
  private static final OwnerResponse NOT_APPLIED = OwnerResponse.newBuilder().setApplied(false).build();

  /** A writer that writes (and removes from its batch) up to {@code limit} entries, then throws {@code failure}. */
  static class ScriptedWriter implements CacheWriter<String, String>, Serializable {
    final List<String> written = new ArrayList<>();
    final List<String> deleted = new ArrayList<>();
    int batches;
    final int limit;
    final Exception failure;

    ScriptedWriter(int limit, Exception failure) {
      this.limit = limit;
      this.failure = failure;
    }

    static ScriptedWriter succeeding() {
      return new ScriptedWriter(Integer.MAX_VALUE, null);
    }

    static ScriptedWriter failing(Exception failure) {
      return new ScriptedWriter(0, failure);
    }

    @Override
    public void write(Cache.Entry<? extends String, ? extends String> entry) {
      if (failure != null && written.size() >= limit) {
        throw WriteThroughTest.<RuntimeException>sneaky(failure);
      }
      written.add(entry.getKey() + "=" + entry.getValue());
    }

    @Override
    public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
      batches++;
      for (Iterator<Cache.Entry<? extends String, ? extends String>> it = entries.iterator(); it.hasNext(); ) {
        write(it.next());
        it.remove();
      }
    }

    @Override
    public void delete(Object key) {
      if (failure != null && deleted.size() >= limit) {
        throw WriteThroughTest.<RuntimeException>sneaky(failure);
      }
      deleted.add((String) key);
    }

    @Override
    public void deleteAll(Collection<?> keys) {
      batches++;
      for (Iterator<?> it = keys.iterator(); it.hasNext(); ) {
        delete(it.next());
        it.remove();
      }
    }
  }

  /** Throws any exception, checked ones included, as a writer written in another JVM language might. */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E sneaky(Exception e) throws E {
    throw (E) e;
  }

  private static WriteThrough<String, String> writeThrough(ScriptedWriter writer, boolean enabled) {
    MutableConfiguration<String, String> configuration = new MutableConfiguration<String, String>()
        .setTypes(String.class, String.class)
        .setCacheWriterFactory(FactoryBuilder.factoryOf(writer))
        .setWriteThrough(enabled);
    return WriteThrough.of(configuration);
  }

  private static Map<String, String> entries(String... keys) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String k : keys) {
      map.put(k, "v" + k.substring(1));
    }
    return map;
  }

  private static List<ByteView> wireKeys(String... keys) {
    List<ByteView> views = new ArrayList<>();
    for (String k : keys) {
      views.add(ByteView.of(k));
    }
    return views;
  }

  /** The owner's side of a batch: records the keys it is asked to write and answers from {@code answers}. */
  private static final class Owner {
    final List<String> asked = new ArrayList<>();
    final Map<String, OwnerResponse> answers = new LinkedHashMap<>();
    final AtomicLong recorded = new AtomicLong(-1);

    /** Begins the write of a key: asked now, answered when awaited, as an owner's begun write is. */
    Supplier<OwnerResponse> write(ByteView key) {
      asked.add(key.toStringUtf8());
      OwnerResponse answer = answers.getOrDefault(key.toStringUtf8(), APPLIED);
      return () -> answer;
    }

    void apply(WriteThrough.Batch batch, String... keys) {
      batch.apply(wireKeys(keys), ByteView::toStringUtf8, this::write, OwnerResponse::getApplied, recorded::set);
    }
  }

  @Test
  void aCacheThatWritesThroughCallsTheWriterItsFactoryMade() {
    ScriptedWriter writer = ScriptedWriter.succeeding();
    WriteThrough<String, String> wt = writeThrough(writer, true);

    assertTrue(wt.isEnabled());
    assertSame(writer, wt.created());
    wt.write("k1", "v1");
    wt.delete("k2");
    assertEquals(List.of("k1=v1"), writer.written);
    assertEquals(List.of("k2"), writer.deleted);
  }

  @Test
  void aWriterConfiguredWithoutWriteThroughIsCreatedForClosingButNeverCalled() {
    ScriptedWriter writer = ScriptedWriter.failing(new IllegalStateException("must not be called"));
    WriteThrough<String, String> wt = writeThrough(writer, false);

    assertFalse(wt.isEnabled());
    assertSame(writer, wt.created(), "the cache still closes what the factory made");
    wt.write("k1", "v1");
    wt.delete("k1");
    WriteThrough.Batch written = wt.writeAll(entries("k1", "k2"));
    WriteThrough.Batch deleted = wt.deleteAll(List.of("k1", "k2"));
    assertTrue(written.done("k1") && written.done("k2") && written.failure() == null);
    assertTrue(deleted.done("k1") && deleted.done("k2") && deleted.failure() == null);
    assertTrue(writer.written.isEmpty() && writer.deleted.isEmpty());
  }

  @Test
  void writeThroughWithoutAWriterFactoryIsDisabledAndCreatesNothing() {
    MutableConfiguration<String, String> noFactory = new MutableConfiguration<>();
    WriteThrough<String, String> wt = WriteThrough.of(noFactory.setWriteThrough(true));

    assertFalse(wt.isEnabled());
    assertNull(wt.created());
    wt.write("k1", "v1");
    assertTrue(wt.writeAll(entries("k1")).done("k1"));
  }

  @Test
  void theDisabledWriterTakesEveryEntryOfABatchAsWritten() {
    List<Cache.Entry<?, ?>> batch = new ArrayList<>(List.of(new CacheEntry<>("k1", "v1"), new CacheEntry<>("k2", 2)));
    List<Object> keys = new ArrayList<>(List.of("k1", 2));

    DisabledCacheWriter.INSTANCE.writeAll(batch);
    DisabledCacheWriter.INSTANCE.deleteAll(keys);

    assertTrue(batch.isEmpty(), "an entry left in the batch would mean: not written");
    assertTrue(keys.isEmpty(), "a key left in the batch would mean: not deleted");

    Owner owner = new Owner();
    WriteThrough.Batch all = writeThrough(ScriptedWriter.succeeding(), false).writeAll(entries("k1", "k2", "k3"));
    owner.apply(all, "k1", "k2", "k3");
    assertEquals(List.of("k1", "k2", "k3"), owner.asked);
    assertEquals(3, owner.recorded.get());
  }

  @Test
  void aPlainRuntimeExceptionFromWriteReachesTheCallerAsACacheWriterException() {
    IllegalStateException boom = new IllegalStateException("database down");
    WriteThrough<String, String> wt = writeThrough(ScriptedWriter.failing(boom), true);

    CacheWriterException e = assertThrows(CacheWriterException.class, () -> wt.write("k1", "v1"));

    assertSame(boom, e.getCause());
    assertTrue(e.getMessage().contains("k1"), e.getMessage());
  }

  @Test
  void aPlainRuntimeExceptionFromDeleteReachesTheCallerAsACacheWriterException() {
    UnsupportedOperationException boom = new UnsupportedOperationException("read-only store");
    WriteThrough<String, String> wt = writeThrough(ScriptedWriter.failing(boom), true);

    CacheWriterException e = assertThrows(CacheWriterException.class, () -> wt.delete("k7"));

    assertSame(boom, e.getCause());
    assertTrue(e.getMessage().contains("k7"), e.getMessage());
  }

  @Test
  void aCacheWriterExceptionFromTheWriterIsThrownAsItIs() {
    CacheWriterException boom = new CacheWriterException("the writer's own");
    WriteThrough<String, String> wt = writeThrough(ScriptedWriter.failing(boom), true);

    assertSame(boom, assertThrows(CacheWriterException.class, () -> wt.write("k1", "v1")));
    assertSame(boom, assertThrows(CacheWriterException.class, () -> wt.delete("k1")));
    assertSame(boom, wt.writeAll(entries("k1")).failure());
    assertSame(boom, wt.deleteAll(List.of("k1")).failure());
  }

  @Test
  void aCheckedExceptionSneakedOutOfAWriterIsWrappedToo() {
    IOException boom = new IOException("disk full");
    WriteThrough<String, String> wt = writeThrough(ScriptedWriter.failing(boom), true);

    assertSame(boom, assertThrows(CacheWriterException.class, () -> wt.write("k1", "v1")).getCause());
    assertSame(boom, assertThrows(CacheWriterException.class, () -> wt.delete("k1")).getCause());
    assertSame(boom, wt.writeAll(entries("k1")).failure().getCause());
  }

  @Test
  void aWriterThatFailsHalfwayStoresOnlyWhatItWrote() {
    IllegalStateException boom = new IllegalStateException("database down after two rows");
    ScriptedWriter writer = new ScriptedWriter(2, boom);
    WriteThrough<String, String> wt = writeThrough(writer, true);
    Map<String, String> map = entries("k1", "k2", "k3", "k4");

    WriteThrough.Batch batch = wt.writeAll(map);

    assertEquals(List.of("k1=v1", "k2=v2"), writer.written);
    assertEquals(Set.of("k1", "k2"), batch.done());
    assertTrue(batch.done("k1") && batch.done("k2"));
    assertFalse(batch.done("k3") || batch.done("k4"));
    assertSame(boom, batch.failure().getCause(), "a plain exception is wrapped");
    assertEquals(4, map.size(), "the writer empties its own copy, not the caller's map");

    Owner owner = new Owner();
    CacheWriterException thrown =
        assertThrows(CacheWriterException.class, () -> owner.apply(batch, "k1", "k2", "k3", "k4"));
    assertSame(batch.failure(), thrown);
    assertEquals(List.of("k1", "k2"), owner.asked, "the keys the writer failed for keep what they had");
    assertEquals(2, owner.recorded.get(), "statistics hear of the writes made before the failure is thrown");
  }

  @Test
  void aWriterThatFailsOnTheFirstEntryStoresNothing() {
    ScriptedWriter writer = ScriptedWriter.failing(new RuntimeException("no connection"));
    WriteThrough.Batch batch = writeThrough(writer, true).writeAll(entries("k1", "k2", "k3"));

    assertEquals(Set.of(), batch.done());
    assertFalse(batch.done("k1") || batch.done("k2") || batch.done("k3"));

    Owner owner = new Owner();
    assertThrows(CacheWriterException.class, () -> owner.apply(batch, "k1", "k2", "k3"));
    assertEquals(List.of(), owner.asked);
    assertEquals(0, owner.recorded.get());
  }

  @Test
  void aWriterThatWroteEveryEntryAndThenThrewStillFailsTheBatch() {
    RuntimeException boom = new RuntimeException("commit failed");
    ScriptedWriter writer = new ScriptedWriter(3, boom) {
      @Override
      public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
        super.writeAll(entries);
        throw boom;
      }
    };
    WriteThrough.Batch batch = writeThrough(writer, true).writeAll(entries("k1", "k2", "k3"));

    assertEquals(Set.of("k1", "k2", "k3"), batch.done());
    Owner owner = new Owner();
    CacheWriterException thrown = assertThrows(CacheWriterException.class, () -> owner.apply(batch, "k1", "k2", "k3"));
    assertSame(boom, thrown.getCause());
    assertEquals(List.of("k1", "k2", "k3"), owner.asked);
    assertEquals(3, owner.recorded.get());
  }

  @Test
  void aDeleterThatFailsHalfwayRemovesOnlyWhatItDeleted() {
    CacheWriterException boom = new CacheWriterException("delete refused");
    ScriptedWriter writer = new ScriptedWriter(1, boom);
    Set<String> keys = new LinkedHashSet<>(List.of("k1", "k2", "k3"));

    WriteThrough.Batch batch = writeThrough(writer, true).deleteAll(keys);

    assertEquals(List.of("k1"), writer.deleted);
    assertEquals(Set.of("k1"), batch.done());
    assertSame(boom, batch.failure(), "a CacheWriterException is not wrapped again");
    assertEquals(Set.of("k1", "k2", "k3"), keys, "the writer empties its own copy, not the caller's keys");

    Owner owner = new Owner();
    assertSame(boom, assertThrows(CacheWriterException.class, () -> owner.apply(batch, "k1", "k2", "k3")));
    assertEquals(List.of("k1"), owner.asked);
    assertEquals(1, owner.recorded.get());
  }

  @Test
  void aBatchThatFullySucceedsCountsOnlyTheWritesThatTookEffect() {
    ScriptedWriter writer = ScriptedWriter.succeeding();
    WriteThrough.Batch batch = writeThrough(writer, true).writeAll(entries("k1", "k2", "k3"));

    assertNull(batch.done(), "every key");
    assertNull(batch.failure());
    assertEquals(List.of("k1=v1", "k2=v2", "k3=v3"), writer.written);

    Owner owner = new Owner();
    owner.answers.put("k2", NOT_APPLIED);
    owner.apply(batch, "k1", "k2", "k3");
    assertEquals(List.of("k1", "k2", "k3"), owner.asked);
    assertEquals(2, owner.recorded.get());
  }

  @Test
  void theWritersFailureIsThrownBeforeAListenersFailure() {
    CacheWriterException boom = new CacheWriterException("writer failed on k3");
    WriteThrough.Batch batch = new WriteThrough.Batch(Set.of("k1", "k2"), boom);
    Owner owner = new Owner();
    owner.answers.put("k1", APPLIED.toBuilder().setListenerFailure("listener threw on k1").build());

    assertSame(boom, assertThrows(CacheWriterException.class, () -> owner.apply(batch, "k1", "k2", "k3")));
    assertEquals(List.of("k1", "k2"), owner.asked);
    assertEquals(2, owner.recorded.get());
  }

  @Test
  void theFirstListenerFailureIsThrownOnceEveryKeyIsWritten() {
    Owner owner = new Owner();
    owner.answers.put("k2", APPLIED.toBuilder().setListenerFailure("first").build());
    owner.answers.put("k3", NOT_APPLIED.toBuilder().setListenerFailure("second").build());

    CacheEntryListenerException thrown = assertThrows(CacheEntryListenerException.class,
        () -> owner.apply(WriteThrough.Batch.ALL, "k1", "k2", "k3", "k4"));

    assertEquals("first", thrown.getMessage());
    assertEquals(List.of("k1", "k2", "k3", "k4"), owner.asked, "a listener's failure stops no later write");
    assertEquals(3, owner.recorded.get());
  }

  @Test
  void anEmptyBatchNeverReachesTheWriter() {
    ScriptedWriter writer = ScriptedWriter.failing(new IllegalStateException("must not be called"));
    WriteThrough<String, String> wt = writeThrough(writer, true);

    WriteThrough.Batch written = wt.writeAll(Map.of());
    WriteThrough.Batch deleted = wt.deleteAll(List.of());

    assertEquals(0, writer.batches);
    assertNull(written.failure());
    assertNull(deleted.failure());
    Owner owner = new Owner();
    owner.apply(written);
    assertEquals(0, owner.recorded.get());
  }
}
