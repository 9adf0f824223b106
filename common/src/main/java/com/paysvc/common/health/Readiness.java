package com.paysvc.common.health;

import com.paysvc.common.concurrent.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /health/ready}: probes each dependency with a timeout and reports its status and latency. A required
 * dependency that is down makes the answer 503 (HAProxy then takes the instance out of rotation); an optional one
 * (the service degrades without it, e.g. replica → primary fallback) is reported but keeps the answer 200. Only the
 * dependencies the service declares are registered ({@code ServiceDefinition.dependencies()}).
 */
public final class Readiness {
  // A probe gives up before the health-check framework's own deadline, so a hung dependency reads as DOWN (503)
  // with its latency rather than as a failed procedure (500).
  private static final long PROBE_TIMEOUT_MS = 1500;
  private static final long CHECK_DEADLINE_MS = 3000;

  private final HealthChecks checks;
  private final Set<String> required;
  private volatile int registered;

  public Readiness(Vertx vertx, Set<String> required) {
    this.checks = HealthChecks.create(vertx);
    this.required = Set.copyOf(required);
  }

  public Readiness register(String name, Supplier<Future<?>> probe) {
    boolean isRequired = required.contains(name);
    registered++;
    checks.register(name, CHECK_DEADLINE_MS, promise -> {
      long start = System.nanoTime();
      Future<?> result;
      try {
        result = probe.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      Timeouts.within(result, PROBE_TIMEOUT_MS).onComplete(ar -> {
        JsonObject data = new JsonObject()
          .put("status", ar.succeeded() ? "UP" : "DOWN")
          .put("required", isRequired)
          .put("latency_ms", Math.round((System.nanoTime() - start) / 10_000.0) / 100.0);
        if (ar.failed()) {
          // The exception's class and message only: enough to diagnose, no connection strings or secrets.
          data.put("error", ar.cause().getClass().getSimpleName() + ": " + String.valueOf(ar.cause().getMessage()));
        }
        promise.tryComplete(ar.succeeded() || !isRequired ? Status.OK(data) : Status.KO(data));
      });
    });
    return this;
  }

  public HealthChecks checks() {
    return checks;
  }

  /**
   * The {@code /health/ready} handler. A service with no dependency to probe is ready when it serves HTTP: 200 with no
   * checks, like every other ready answer (Vert.x's handler says 204 then, and HAProxy and bin/stack expect 200).
   */
  public Handler<RoutingContext> handler() {
    HealthCheckHandler probes = HealthCheckHandler.createWithHealthChecks(checks);
    Buffer nothingToProbe = new JsonObject().put("status", "UP").put("checks", new JsonArray()).put("outcome", "UP")
      .toBuffer();
    return rc -> {
      if (registered > 0) {
        probes.handle(rc);
      } else {
        rc.response().putHeader("Content-Type", "application/json;charset=UTF-8").end(nothingToProbe);
      }
    };
  }
}
