package com.paysvc.loadtest;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcTest {
  @Test
  void splitIsCoresPerComponent() {
    // 2 s apart: users used 300 ticks (1.5 cores), a postgres backend started in the window 100 (0.5 cores).
    Proc.Snapshot a = new Proc.Snapshot(0, Map.of("users", Map.of(10, 1000L), "postgres", Map.of(20, 50L)), 0, 0);
    Proc.Snapshot b = new Proc.Snapshot(2_000_000_000L, Map.of("users", Map.of(10, 1300L),
      "postgres", Map.of(20, 50L, 21, 100L)), 0, 0);
    Proc.Split s = Proc.split(a, b);
    assertEquals(1.5, s.of("users"), 1e-9);
    assertEquals(0.5, s.of("postgres"), 1e-9);
    // 1.5 cores for 2 s over 10 000 requests = 300 µs each.
    assertEquals(300, s.microsPerRequest("users", 10_000), 1e-6);
  }

  @Test
  void readsThisProcess() {
    Proc p = new Proc();
    p.add("me", () -> List.of(Proc.self()));
    long spin = System.nanoTime() + 300_000_000L;
    double x = 0;
    Proc.Snapshot a = p.snapshot();
    while (System.nanoTime() < spin) {
      x += Math.sqrt(x + 1);
    }
    Proc.Snapshot b = p.snapshot();
    assertTrue(x > 0);
    assertTrue(Proc.split(a, b).of("me") > 0.2, "a busy thread shows as CPU time");
    assertTrue(Proc.statusKb(Proc.self(), "VmRSS") > 1000);
    assertTrue(Proc.uid("root") == 0);
  }
}
