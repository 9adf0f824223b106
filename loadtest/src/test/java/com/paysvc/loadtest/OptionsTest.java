package com.paysvc.loadtest;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {
  @Test
  void defaultsAndOverrides() {
    Options d = Options.parse(new String[] {"by-identifier"});
    assertEquals("http://127.0.0.1:8080", d.baseUrl());
    assertEquals(500, d.rate());
    assertEquals(Duration.ofSeconds(30), d.duration());
    assertEquals(100_000, d.users());
    assertTrue(d.seed());
    assertFalse(d.findMax());
    assertEquals(2, d.refine());

    Options o = Options.parse(new String[] {"login", "--base-url", "http://127.0.0.1:8001/", "--rate", "40", "--duration", "2m",
      "--warmup", "500ms", "--connections", "8", "--find-max", "--no-seed", "--refine", "0", "--max-p99-ms", "750"});
    assertEquals("http://127.0.0.1:8001", o.baseUrl(), "trailing slash dropped");
    assertEquals(Duration.ofMinutes(2), o.duration());
    assertEquals(Duration.ofMillis(500), o.warmup());
    assertTrue(o.findMax());
    assertFalse(o.seed());
    assertEquals(0, o.refine());
    assertEquals(750, o.maxP99Ms());
  }

  @Test
  void everyScenarioParses() {
    for (String s : Options.SCENARIOS) {
      assertEquals(s, Options.parse(new String[] {s}).scenario());
    }
  }

  @Test
  void badUsageIsExplained() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"nope"})).getMessage()
      .contains("unknown scenario"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--rate", "5"})).getMessage()
      .contains("name a scenario first"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"mixed", "--rate", "0"}))
      .getMessage().contains("--rate takes a positive whole number"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"mixed", "--rate"}))
      .getMessage().contains("needs a value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"mixed", "--colour", "red"}))
      .getMessage().contains("unknown option --colour"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"mixed", "--duration", "soon"}))
      .getMessage().contains("a duration is like"));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"webhook-ingest", "--duplicates", "1.5"}));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"mixed", "--step-factor", "1"}));
  }

  @Test
  void commandExitCodes() {
    assertEquals(2, LoadTest.run(new String[] {}, java.util.Map.of()));
    assertEquals(0, LoadTest.run(new String[] {"--help"}, java.util.Map.of()));
    assertEquals(2, LoadTest.run(new String[] {"mixed", "--rate", "x"}, java.util.Map.of()));
    assertEquals(2, LoadTest.run(new String[] {"drill", "nothing"}, java.util.Map.of()));
    assertEquals(2, LoadTest.run(new String[] {"bench", "--nonsense"}, java.util.Map.of()));
  }
}
