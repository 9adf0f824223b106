package com.paysvc.common.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Reads {@code X-Request-Id} or generates one, stores it on the context and echoes it in the response, so a
 * request can be followed through logs, outgoing calls and AMQP headers.
 */
public final class RequestId implements Handler<RoutingContext> {
  public static final String HEADER = "X-Request-Id";
  /** Encoded once: Netty writes an optimized header name without converting it per response. */
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final String KEY = "request_id";
  // Accept what proxies typically send; anything else (too long, odd characters) is replaced, so logs stay clean.
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  @Override
  public void handle(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER_NAME);
    String id = incoming != null && SAFE.matcher(incoming).matches() ? incoming : newId();
    ctx.put(KEY, id);
    RequestIdLogging.bind(id);
    ctx.response().putHeader(HEADER_NAME, id);
    ctx.next();
  }

  /**
   * A random version-4 UUID from the thread's own generator: a request id must be unique, not unguessable, and
   * UUID.randomUUID() goes through the shared SecureRandom (a lock and /dev/urandom reads under load).
   */
  static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
