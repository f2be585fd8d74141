package dev.groupcache.jcache.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.groupcache.ByteView;
import dev.groupcache.PeerAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The owner's directory of copy holders: recorded by reads, taken by changes, gone when the copies are. */
class CopyHoldersTest {
  private static final ByteView KEY = ByteView.of("k");
  private static final PeerAddress A = PeerAddress.parse("127.0.0.1:2");
  private static final PeerAddress B = PeerAddress.parse("127.0.0.1:3");

  private final FakeTicker ticker = new FakeTicker(-2_000_000_000L);
  private final CopyHolders holders = new CopyHolders(2, ticker);

  private long in(long millis) {
    return ticker.read() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void aChangeTakesEveryHolderOfItsKeyOnce() {
    assertTrue(holders.add(KEY, A, in(10_000), ticker.read()));
    assertTrue(holders.add(KEY, B, in(10_000), ticker.read()));
    assertTrue(holders.add(KEY, A, in(20_000), ticker.read()), "read again: one holding, the later one");

    assertEquals(Set.of(A, B), Set.copyOf(holders.take(KEY, ticker.read())));
    assertEquals(List.of(), holders.take(KEY, ticker.read()), "taken: the next change tells no one");
  }

  @Test
  void aHoldingEndsWithTheCopysLifetime() {
    holders.add(KEY, A, in(1_000), ticker.read());
    holders.add(KEY, B, in(5_000), ticker.read());
    ticker.advanceMillis(1_000);

    assertEquals(List.of(B), holders.take(KEY, ticker.read()));
  }

  @Test
  void aFullDirectoryRefusesNewKeysButNotTheKeysItHas() {
    assertTrue(holders.add(ByteView.of("a"), A, in(10_000), ticker.read()));
    assertTrue(holders.add(ByteView.of("b"), A, in(10_000), ticker.read()));

    assertFalse(holders.add(ByteView.of("c"), A, in(10_000), ticker.read()), "the reader keeps no copy");
    assertTrue(holders.add(ByteView.of("a"), B, in(10_000), ticker.read()));
  }
}
