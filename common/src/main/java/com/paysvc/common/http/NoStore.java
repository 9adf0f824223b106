package com.paysvc.common.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code Cache-Control: no-store} on every response: the services answer with personal data (records, contacts) and
 * tokens, which no browser, proxy or CDN may keep. Every response rather than a list of routes that carry such data,
 * so a new route is covered without anyone remembering it; Swagger UI's static assets take it off again (OpsRoutes).
 * Set first thing, from a header built once: the cached reads pay one header put.
 */
public final class NoStore implements Handler<RoutingContext> {
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  @Override
  public void handle(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    rc.next();
  }
}
