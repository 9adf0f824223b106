package com.paysvc.auth.http;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * A failure handler ahead of the platform's: a 503 that says when to retry ({@code retry_after_seconds}, e.g. the
 * limiters while Redis is away) carries {@code Retry-After} too, as a 429 does. The platform's FailureHandler writes
 * the header for 429 only and keeps headers set before it, so this one adds the header and passes the failure on.
 */
final class RetryAfter implements Handler<RoutingContext> {
  @Override
  public void handle(RoutingContext rc) {
    if (rc.failure() instanceof ApiException e && e.code() == ErrorCode.DEPENDENCY_UNAVAILABLE
      && e.details().getValue("retry_after_seconds") instanceof Number seconds && !rc.response().headWritten()) {
      rc.response().putHeader("Retry-After", String.valueOf(seconds.longValue()));
    }
    rc.next();
  }
}
