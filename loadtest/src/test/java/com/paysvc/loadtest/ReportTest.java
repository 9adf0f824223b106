package com.paysvc.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
  /** A run as {@link Results#toJson} writes it, from recorded requests. */
  static JsonObject run() {
    Results r = new Results(100, 2);
    long t = System.nanoTime();
    r.measuredStart = t;
    for (int i = 0; i < 190; i++) {
      r.record("by-identifier", t, t + 1_000_000L + i * 10_000L, "200", false);
    }
    for (int i = 0; i < 6; i++) {
      r.record("webhook-ingest", t, t + 3_000_000L, "503", true);
    }
    r.record("by-identifier", t, t + 10_000_000_000L, "timeout", true);
    r.notSent("by-identifier", t);
    r.tick(1);
    r.tick(2);
    return r.toJson(r.kinds());
  }

  @Test
  void jsonHasErrorsByStatusAndKind() {
    JsonObject run = run();
    assertEquals(198, run.getLong("requests"));
    assertEquals(8, run.getLong("errors"));
    assertEquals(new JsonObject().put("503", 6L).put("timeout", 1L).put("not_sent", 1L), run.getJsonObject("errors_by_status"));
    assertEquals(new JsonObject().put("webhook-ingest", 6L).put("by-identifier", 2L), run.getJsonObject("errors_by_kind"));
    assertTrue(run.getJsonObject("latency").getDouble("max_ms") >= 9_999);
  }

  @Test
  void summaryTableNamesErrors() {
    String table = Report.table("by-identifier at 100 req/s", run());
    assertTrue(table.contains("errors by status: 503=6  not_sent=1  timeout=1"), table);
    assertTrue(table.contains("errors by kind:   by-identifier=2  webhook-ingest=6"), table);
    assertTrue(table.contains("p99.9 ms"), table);
  }

  @Test
  void htmlReportIsSelfContained(@TempDir Path dir) throws Exception {
    JsonObject result = new JsonObject().put("scenario", "mixed").put("started_at", "2026-12-01T00:00:00Z")
      .put("command", "loadtest mixed <script>").put("sustainable_rate", 100).put("bound", "p99 <= 50 ms")
      .put("runs", new JsonArray().add(run().put("sustainable", true)));
    Path html = Report.write(dir, "r", result);
    String s = Files.readString(html);
    assertTrue(Files.exists(dir.resolve("r.json")));
    assertTrue(s.contains("<svg"), "charts are inline SVG");
    assertTrue(s.contains("Latency by percentile") && s.contains("Throughput and latency over time")
      && s.contains("Errors over time"), "the three charts");
    assertFalse(s.contains("<script"), "no script at all, so nothing to load");
    assertFalse(s.matches("(?s).*(src|href)=\"(https?:)?//.*"), "nothing fetched from the network");
    assertTrue(s.contains("&lt;script&gt;"), "text is escaped");
  }
}
