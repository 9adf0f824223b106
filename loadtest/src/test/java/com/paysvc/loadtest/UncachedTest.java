package com.paysvc.loadtest;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The uncached reads: three distinct cache keys per seeded user (each in its canonical spelling, so no two of them are
 * one key to users' cache), and a run that asked for more is invalid.
 */
class UncachedTest {

  @Test
  void eachUserGivesThreeDistinctIdentifiersInTurn() {
    Scenarios.Uncached uncached = new Scenarios.Uncached(null, 1_000_000);
    Set<String> paths = new HashSet<>();
    for (int n = 0; n < 3 * 50; n++) {
      paths.add(uncached.request(n).path().toLowerCase(java.util.Locale.ROOT));
    }
    assertEquals(3 * 50, paths.size(), "no identifier asked for twice, whatever its case");
  }

  @Test
  void askingForMoreThanTheSeededIdentifiersIsReported() {
    assertNull(Scenarios.Uncached.exhausted(300_000, 100_000));
    String why = Scenarios.Uncached.exhausted(300_001, 100_000);
    assertNotNull(why);
    assertTrue(why.contains("identifiers repeat"), why);
  }
}
