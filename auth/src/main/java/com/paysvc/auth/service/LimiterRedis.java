package com.paysvc.auth.service;

import com.paysvc.common.concurrent.Timeouts;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;

/**
 * The limiters' access to the security-state Redis (db 0, shared by every auth instance) and their one failure policy:
 * <b>fail closed</b>. When Redis does not answer within {@value #TIMEOUT_MS} ms (down, slow, refusing the command), the
 * attempt is refused with 503 DEPENDENCY_UNAVAILABLE and {@code Retry-After: }{@value #RETRY_AFTER_SECONDS}: auth does
 * not check a password or a client secret, nor create an account, that it cannot count. A brake that is released while
 * Redis is away would give unlimited guesses for as long as the outage lasts — and whoever can slow Redis down would
 * choose when. auth is unready then too ({@code /health/ready} requires Redis), so the gateway moves traffic to an
 * instance that can count.
 */
final class LimiterRedis {
  /** A limiter's script is a few microseconds of Redis time: half a second means Redis is in trouble. */
  static final long TIMEOUT_MS = 500;
  /**
   * The gateway checks a service every 2 s and takes it out after 2 failed checks: a client that waits this long
   * reaches an instance whose Redis answers, or finds a restarted Redis back.
   */
  static final int RETRY_AFTER_SECONDS = 5;

  private final Redis redis;

  LimiterRedis(Redis redis) {
    this.redis = redis;
  }

  /** Runs {@code script} with {@code keys} and {@code args}; any Redis trouble is the policy's 503. */
  Future<Response> run(RedisScript script, List<String> keys, Object... args) {
    return policy(script.run(redis, r -> {
      r.arg(keys.size());
      keys.forEach(r::arg);
      for (Object a : args) {
        r.arg(a.toString());
      }
      return r;
    }));
  }

  /** Sends one command; any Redis trouble is the policy's 503. */
  Future<Response> send(Request request) {
    return policy(redis.send(request));
  }

  private static Future<Response> policy(Future<Response> call) {
    return Timeouts.within(call, TIMEOUT_MS).recover(err -> Future.failedFuture(unavailable()));
  }

  /** The refusal while the limits cannot be counted (also what the tests expect). */
  static ApiException unavailable() {
    return new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE,
      "attempts cannot be counted right now (the rate-limit store is unavailable), retry shortly",
      new JsonObject().put("retry_after_seconds", RETRY_AFTER_SECONDS));
  }

  /** 429 with the seconds to wait ({@code Retry-After}). */
  static ApiException limited(String message, long retryAfterSeconds) {
    return new ApiException(ErrorCode.RATE_LIMITED, message,
      new JsonObject().put("retry_after_seconds", Math.max(1, retryAfterSeconds)));
  }
}
