package com.paysvc.auth.service;

import com.paysvc.common.concurrent.Timeouts;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Counts attempts per key (e.g. client IP) in a fixed window in Redis db 0, shared by every auth instance: failed
 * client-credentials grants, every sign-up. Once {@code maxFailures} are reached, attempts are refused with 429 RATE_LIMITED until the window
 * ends ({@code Retry-After} = the key's remaining TTL). Redis trouble never blocks a login: the limiter then
 * lets the attempt through and logs (the limit is a brute-force brake, not an authentication factor).
 */
public final class AttemptLimiter {
  private static final Logger log = LoggerFactory.getLogger(AttemptLimiter.class);
  private static final long REDIS_TIMEOUT_MS = 250;

  private final Redis redis;
  private final String prefix;
  private final int maxFailures;
  private final int windowSeconds;

  public AttemptLimiter(Redis redis, String prefix, int maxFailures, int windowSeconds) {
    this.redis = redis;
    this.prefix = prefix;
    this.maxFailures = maxFailures;
    this.windowSeconds = windowSeconds;
  }

  /** Succeeds when {@code key} may try again; fails with RATE_LIMITED (retry_after_seconds in details) otherwise. */
  public Future<Void> check(String key) {
    String k = prefix + key;
    return Timeouts.within(redis.batch(List.of(Request.cmd(Command.GET).arg(k), Request.cmd(Command.TTL).arg(k))),
        REDIS_TIMEOUT_MS)
      .transform(ar -> {
        if (ar.failed()) {
          log.warn("rate limit check skipped (Redis unavailable): {}", ar.cause().toString());
          return Future.succeededFuture();
        }
        Response count = ar.result().get(0);
        if (count == null || count.toLong() < maxFailures) {
          return Future.succeededFuture();
        }
        long ttl = ar.result().get(1).toLong();
        long retryAfter = ttl > 0 ? ttl : windowSeconds;
        return Future.failedFuture(new ApiException(ErrorCode.RATE_LIMITED, "too many failed attempts, retry later",
          new JsonObject().put("retry_after_seconds", retryAfter)));
      });
  }

  /** Counts one attempt; the window starts at the first one (SET NX EX, then INCR: no immortal key). */
  public Future<Void> record(String key) {
    String k = prefix + key;
    return Timeouts.within(redis.batch(List.of(
        Request.cmd(Command.SET).arg(k).arg(0).arg("EX").arg(windowSeconds).arg("NX"),
        Request.cmd(Command.INCR).arg(k))), REDIS_TIMEOUT_MS)
      .<Void>mapEmpty()
      .recover(err -> {
        log.warn("attempt not counted (Redis unavailable): {}", err.toString());
        return Future.succeededFuture();
      });
  }
}
