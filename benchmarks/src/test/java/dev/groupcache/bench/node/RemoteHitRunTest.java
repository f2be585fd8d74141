package dev.groupcache.bench.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RemoteHitRunTest {
  @Test
  void everyKeyGoesToExactlyOneThreadAndTheSharesDifferByAtMostOne() {
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < 3_337; i++) {
      keys.add(i);
    }
    Object[][] slices = RemoteHitRun.slices(keys, 16);

    assertEquals(16, slices.length);
    Set<Object> dealt = new HashSet<>();
    int smallest = Integer.MAX_VALUE;
    int largest = 0;
    for (Object[] slice : slices) {
      for (Object key : slice) {
        assertTrue(dealt.add(key), "key " + key + " was dealt to two threads");
      }
      smallest = Math.min(smallest, slice.length);
      largest = Math.max(largest, slice.length);
    }
    assertEquals(new HashSet<>(keys), dealt);
    assertTrue(largest - smallest <= 1, smallest + " to " + largest + " keys per thread");
  }

  @Test
  void fewerKeysThanThreadsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> RemoteHitRun.slices(List.of(1, 2, 3), 4));
  }
}
