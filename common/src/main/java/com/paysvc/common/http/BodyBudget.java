package com.paysvc.common.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes one instance holds at once, across all its event loops: a request reserves what its body
 * may become before a byte of it is read, and gives it back when its response ends. A request that does not fit is
 * refused at once (503 with Retry-After) instead of being read: the heap holds at most the budget in bodies, whatever
 * the number of connections sending them.
 */
public final class BodyBudget {
  private final long capacity;
  private final AtomicLong inUse = new AtomicLong();
  private final Counter refused;

  public BodyBudget(long capacity, MeterRegistry registry) {
    this.capacity = capacity;
    Gauge.builder("paysvc_http_body_budget_in_use_bytes", inUse, AtomicLong::get)
      .description("request-body bytes reserved by requests being read or handled (all event loops)").register(registry);
    Gauge.builder("paysvc_http_body_budget_capacity_bytes", () -> this.capacity)
      .description("HTTP_BODY_BUDGET_MB in bytes").register(registry);
    this.refused = Counter.builder("paysvc_http_body_budget_refused")
      .description("requests refused with 503 before their body was read: the body budget was taken").register(registry);
  }

  public long capacity() {
    return capacity;
  }

  public long inUse() {
    return inUse.get();
  }

  /** Reserves {@code bytes} if they fit beside what is reserved; false (and counted) if not. */
  public boolean tryReserve(long bytes) {
    long now;
    do {
      now = inUse.get();
      if (now + bytes > capacity) {
        refused.increment();
        return false;
      }
    } while (!inUse.compareAndSet(now, now + bytes));
    return true;
  }

  public void release(long bytes) {
    inUse.addAndGet(-bytes);
  }
}
