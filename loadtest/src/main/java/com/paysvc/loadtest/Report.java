package com.paysvc.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.Locale;

/**
 * The summary table on stdout, the JSON result and a self-contained HTML report: inline SVG charts drawn here (no
 * script, no CDN: the file opens offline) — latency by percentile on a log axis, throughput and latency over time,
 * outcomes by status.
 */
final class Report {
  private Report() {
  }

  static String table(String title, JsonObject r) {
    JsonObject l = r.getJsonObject("latency");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%n%s%n", title));
    sb.append(String.format(Locale.ROOT, "  %-14s %10s %9s %9s %9s %9s %9s %9s %8s%n", "", "req/s", "p50 ms", "p90 ms",
      "p99 ms", "p99.9 ms", "max ms", "requests", "errors"));
    sb.append(row("all", r.getDouble("achieved_rate"), l, r.getLong("requests"), r.getLong("errors")));
    JsonObject kinds = r.getJsonObject("by_kind");
    if (kinds.size() > 1) {
      for (String k : kinds.fieldNames()) {
        sb.append(row(k, Double.NaN, kinds.getJsonObject(k), kinds.getJsonObject(k).getLong("count"), null));
      }
    }
    sb.append("  outcomes: ");
    new java.util.TreeMap<>(r.getJsonObject("outcomes").getMap()).forEach((k, v) -> sb.append(k).append('=').append(v).append("  "));
    sb.append('\n');
    sb.append("  errors by status: ").append(counts(r.getJsonObject("errors_by_status"))).append('\n');
    sb.append("  errors by kind:   ").append(counts(r.getJsonObject("errors_by_kind"))).append('\n');
    return sb.toString();
  }

