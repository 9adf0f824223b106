package com.paysvc.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CI-sized benchmark (SPEC §9, the load-test issue): {@code bin/bench --ci} on the real stack, the services run
 * from their jars by bin/stack. Correctness only: the limits were measured, every scenario ran and every request was
 * answered as expected, every acknowledged notification is in the database, the reports were written. No timing
 * is asserted.
 */
class BenchIT {
  @Test
  void ciSizedBenchRunsEveryScenarioWithoutErrors(@TempDir Path out) throws Exception {
    Commands.Ran ran = Commands.run(900, "bin/bench", "--ci", "--out", out.toString());
    assertEquals(0, ran.exit(), "bin/bench --ci failed:\n" + ran.output());

    JsonObject bench = new JsonObject(Files.readString(out.resolve("bench.json")));
    JsonObject limits = bench.getJsonObject("limits");
    for (String l : List.of("lean_reference", "by_identifier_function", "ingest_function", "redis_get", "argon2")) {
      assertTrue(limits.getJsonObject(l).getDouble("per_second") > 0, l + " measured: " + limits.getJsonObject(l));
    }
    JsonObject platform = bench.getJsonObject("platform");
    for (String s : List.of("by-identifier-uncached", "by-identifier", "user-detail", "webhook-ingest", "login")) {
      JsonObject run = platform.getJsonObject(s).getJsonArray("runs").getJsonObject(0);
      assertTrue(run.getLong("requests") > 0, s + " sent requests");
      assertEquals(0L, run.getLong("errors"), s + " errors: " + run.getJsonObject("errors_by_status"));
      assertTrue(run.getJsonObject("cpu").getJsonObject("cores").getDouble("load generator") > 0, s + " has a CPU split");
    }
    JsonObject ingest = platform.getJsonObject("webhook-ingest");
    assertTrue(ingest.getLong("acknowledged") > 0);
    assertEquals(0L, ingest.getLong("acknowledged_missing"), "acknowledged notifications missing");
    assertTrue(bench.getJsonArray("failures").isEmpty(), bench.getJsonArray("failures").encode());
    assertTrue(bench.getJsonObject("memory").getJsonObject("users").getLong("peak_rss_during_bench_mb") > 0);

    // The floor server answered every request of its run (started and stopped by the bench).
    JsonObject floorRun = platform.getJsonObject("floor").getJsonArray("runs").getJsonObject(0);
    assertTrue(floorRun.getLong("requests") > 0);
    assertEquals(0L, floorRun.getLong("errors"), floorRun.encode());
    // Redis GET measured again right before the cached read and right after its floor, the cached verdict's limit.
    JsonObject around = bench.getJsonObject("redis_get_around_cached");
    for (String when : List.of("before", "after")) {
      assertTrue(around.getJsonObject(when).getDouble("per_second") > 0, when + ": " + around);
    }
    // The target tested in turns (one, at a low rate, in --ci): the cached read, then the floor, after a Redis GET.
    JsonArray turns = bench.getJsonObject("cached_at_target").getJsonArray("turns");
    assertEquals(1, turns.size(), turns.encode());
    assertTrue(turns.getJsonObject(0).getJsonObject("redis_get").getDouble("per_second") > 0);
    for (String service : List.of("users", "floor")) {
      JsonObject run = turns.getJsonObject(0).getJsonObject(service);
      assertTrue(run.getLong("requests") > 0, service + " at the target: " + run.encode());
      assertEquals(0L, run.getLong("errors"), service + " at the target: " + run.encode());
      assertTrue(run.containsKey("held"), run.encode());
    }
    String md = Files.readString(out.resolve("benchmarks-ci.md"));
    assertTrue(md.contains("### The cached read at its target, in turns"), md);
    assertTrue(md.contains("### The platform against its limits")
      && md.contains("| cached `by-identifier` (req/s; against the mean of Redis GET right before it and after its floor) |"), md);
    try (Stream<Path> files = Files.list(out)) {
      List<Path> html = files.filter(p -> p.toString().endsWith(".html")).toList();
      assertEquals(8, html.size(), "one report per scenario (the floor included) and per run at the target: " + html);
      for (Path h : html) {
        String s = Files.readString(h);
        assertTrue(s.contains("<svg"));
        assertFalse(s.contains("<script"), h + " loads nothing");
      }
    }
  }
}
