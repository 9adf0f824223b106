package com.paysvc.common.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per request with the request id, status and duration; health and metrics probes are logged at debug. */
public final class AccessLog implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger("access");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addBodyEndHandler(v -> {
      String path = ctx.request().path();
      long micros = (System.nanoTime() - start) / 1000;
      boolean probe = path.endsWith("/health/live") || path.endsWith("/health/ready") || path.endsWith("/metrics");
      if (probe ? log.isDebugEnabled() : log.isInfoEnabled()) {
        // The request id is in the line's MDC (RequestIdLogging), not repeated here.
        String line = String.format("%s %s %d %d.%03dms", ctx.request().method(), path,
          ctx.response().getStatusCode(), micros / 1000, micros % 1000);
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
