package com.paysvc.auth.service;

import com.paysvc.common.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.util.List;

/**
 * Counts attempts per key (a client IP bucket) in a fixed window, shared by every auth instance: every sign-up, every
 * client-credentials grant. One Lua script increments <em>first</em> and decides on the new count, so attempt n of a
 * window goes on only if n ≤ max — a parallel burst is cut at exactly the limit (a separate check and record let a
 * whole burst pass the check before any of it was recorded). Beyond the limit: 429 RATE_LIMITED with
 * {@code Retry-After} = the rest of the window. Attempts that should not count (a successful grant) are given back.
 * Redis unavailable or slow: 503, see {@link LimiterRedis}.
 */
public final class AttemptLimiter {
  // KEYS: count. ARGV: max, window s. Returns 0 when admitted, else the seconds until the window ends.
  static final String ATTEMPT = """
    local n = redis.call('INCR', KEYS[1])
    if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
    if n <= tonumber(ARGV[1]) then return 0 end
    local t = redis.call('TTL', KEYS[1])
    if t == -1 then
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      t = tonumber(ARGV[2])
    end
    if t < 1 then t = 1 end
    return t
    """;

  // KEYS: count. Never below zero, never a key without expiry (DECR of a missing key would make one).
  static final String GIVE_BACK = """
    local n = tonumber(redis.call('GET', KEYS[1]) or '0')
    if n > 0 then redis.call('DECR', KEYS[1]) end
    return 0
    """;

  private static final RedisScript ATTEMPT_SCRIPT = RedisScript.of(ATTEMPT);
  private static final RedisScript GIVE_BACK_SCRIPT = RedisScript.of(GIVE_BACK);

  private final LimiterRedis redis;
  private final String prefix;
  private final int max;
  private final int windowSeconds;

  public AttemptLimiter(Redis redis, String prefix, int max, int windowSeconds) {
    this.redis = new LimiterRedis(redis);
    this.prefix = prefix;
    this.max = max;
    this.windowSeconds = windowSeconds;
  }

  /** Counts one attempt for {@code key}: succeeds when it may go on, fails with 429 (or 503) otherwise. */
  public Future<Void> attempt(String key) {
    return redis.run(ATTEMPT_SCRIPT, List.of(prefix + key), max, windowSeconds).compose(r -> {
      long wait = r.toLong();
      return wait <= 0 ? Future.succeededFuture()
        : Future.failedFuture(LimiterRedis.limited("too many attempts, retry later", wait));
    });
  }

  /** Gives an admitted attempt back (it turned out not to count, e.g. the right client secret). */
  public Future<Void> giveBack(String key) {
    return redis.run(GIVE_BACK_SCRIPT, List.of(prefix + key)).mapEmpty();
  }
}
