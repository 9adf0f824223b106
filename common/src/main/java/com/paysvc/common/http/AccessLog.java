package com.paysvc.common.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One line per logged request with the request id (in the MDC), method, path, status and duration. Every request
 * with a status of 400 or more, and every one slower than {@code slowMs}, is logged; of the others one in
 * {@code sampleEvery}, chosen at random (the Prometheus metrics count every request). Health and metrics probes are
 * logged at debug only.
 */
public final class AccessLog implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger("access");
  private final int sampleEvery;
  private final long slowNanos;

  public AccessLog(int sampleEvery, long slowMs) {
    this.sampleEvery = sampleEvery;
    this.slowNanos = slowMs * 1_000_000;
  }

  /** Every request. */
  public AccessLog() {
    this(1, 0);
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addBodyEndHandler(v -> {
      long nanos = System.nanoTime() - start;
      int status = ctx.response().getStatusCode();
      if (status < 400 && nanos <= slowNanos && sampleEvery > 1 && ThreadLocalRandom.current().nextInt(sampleEvery) != 0) {
        return;
      }
      String path = ctx.request().path();
      boolean probe = path.endsWith("/health/live") || path.endsWith("/health/ready") || path.endsWith("/metrics");
      if (probe ? log.isDebugEnabled() : log.isInfoEnabled()) {
        long micros = nanos / 1000;
        String line = ctx.request().method().name() + ' ' + path + ' ' + status + ' ' + micros / 1000 + '.'
          + (char) ('0' + micros % 1000 / 100) + (char) ('0' + micros % 100 / 10) + (char) ('0' + micros % 10) + "ms";
        if (probe) {
          log.debug(line);
        } else {
          log.info(line);
        }
      }
    });
    ctx.next();
  }
}
