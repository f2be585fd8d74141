package dev.groupcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FrequencySketchTest {
  @Test
  void countsWithoutUndercountingUpToFifteen() {
    FrequencySketch sketch = new FrequencySketch(1024, 512);
    long key = 0x1234_5678_9abc_def0L;
    for (int i = 1; i <= 20; i++) {
      assertEquals(Math.min(i, 15), sketch.increment(key));
    }
    assertEquals(15, sketch.frequency(key));
  }

  @Test
  void aFullWindowOfOtherKeysRarelyMakesAnUnseenKeyLookSeenTwice() {
    FrequencySketch sketch = new FrequencySketch(1024, 512);
    Random r = new Random(1);
    for (int i = 0; i < 511; i++) { // just short of the halving: the densest the counters get
      sketch.increment(r.nextLong());
    }
    int seenOnce = 0;
    int seenTwice = 0;
    for (int i = 0; i < 10_000; i++) {
      int f = sketch.frequency(r.nextLong());
      seenOnce += f >= 1 ? 1 : 0;
      seenTwice += f >= 2 ? 1 : 0;
    }
    // Expected: P(row counter >= 1)^4 = 0.39^4 = 2.3 %; P(>= 2)^4 = 0.09^4 = 0.006 %.
    assertTrue(seenOnce < 400, "unseen keys estimated >= 1: " + seenOnce + " of 10000");
    assertTrue(seenTwice < 5, "unseen keys estimated >= 2: " + seenTwice + " of 10000");
  }

  @Test
  void oldPopularityFades() {
    FrequencySketch sketch = new FrequencySketch(1024, 512);
    long hot = 42;
    for (int i = 0; i < 8; i++) {
      sketch.increment(hot);
    }
    assertEquals(8, sketch.frequency(hot));
    Random r = new Random(2);
    for (int i = 0; i < 3 * 512; i++) { // three windows of other keys: 8 -> 4 -> 2 -> 1
      sketch.increment(r.nextLong());
    }
    assertTrue(sketch.frequency(hot) <= 2, "after aging: " + sketch.frequency(hot));
  }
}
