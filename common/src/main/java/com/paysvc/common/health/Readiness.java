package com.paysvc.common.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code /health/ready}: probes each dependency with a timeout and reports its status and latency. A required
 * dependency that is down makes the answer 503 (HAProxy then takes the instance out of rotation); an optional one
 * (the service degrades without it, e.g. replica → primary fallback) is reported but keeps the answer 200.
 */
public final class Readiness {
  // A probe gives up before the health-check framework's own deadline, so a hung dependency reads as DOWN (503)
  // with its latency rather than as a failed procedure (500).
  private static final long PROBE_TIMEOUT_MS = 1500;
  private static final long CHECK_DEADLINE_MS = 3000;

  private final HealthChecks checks;
  private final Set<String> required;

  public Readiness(Vertx vertx, Set<String> required) {
    this.checks = HealthChecks.create(vertx);
    this.required = Set.copyOf(required);
  }

  public Readiness register(String name, Supplier<Future<?>> probe) {
    boolean isRequired = required.contains(name);
    checks.register(name, CHECK_DEADLINE_MS, promise -> {
      long start = System.nanoTime();
      Future<?> result;
      try {
        result = probe.get();
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
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

  public HealthCheckHandler handler() {
    return HealthCheckHandler.createWithHealthChecks(checks);
  }
}
