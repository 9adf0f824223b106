package com.paysvc.common.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the request id of the request being handled into the MDC ({@code request_id}) of every log line, so the
 * lines a request causes anywhere (services, stores, the guard) can be found by it; JSON logs carry it as an MDC
 * field, text logs print it after the thread.
 *
 * <p>Vert.x runs each HTTP request on its own duplicated context and keeps every callback of that request on it,
 * so {@link RequestId} stores the id there; a thread-local MDC alone would be wrong on an event loop that
 * interleaves many requests. This filter runs synchronously at each log call (before the async appender copies
 * the MDC) and mirrors the current context's id into the MDC, or clears it outside a request.
 */
public final class RequestIdLogging extends TurboFilter {
  static final String KEY = "request_id";

  /** Called by {@link RequestId} on the request's context. */
  static void bind(String requestId) {
    Context ctx = Vertx.currentContext();
    if (ctx instanceof ContextInternal internal && internal.isDuplicate()) {
      internal.putLocal(KEY, requestId);
    }
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null && params == null && t == null) {
      // A level check (isDebugEnabled and the like: vertx-web and Netty ask on every request), not a log call: no
      // line is made, so the MDC need not be current (a log call that follows comes here again with its format).
      return FilterReply.NEUTRAL;
    }
    Context ctx = Vertx.currentContext();
    String id = ctx instanceof ContextInternal internal && internal.isDuplicate() ? internal.getLocal(KEY) : null;
    // Runs for every log call and level check: only touch the MDC when the id changed (a put invalidates the
    // MDC's cached copy, which the next event would then rebuild).
    String inMdc = MDC.get(KEY);
    if (id != null && !id.equals(inMdc)) {
      MDC.put(KEY, id);
    } else if (id == null && inMdc != null) {
      MDC.remove(KEY);
    }
    return FilterReply.NEUTRAL;
  }
}