  private static String counts(JsonObject o) {
    if (o == null || o.isEmpty()) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    new java.util.TreeMap<>(o.getMap()).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append('=').append(v));
    return sb.toString();
  }

  private static String row(String name, double rate, JsonObject l, long requests, Long errors) {
    return String.format(Locale.ROOT, "  %-14s %10s %9.2f %9.2f %9.2f %9.2f %9.2f %9d %8s%n", name,
      Double.isNaN(rate) ? "" : String.format(Locale.ROOT, "%.1f", rate), l.getDouble("p50_ms"), l.getDouble("p90_ms"),
      l.getDouble("p99_ms"), l.getDouble("p99_9_ms"), l.getDouble("max_ms"), requests, errors == null ? "" : errors.toString());
  }

  /** Writes {@code <name>.json} and {@code <name>.html} into {@code dir}; returns the HTML path. */
  static Path write(Path dir, String name, JsonObject result) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name + ".json"), result.encodePrettily(), StandardCharsets.UTF_8);
    Path html = dir.resolve(name + ".html");
    Files.writeString(html, html(result), StandardCharsets.UTF_8);
    return html;
  }

  static String html(JsonObject result) {
    StringBuilder sb = new StringBuilder();
    String title = "paysvc load test: " + esc(result.getString("scenario")) + " at " + result.getString("started_at");
    sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(title).append("</title><style>")
      .append("body{font:14px sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}")
      .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}")
      .append("h2{margin-top:2em}svg{background:#fff;border:1px solid #ddd}.axis{font-size:11px;fill:#555}</style></head><body>");
    sb.append("<h1>").append(title).append("</h1><p>").append(esc(result.getString("command"))).append("</p>");
    JsonArray summary = result.getJsonArray("summary");
    if (summary != null) {
      sb.append("<pre>");
      summary.forEach(line -> sb.append(esc(String.valueOf(line))).append('\n'));
      sb.append("</pre>");
    }
    JsonArray runs = result.getJsonArray("runs");
    if (result.containsKey("sustainable_rate")) {
      sb.append("<p><b>Highest sustainable rate: ").append(result.getValue("sustainable_rate")).append(" req/s</b> (")
        .append(esc(result.getString("bound"))).append(")</p>");
      sb.append(stepsChart(runs));
    }
    for (int i = 0; i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      sb.append("<h2>Run at ").append(run.getInteger("target_rate")).append(" req/s</h2>");
      sb.append(summary(run));
      sb.append("<h3>Latency by percentile</h3>").append(percentileChart(run.getJsonArray("latency_distribution")));
      sb.append("<h3>Throughput and latency over time</h3>").append(timeChart(run.getJsonArray("per_second")));
      sb.append("<h3>Errors over time</h3>").append(errorChart(run.getJsonArray("per_second")));
      sb.append("<p>Errors by status: ").append(esc(counts(run.getJsonObject("errors_by_status")))).append("<br>Errors by kind: ")
        .append(esc(counts(run.getJsonObject("errors_by_kind")))).append("</p>");
      sb.append("<h3>Outcomes</h3>").append(outcomes(run.getJsonObject("outcomes")));
    }
    return sb.append("</body></html>").toString();
  }

  private static String summary(JsonObject run) {
    JsonObject l = run.getJsonObject("latency");
    StringBuilder sb = new StringBuilder("<table><tr><th>target req/s</th><th>achieved req/s</th><th>p50 ms</th><th>p90 ms</th>"
      + "<th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>requests</th><th>errors</th></tr><tr>");
    sb.append(td(run.getInteger("target_rate"))).append(td(fmt(run.getDouble("achieved_rate"))))
      .append(td(fmt(l.getDouble("p50_ms")))).append(td(fmt(l.getDouble("p90_ms")))).append(td(fmt(l.getDouble("p99_ms"))))
      .append(td(fmt(l.getDouble("p99_9_ms")))).append(td(fmt(l.getDouble("max_ms")))).append(td(run.getLong("requests")))
      .append(td(run.getLong("errors")));
    return sb.append("</tr></table>").toString();
  }

  private static String outcomes(JsonObject outcomes) {
    StringBuilder sb = new StringBuilder("<table><tr><th>kind and outcome</th><th>count</th></tr>");
    long max = 1;
    for (String k : outcomes.fieldNames()) {
      max = Math.max(max, outcomes.getLong(k));
    }
    for (String k : outcomes.fieldNames()) {
      long v = outcomes.getLong(k);
      boolean ok = k.matches(".* 2\\d\\d");
      sb.append("<tr><td style=\"text-align:left\">").append(esc(k)).append("</td><td>").append(v)
        .append(" <svg width=\"200\" height=\"10\"><rect width=\"").append(Math.max(1, 200 * v / max))
        .append("\" height=\"10\" fill=\"").append(ok ? "#4a9" : "#d54").append("\"/></svg></td></tr>");
    }
    return sb.append("</table>").toString();
  }

  /** Latency (log) against percentile on the usual 1/(1-p) log axis: 90, 99, 99.9, … evenly spaced. */
  static String percentileChart(JsonArray distribution) {
    int w = 900;
    int h = 320;
    int left = 60;
    int bottom = 30;
    double maxX = Math.log10(1 / (1 - 0.99999));
    double minMs = Double.MAX_VALUE;
    double maxMs = 0;
    for (Object o : distribution) {
      double ms = ((JsonObject) o).getDouble("ms");
      minMs = Math.min(minMs, Math.max(ms, 0.01));
      maxMs = Math.max(maxMs, ms);
    }
    double lo = Math.floor(Math.log10(Math.max(minMs, 0.01)));
    double hi = Math.ceil(Math.log10(Math.max(maxMs, 0.1)));
    if (hi <= lo) {
      hi = lo + 1;
    }
    StringBuilder pts = new StringBuilder();
    for (Object o : distribution) {
      JsonObject d = (JsonObject) o;
      double p = d.getDouble("percentile") / 100;
      double x = left + (w - left - 10) * Math.min(maxX, Math.log10(1 / (1 - Math.min(p, 0.99999)))) / maxX;
      double y = (h - bottom) - (h - bottom - 10) * (Math.log10(Math.max(d.getDouble("ms"), 0.01)) - lo) / (hi - lo);
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    StringBuilder sb = new StringBuilder();
    sb.append("<svg width=\"").append(w).append("\" height=\"").append(h).append("\">");
    for (double e = lo; e <= hi; e++) {
      double y = (h - bottom) - (h - bottom - 10) * (e - lo) / (hi - lo);
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, w - 10, y, y))
        .append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"4\" y=\"%.1f\">%s ms</text>", y + 4, fmt(Math.pow(10, e))));
    }
    String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    for (int i = 0; i < labels.length; i++) {
      double x = left + (w - left - 10) * i / maxX;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"10\" y2=\"%d\" stroke=\"#eee\"/>", x, x, h - bottom))
        .append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%.1f\" y=\"%d\">%s</text>", x - 12, h - 10, labels[i]));
    }
    sb.append("<polyline fill=\"none\" stroke=\"#36c\" stroke-width=\"2\" points=\"").append(pts).append("\"/>");
    return sb.append("</svg>").toString();
  }

  /** Completed requests per second (bars) with p50 and p99 (lines, right axis) over the run. */
  static String timeChart(JsonArray perSecond) {
    int w = 900;
    int h = 320;
    int left = 60;
    int right = 60;
    int bottom = 30;
    int n = Math.max(1, perSecond.size());
    long maxRate = 1;
    double maxMs = 0.1;
    for (Object o : perSecond) {
      JsonObject s = (JsonObject) o;
      maxRate = Math.max(maxRate, s.getLong("completed"));
      maxMs = Math.max(maxMs, s.getDouble("p99_ms"));
    }
    double bw = (double) (w - left - right) / n;
    StringBuilder sb = new StringBuilder("<svg width=\"" + w + "\" height=\"" + h + "\">");
    StringBuilder p50 = new StringBuilder();
    StringBuilder p99 = new StringBuilder();
    for (int i = 0; i < perSecond.size(); i++) {
      JsonObject s = perSecond.getJsonObject(i);
      double x = left + i * bw;
      double bh = (h - bottom - 10) * s.getLong("completed") / (double) maxRate;
      sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", x,
        h - bottom - bh, Math.max(1, bw - 1), bh, s.getLong("errors") > 0 ? "#e9a" : "#bcd"));
      double cx = x + bw / 2;
      p50.append(String.format(Locale.ROOT, "%.1f,%.1f ", cx, (h - bottom) - (h - bottom - 10) * s.getDouble("p50_ms") / maxMs));
      p99.append(String.format(Locale.ROOT, "%.1f,%.1f ", cx, (h - bottom) - (h - bottom - 10) * s.getDouble("p99_ms") / maxMs));
    }
    sb.append("<polyline fill=\"none\" stroke=\"#3a3\" stroke-width=\"2\" points=\"").append(p50).append("\"/>")
      .append("<polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"2\" points=\"").append(p99).append("\"/>")
      .append("<text class=\"axis\" x=\"4\" y=\"14\">").append(maxRate).append(" req/s</text>")
      .append("<text class=\"axis\" x=\"").append(w - right + 4).append("\" y=\"14\">").append(fmt(maxMs)).append(" ms</text>")
      .append("<text class=\"axis\" x=\"").append(left).append("\" y=\"").append(h - 10)
      .append("\">seconds →   bars: completed/s (pink: with errors), green: p50, red: p99</text>");
    return sb.append("</svg>").toString();
  }

  /** Errors per second (bars), with the count above each bar that has any. */
  static String errorChart(JsonArray perSecond) {
    int w = 900;
    int h = 140;
    int left = 60;
    int bottom = 24;
    int n = Math.max(1, perSecond.size());
    long max = 1;
    for (Object o : perSecond) {
      max = Math.max(max, ((JsonObject) o).getLong("errors"));
    }
    double bw = (double) (w - left - 60) / n;
    StringBuilder sb = new StringBuilder("<svg width=\"" + w + "\" height=\"" + h + "\">");
    for (int i = 0; i < perSecond.size(); i++) {
      long e = perSecond.getJsonObject(i).getLong("errors");
      if (e == 0) {
        continue;
      }
      double bh = (h - bottom - 16) * e / (double) max;
      double x = left + i * bw;
      sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#d54\"/>", x,
          h - bottom - bh, Math.max(1, bw - 1), bh))
        .append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">%d</text>", x, h - bottom - bh - 2, e));
    }
    sb.append("<line x1=\"").append(left).append("\" x2=\"").append(w - 60).append("\" y1=\"").append(h - bottom)
      .append("\" y2=\"").append(h - bottom).append("\" stroke=\"#999\"/>")
      .append("<text class=\"axis\" x=\"").append(left).append("\" y=\"").append(h - 6)
      .append("\">seconds →   errors per second (").append(max == 1 && perSecond.stream()
        .allMatch(o -> ((JsonObject) o).getLong("errors") == 0) ? "none" : "max " + max).append(")</text>");
    return sb.append("</svg>").toString();
  }

  /** find-max: achieved rate and p99 per step. */
  static String stepsChart(JsonArray runs) {
    StringBuilder sb = new StringBuilder("<table><tr><th>target req/s</th><th>achieved req/s</th><th>p99 ms</th>"
      + "<th>error rate</th><th>sustainable</th></tr>");
    for (Object o : runs) {
      JsonObject r = (JsonObject) o;
      sb.append("<tr>").append(td(r.getInteger("target_rate"))).append(td(fmt(r.getDouble("achieved_rate"))))
        .append(td(fmt(r.getJsonObject("latency").getDouble("p99_ms"))))
        .append(td(String.format(Locale.ROOT, "%.4f", r.getDouble("error_rate")))).append(td(r.getBoolean("sustainable", false)))
        .append("</tr>");
    }
    return sb.append("</table>").toString();
  }

  private static String td(Object v) {
    return "<td>" + esc(String.valueOf(v)) + "</td>";
  }

  static String fmt(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f", v)
      : String.format(Locale.ROOT, "%.3f", v);
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

}
