package com.paysvc.common.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the request id of the request being handled into the MDC ({@code request_id}) of every log line, so the
 * lines a request causes anywhere (services, stores, the guard) can be found by it; JSON logs carry it as an MDC
 * field, text logs print it after the thread.
 *
 * <p>Vert.x runs each HTTP request on its own duplicated context and keeps every callback of that request on it,
 * so {@link RequestId} stores the id in a context local of that context ({@link RequestIdStorage#REQUEST_ID}); a
 * thread-local MDC alone would be wrong on an event loop that interleaves many requests. This filter runs
 * synchronously at each log call (before the async appender copies the MDC) and mirrors the current context's id
 * into the MDC, or clears it outside a request.
 */
public final class RequestIdLogging extends TurboFilter {
  static final String KEY = "request_id";

  /**
   * Called by {@link RequestId}, i.e. from a route handler, on the request's context. That context is the request's
   * own: the HTTP server dispatches every request (HTTP/1 and each HTTP/2 stream) on a fresh duplicate of its
   * context, and a duplicate has its own locals. The public {@link Context} of Vert.x 5 cannot tell a duplicate
   * from its event-loop context (only the internal API can), so this relies on that dispatch rule, which
   * RequestIdLoggingTest checks (concurrent requests on one event loop keep their ids, the event loop has none).
   */
  static void bind(String requestId) {
    Context ctx = Vertx.currentContext();
    if (ctx != null) {
      ctx.putLocal(RequestIdStorage.REQUEST_ID, requestId);
    }
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null && params == null && t == null) {
      // A level check (isDebugEnabled and the like: vertx-web and Netty ask on every request), not a log call: no
      // line is made, so the MDC need not be current (a log call that follows comes here again with its format).
      return FilterReply.NEUTRAL;
    }
    // Only request contexts have the local set (see bind): elsewhere this reads null and the MDC is cleared. The read
    // is an index into the context's local array.
    Context ctx = Vertx.currentContext();
    String id = ctx == null ? null : ctx.getLocal(RequestIdStorage.REQUEST_ID);
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
