package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.groupcache.ByteView;
import dev.groupcache.jcache.proto.Event;
import dev.groupcache.jcache.proto.EntriesPage;
import dev.groupcache.jcache.proto.Entry;
import dev.groupcache.jcache.proto.Read;
import dev.groupcache.jcache.proto.Write;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pages of an owner's entries: key order, paging after a key, the limit, the byte bound and expired entries. */
class OwnerStorePageTest {
  private static final int NO_BOUND = Integer.MAX_VALUE;

  private final RecordedStore recorded = new RecordedStore(1 << 24, 7_000_000_000L);
  private final OwnerStore store = recorded.store;
  private final FakeTicker ticker = recorded.ticker;
  private final List<Event> events = recorded.events;

  @AfterEach
  void stop() {
    recorded.close();
  }

  private void put(ByteView key, Write.Builder write) {
    assertTrue(Answers.now(store.write(key, write.build())).getApplied());
  }

  private void put(ByteView key, String value) {
    put(key, Write.newBuilder().setValue(ByteString.copyFromUtf8(value)));
  }

  private void put(String key, String value) {
    put(ByteView.of(key), value);
  }

  private static List<String> keys(EntriesPage page) {
    return page.getEntriesList().stream().map(e -> e.getKey().toStringUtf8()).toList();
  }

  @Test
  void anEmptyStoreHasOneEmptyLastPage() {
    EntriesPage page = store.page(null, 100, NO_BOUND);

    assertEquals(0, page.getEntriesCount());
    assertFalse(page.getMore());
  }

  @Test
  void aPageListsEntriesInTheUnsignedByteOrderOfTheirKeys() {
    // U+00E9 in UTF-8: bytes that are negative when signed
    ByteView high = ByteView.copyOf(new byte[] {(byte) 0xc3, (byte) 0xa9});
    put("b", "2");
    put(high, "3");
    put("ab", "1");
    put("a", "0");

    EntriesPage page = store.page(null, 100, NO_BOUND);

    assertEquals(List.of("a", "ab", "b", "\u00e9"), keys(page));
    assertEquals(List.of("0", "1", "2", "3"), page.getEntriesList().stream().map(e -> e.getValue().toStringUtf8())
        .toList(), "each key with its own value");
    assertFalse(page.getMore());
  }

  @Test
  void aPageStartsAfterTheGivenKeyWhetherOrNotItIsThere() {
    put("a", "x");
    put("b", "x");
    put("c", "x");

    assertEquals(List.of("c"), keys(store.page(ByteView.of("b"), 100, NO_BOUND)));
    assertEquals(List.of("c"), keys(store.page(ByteView.of("bb"), 100, NO_BOUND)));
    assertEquals(List.of(), keys(store.page(ByteView.of("c"), 100, NO_BOUND)));
  }

  @Test
  void theLimitBoundsAPageAndMoreSaysThatOthersFollow() {
    for (String k : List.of("a", "b", "c", "d", "e")) {
      put(k, "x");
    }

    EntriesPage first = store.page(null, 2, NO_BOUND);
    assertEquals(List.of("a", "b"), keys(first));
    assertTrue(first.getMore());

    EntriesPage exact = store.page(ByteView.of("b"), 3, NO_BOUND);
    assertEquals(List.of("c", "d", "e"), keys(exact));
    assertFalse(exact.getMore(), "the page holds the last entry");
  }

  @Test
  void theFirstEntryIsTakenWhateverItsSize() {
    put("a", "x".repeat(1_000));
    put("b", "y");

    EntriesPage page = store.page(null, 100, 10);

    assertEquals(List.of("a"), keys(page), "every page makes progress");
    assertTrue(page.getMore());
    assertEquals(List.of("b"), keys(store.page(ByteView.of("a"), 100, 10)));
  }

  @Test
  void laterEntriesAreTakenOnlyWhileTheirKeysAndValuesFit() {
    for (String k : List.of("a", "b", "c", "d")) {
      put(k, "123456789"); // 10 bytes with its key
    }

    assertEquals(List.of("a", "b", "c"), keys(store.page(null, 100, 30)), "fits exactly");
    assertEquals(List.of("a", "b", "c"), keys(store.page(null, 100, 39)));
    assertEquals(List.of("a", "b"), keys(store.page(null, 100, 29)));
    EntriesPage bounded = store.page(null, 100, 29);
    assertTrue(bounded.getMore());
  }

  @Test
  void pagingAfterTheLastKeyVisitsEveryEntryOnce() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String k = String.format("key%02d", i);
      all.add(k);
      put(k, "v" + i);
    }
    List<String> seen = new ArrayList<>();
    ByteView after = null;
    int pages = 0;
    EntriesPage page;
    do {
      page = store.page(after, 7, NO_BOUND);
      seen.addAll(keys(page));
      List<Entry> entries = page.getEntriesList();
      after = ByteView.copyOf(entries.get(entries.size() - 1).getKey());
      pages++;
    } while (page.getMore());

    assertEquals(all, seen);
    assertEquals(4, pages);
  }

  @Test
  void expiredEntriesAreNeitherListedNorCountedAsMore() {
    put(ByteView.of("a"), Write.newBuilder().setValue(ByteString.copyFromUtf8("x")).setCreateTtlMillis(1_000));
    put("b", "x");
    put(ByteView.of("c"), Write.newBuilder().setValue(ByteString.copyFromUtf8("x")).setCreateTtlMillis(1_000));

    assertEquals(List.of("a", "b", "c"), keys(store.page(null, 100, NO_BOUND)));
    ticker.advanceMillis(1_000);
    EntriesPage page = store.page(null, 1, NO_BOUND);

    assertEquals(List.of("b"), keys(page));
    assertFalse(page.getMore(), "only an expired entry follows");
  }

  @Test
  void aClearDropsEveryEntryWithoutEvents() {
    put("a", "x");
    put("b", "x");
    events.clear();

    store.clear();

    assertEquals(List.of(), keys(store.page(null, 100, NO_BOUND)));
    assertFalse(Answers.now(store.read(ByteView.of("a"), Read.getDefaultInstance())).getPresent());
    assertEquals(List.of(), events);
  }

  @Test
  void pagesWalkAStoreOfManyEntriesInOrderEachKeyOnce() {
    java.util.Random random = new java.util.Random(7);
    java.util.TreeSet<String> written = new java.util.TreeSet<>();
    while (written.size() < 20_000) {
      String key = Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
      if (written.add(key)) {
        put(key, "v");
      }
    }
    List<String> walked = new ArrayList<>();
    ByteView after = null;
    int pages = 0;
    for (EntriesPage page; ; after = ByteView.copyOf(page.getEntries(page.getEntriesCount() - 1).getKey())) {
      page = store.page(after, 333, NO_BOUND);
      pages++;
      walked.addAll(keys(page));
      if (!page.getMore()) {
        break;
      }
    }
    assertEquals(List.copyOf(written), walked, "every key once, in order");
    assertEquals((20_000 + 332) / 333, pages);
  }
}
