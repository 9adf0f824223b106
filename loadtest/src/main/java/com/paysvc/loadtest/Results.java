package com.paysvc.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one run measured: latencies in microseconds from each request's intended send time (HdrHistogram, 3 digits,
 * up to a minute), per kind of request; outcomes by status and kind of error; one sample per second.
 */
final class Results {
  static final long MAX_MICROS = 60_000_000L;

  /** One second of the run. */
  record Second(int t, long completed, long errors, double p50Ms, double p99Ms, double maxMs) {
  }

  private final Recorder interval = new Recorder(MAX_MICROS, 3);
  private final Histogram all = new Histogram(MAX_MICROS, 3);
  private final Map<String, Recorder> byKind = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errorOutcomes = new ConcurrentHashMap<>();
  private final LongAdder errorsThisSecond = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private volatile long lastCompletion;
  /** When the measured window began (after the warm-up), System.nanoTime(). */
  volatile long measuredStart;
  private final List<Second> seconds = new ArrayList<>();
  final int targetRate;
  private volatile double durationSeconds;

  /** One measured request: System.nanoTime() when it was due and when it ended, its outcome. */
  record Sample(String kind, long intended, long completed, String outcome, boolean error) {
  }

  Results(int targetRate, double durationSeconds) {
    this.targetRate = targetRate;
    this.durationSeconds = durationSeconds;
  }

  /** A completed request (any status): when it was due and ended, and its outcome ("200", "503", "timeout", …). */
  void record(String kind, long intended, long completed, String outcome, boolean error) {
    long v = Math.min(Math.max((completed - intended) / 1000, 1), MAX_MICROS);
    interval.recordValue(v);
    byKind.computeIfAbsent(kind, k -> new Recorder(MAX_MICROS, 3)).recordValue(v);
    outcomes.computeIfAbsent(kind + " " + outcome, k -> new LongAdder()).increment();
    if (error) {
      errorOutcomes.computeIfAbsent(kind + " " + outcome, k -> new LongAdder()).increment();
      errorsThisSecond.increment();
      errors.increment();
    }
    lastCompletion = completed;
  }

  /** A request that could not even be sent (the generator itself was overloaded): an error without a latency. */
  void notSent(String kind, long intended) {
    outcomes.computeIfAbsent(kind + " not_sent", k -> new LongAdder()).increment();
    errorOutcomes.computeIfAbsent(kind + " not_sent", k -> new LongAdder()).increment();
    errorsThisSecond.increment();
    errors.increment();
  }

  /** The run was stopped before its duration: the measured window ends there. */
  void stoppedAt(long nanos) {
    durationSeconds = Math.max(0.001, (nanos - measuredStart) / 1e9);
  }

  double durationSeconds() {
    return durationSeconds;
  }

  /** Errors by "kind outcome". */
  Map<String, Long> errorOutcomes() {
    Map<String, Long> out = new TreeMap<>();
    errorOutcomes.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Called once a second by the reporter: closes the second. */
  synchronized Second tick(int t) {
    Histogram h = interval.getIntervalHistogram();
    all.add(h);
    long errors = errorsThisSecond.sumThenReset();
    Second s = new Second(t, h.getTotalCount(), errors, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
      ms(h.getMaxValue()));
    seconds.add(s);
    return s;
  }

  synchronized Histogram total() {
    all.add(interval.getIntervalHistogram());
    return all;
  }

  synchronized List<Second> seconds() {
    return List.copyOf(seconds);
  }

  Map<String, Long> outcomes() {
    Map<String, Long> out = new TreeMap<>();
    outcomes.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  long errors() {
    return errors.sum();
  }

  long requests() {
    return outcomes().values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Completed measured requests per second: over the measured window, or up to the last answer when the server fell
   * behind (answers still arriving after the window show as a lower rate).
   */
  double achievedRate() {
    double span = (lastCompletion - measuredStart) / 1e9;
    return total().getTotalCount() / Math.max(durationSeconds, span);
  }

  double errorRate() {
    long n = requests();
    return n == 0 ? 0 : (double) errors() / n;
  }

  Map<String, Histogram> kinds() {
    Map<String, Histogram> out = new TreeMap<>();
    byKind.forEach((k, r) -> out.put(k, r.getIntervalHistogram()));
    return out;
  }

  static double ms(long micros) {
    return micros / 1000.0;
  }

  JsonObject toJson(Map<String, Histogram> kinds) {
    Histogram h = total();
    JsonObject latency = latencyJson(h);
    JsonArray perSecond = new JsonArray();
    for (Second s : seconds()) {
      perSecond.add(new JsonObject().put("t", s.t()).put("completed", s.completed()).put("errors", s.errors())
        .put("p50_ms", s.p50Ms()).put("p99_ms", s.p99Ms()).put("max_ms", s.maxMs()));
    }
    JsonObject byKindJson = new JsonObject();
    kinds.forEach((k, kh) -> byKindJson.put(k, latencyJson(kh)));
    JsonArray distribution = new JsonArray();
    for (double p : new double[] {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100}) {
      distribution.add(new JsonObject().put("percentile", p).put("ms", ms(h.getValueAtPercentile(p))));
    }
    JsonObject byStatus = new JsonObject();
    JsonObject errorsByKind = new JsonObject();
    errorOutcomes().forEach((k, n) -> {
      int sp = k.lastIndexOf(' ');
      String kind = k.substring(0, sp);
      String status = k.substring(sp + 1);
      byStatus.put(status, byStatus.getLong(status, 0L) + n);
      errorsByKind.put(kind, errorsByKind.getLong(kind, 0L) + n);
    });
    return new JsonObject().put("target_rate", targetRate).put("achieved_rate", achievedRate())
      .put("errors_by_status", byStatus).put("errors_by_kind", errorsByKind)
      .put("duration_s", durationSeconds).put("requests", requests()).put("errors", errors()).put("error_rate", errorRate())
      .put("latency", latency).put("latency_distribution", distribution).put("outcomes", new JsonObject(new java.util.HashMap<>(outcomes())))
      .put("by_kind", byKindJson).put("per_second", perSecond);
  }

  static JsonObject latencyJson(Histogram h) {
    return new JsonObject().put("count", h.getTotalCount()).put("p50_ms", ms(h.getValueAtPercentile(50)))
      .put("p90_ms", ms(h.getValueAtPercentile(90))).put("p99_ms", ms(h.getValueAtPercentile(99)))
      .put("p99_9_ms", ms(h.getValueAtPercentile(99.9))).put("max_ms", ms(h.getMaxValue()))
      .put("mean_ms", h.getMean() / 1000.0);
  }
}
