package com.paysvc.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator against an in-process server: the schedule is kept and a stall shows in the latencies. */
class OpenLoopTest {
  private Vertx vertx;
  private HttpServer server;
  private final AtomicInteger served = new AtomicInteger();
  private final AtomicLong stallUntil = new AtomicLong();
  /** Requests per wall-clock second the server answers 200 before it answers 503 (a capacity). */
  private volatile int capacityPerSecond = Integer.MAX_VALUE;
  private final AtomicLong second = new AtomicLong();
  private final AtomicInteger inSecond = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = LoadTest.await(vertx.createHttpServer().requestHandler(req -> {
      served.incrementAndGet();
      long now = System.currentTimeMillis() / 1000;
      if (second.getAndSet(now) != now) {
        inSecond.set(0);
      }
      boolean overCapacity = inSecond.incrementAndGet() > capacityPerSecond;
      long wait = TimeUnit.NANOSECONDS.toMillis(stallUntil.get() - System.nanoTime());
      if (req.path().equals("/missing")) {
        req.response().setStatusCode(404).end();
      } else if (wait > 0) {
        vertx.setTimer(wait, id -> req.response().setStatusCode(200).end("late"));
      } else {
        req.response().setStatusCode(req.path().equals("/fail") || overCapacity ? 503 : 200).end("ok");
      }
    }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    LoadTest.close(vertx);
  }

  private Options options(String duration, int connections) {
    return Options.parse(new String[] {"by-identifier", "--base-url", "http://127.0.0.1:" + server.actualPort(), "--warmup", "500ms",
      "--duration", duration, "--connections", Integer.toString(connections), "--threads", "2", "--no-seed"});
  }

  private static Scenario paths(String... cycle) {
    return new Scenario() {
      @Override
      public Future<Void> prepare() {
        return Future.succeededFuture();
      }

      @Override
      public Request request(long n) {
        String p = cycle[(int) (n % cycle.length)];
        return new Request(p.substring(1), HttpMethod.GET, p, null, null, p.equals("/missing"));
      }
    };
  }

  @Test
  void sendsExactlyTheScheduleAndCountsOutcomes() throws Exception {
    Results r = LoadTest.await(OpenLoop.run(vertx, options("2s", 8), paths("/ok", "/ok", "/fail", "/missing"), 200, false));
    // 200/s for 2 s measured (the 0.5 s warm-up is sent, not recorded).
    assertEquals(400, r.requests());
    assertEquals(500, served.get());
    assertEquals(100, r.errors(), "every /fail is an error, an expected 404 is not");
    assertEquals(100L, r.errorOutcomes().get("fail 503"));
    assertEquals(100L, r.outcomes().get("missing 404"));
    assertEquals(200.0, r.achievedRate(), 10.0);
  }

  @Test
  void latencyCountsFromTheIntendedSendTime() throws Exception {
    // One connection and a server that stalls 600 ms a second into the run: requests due meanwhile wait behind the
    // stalled one. A closed-loop tool would not send them and would report one slow request; here each of them
    // carries its waiting time (no coordinated omission).
    vertx.setTimer(1500, id -> stallUntil.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600)));
    Results r = LoadTest.await(OpenLoop.run(vertx, options("3s", 1), paths("/ok"), 100, false));
    Histogram h = r.total();
    assertEquals(300, h.getTotalCount());
    long slowerThan300ms = h.getCountBetweenValues(300_000, Results.MAX_MICROS);
    assertTrue(slowerThan300ms >= 20, "requests queued behind the stall are slow too: " + slowerThan300ms);
    assertTrue(h.getValueAtPercentile(50) < 100_000, "the rest is fast: p50 " + h.getValueAtPercentile(50) + " µs");
  }

  @Test
  void findMaxStepsDownWhenTheFirstRateIsTooHigh() throws Exception {
    // 150 answers a second, then 503: starting at 400/s, find-max must come down (400, 200 fail; 100 holds), then
    // refine between 100 and 200, and never report 0.
    capacityPerSecond = 150;
    Options o = Options.parse(new String[] {"by-identifier", "--base-url", "http://127.0.0.1:" + server.actualPort(),
      "--warmup", "500ms", "--duration", "1s", "--connections", "8", "--threads", "2", "--no-seed", "--find-max",
      "--rate", "400", "--step-factor", "2", "--refine", "2"});
    JsonObject result = new JsonObject().put("runs", new JsonArray());
    LoadTest.await(LoadTest.findMax(vertx, o, paths("/ok"), result, RunListener.NONE));
    int rate = result.getInteger("sustainable_rate");
    assertTrue(rate >= 100 && rate <= 160, "between the last good step and the capacity: " + rate);
    assertEquals(400, result.getJsonArray("runs").getJsonObject(0).getInteger("target_rate"), result.encode());
  }

  @Test
  void aFirstStepThatFailsOnAStallIsMeasuredOnceMoreBeforeTheSearchTurnsDown() throws Exception {
    // No capacity limit, but a 600 ms stall inside the first step's measured second: that step fails its p99, its
    // second measurement holds, and the search goes up (100 failed, 100 held, 200 held), not down.
    vertx.setTimer(800, id -> stallUntil.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600)));
    Options o = Options.parse(new String[] {"by-identifier", "--base-url", "http://127.0.0.1:" + server.actualPort(),
      "--warmup", "500ms", "--duration", "1s", "--connections", "8", "--threads", "2", "--no-seed", "--find-max",
      "--rate", "100", "--step-factor", "2", "--max-steps", "3"});
    JsonObject result = new JsonObject().put("runs", new JsonArray());
    LoadTest.await(LoadTest.findMax(vertx, o, paths("/ok"), result, RunListener.NONE));
    JsonArray runs = result.getJsonArray("runs");
    assertEquals(3, runs.size(), result.encode());
    assertEquals(false, runs.getJsonObject(0).getBoolean("sustainable"), "the stalled step: " + runs.getJsonObject(0).encode());
    assertEquals(true, runs.getJsonObject(0).getBoolean("retried"));
    assertEquals(100, runs.getJsonObject(1).getInteger("target_rate"));
    assertEquals(true, runs.getJsonObject(1).getBoolean("sustainable"), runs.getJsonObject(1).encode());
    assertEquals(200, runs.getJsonObject(2).getInteger("target_rate"));
    assertEquals(200, result.getInteger("sustainable_rate"), result.encode());
  }

  @Test
  void aControlStopsTheRunEarly() throws Exception {
    OpenLoop.Control control = new OpenLoop.Control();
    vertx.setTimer(1500, id -> control.stop());
    Results r = LoadTest.await(OpenLoop.run(vertx, options("60s", 4), paths("/ok"), 100, false, RunListener.NONE, control));
    assertTrue(r.requests() > 50 && r.requests() < 150, "about 1 s of measured requests: " + r.requests());
    assertTrue(r.durationSeconds() < 2, "the measured window ends at the stop: " + r.durationSeconds());
  }
}
