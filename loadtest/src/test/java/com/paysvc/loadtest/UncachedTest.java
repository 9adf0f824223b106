package com.paysvc.loadtest;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The uncached reads: four distinct cache keys per seeded user, and a run that asked for more is invalid. */
class UncachedTest {

  @Test
  void eachUserGivesFourDistinctIdentifiersInTurn() {
    Scenarios.Uncached uncached = new Scenarios.Uncached(null, 1_000_000);
    Set<String> paths = new HashSet<>();
    for (int n = 0; n < 4 * 50; n++) {
      paths.add(uncached.request(n).path());
    }
    assertEquals(4 * 50, paths.size(), "no identifier asked for twice");
    assertTrue(paths.stream().anyMatch(p -> p.contains("LOADTEST.LOCAL")), paths.toString());
  }

  @Test
  void askingForMoreThanTheSeededIdentifiersIsReported() {
    assertNull(Scenarios.Uncached.exhausted(400_000, 100_000));
    String why = Scenarios.Uncached.exhausted(400_001, 100_000);
    assertNotNull(why);
    assertTrue(why.contains("identifiers repeat"), why);
  }
}
