package com.paysvc.auth.service;

import com.paysvc.common.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.HexFormat;
import java.util.List;

/**
 * Brute-force brake for password checks, per account and per client IP, in Redis db 0 (shared by every auth
 * instance). One Lua script counts the attempt <em>before</em> the password is checked (increment-first), so a
 * parallel burst is cut at exactly the limit: attempt n of a window is admitted only if n ≤ max. The attempt that
 * crosses a limit locks that key for {@code lockSeconds · 2^(k-1)} (k = lockouts within a day, capped at
 * {@code maxLockSeconds}) and is refused with 429 and {@code Retry-After}. A successful login forgives the
 * account's count and gives its IP attempt back, so honest users and shared NATs are not locked by their own
 * successes. Each account has its own keys: a locked account never locks another.
 *
 * <p>Redis unavailable or slow → 503 with {@code Retry-After}: auth cannot enforce the limit, so it does not check
 * passwords (the one policy of every auth limiter, {@link LimiterRedis}).
 */
public final class LoginLimiter {
  private static final String PREFIX = "auth:login:";

  // KEYS: account count, account lock, account level, ip count, ip lock, ip level
  // ARGV: account max, ip max, window s, base lock s, max lock s
  // Returns 0 when admitted, else the seconds to wait.
  static final String ATTEMPT = """
    local function remaining(lock)
      local t = redis.call('TTL', lock)
      if t > 0 then return t end
      return 0
    end
    local wait = math.max(remaining(KEYS[2]), remaining(KEYS[5]))
    if wait > 0 then return wait end
    local function bump(count, lock, level, max)
      local n = redis.call('INCR', count)
      if n == 1 then redis.call('EXPIRE', count, ARGV[3]) end
      if n <= tonumber(max) then return 0 end
      local k = redis.call('INCR', level)
      redis.call('EXPIRE', level, 86400)
      local secs = math.min(tonumber(ARGV[4]) * 2 ^ (k - 1), tonumber(ARGV[5]))
      redis.call('SET', lock, '1', 'EX', math.floor(secs))
      redis.call('DEL', count)
      return math.floor(secs)
    end
    local a = bump(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
    if a > 0 then return a end
    local b = bump(KEYS[4], KEYS[5], KEYS[6], ARGV[2])
    if b > 0 then
      redis.call('DECR', KEYS[1])
      return b
    end
    return 0
    """;

  // KEYS: account count, account level, ip count
  static final String SUCCEEDED = """
    redis.call('DEL', KEYS[1], KEYS[2])
    local n = tonumber(redis.call('GET', KEYS[3]) or '0')
    if n > 0 then redis.call('DECR', KEYS[3]) end
    return 0
    """;

  private static final RedisScript ATTEMPT_SCRIPT = RedisScript.of(ATTEMPT);
  private static final RedisScript SUCCEEDED_SCRIPT = RedisScript.of(SUCCEEDED);

  private final LimiterRedis redis;
  private final SecretKeySpec accountKey;
  private final int maxPerAccount;
  private final int maxPerIp;
  private final int windowSeconds;
  private final int lockSeconds;
  private final int maxLockSeconds;

  /** {@code secret}: keys the digests of unknown identifiers, so a phone number cannot be recovered from a Redis key. */
  public LoginLimiter(Redis redis, String secret, int maxPerAccount, int maxPerIp, int windowSeconds, int lockSeconds,
                      int maxLockSeconds) {
    this.redis = new LimiterRedis(redis);
    this.accountKey = new SecretKeySpec(("login-limiter:" + secret).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.maxPerAccount = maxPerAccount;
    this.maxPerIp = maxPerIp;
    this.windowSeconds = windowSeconds;
    this.lockSeconds = lockSeconds;
    this.maxLockSeconds = maxLockSeconds;
  }

  /**
   * Counts one attempt for {@code account} (a user id, or a digest of an unknown identifier) from {@code ip}:
   * succeeds when it may go on to the password check, fails with 429 RATE_LIMITED otherwise.
   */
  public Future<Void> attempt(String account, String ip) {
    String a = PREFIX + "acct:" + account;
    String i = PREFIX + "ip:" + ip;
    return redis.run(ATTEMPT_SCRIPT, List.of(a, a + ":lock", a + ":level", i, i + ":lock", i + ":level"),
        maxPerAccount, maxPerIp, windowSeconds, lockSeconds, maxLockSeconds)
      .compose(r -> {
        long wait = r.toLong();
        return wait <= 0 ? Future.succeededFuture()
          : Future.failedFuture(LimiterRedis.limited("too many failed logins, retry later", wait));
      });
  }

  /**
   * Fails with 429 when {@code ip} is locked out, before anything else is done for its request (an IP that is locked
   * costs neither a users lookup nor a password check).
   */
  public Future<Void> ipAllowed(String ip) {
    return redis.send(Request.cmd(Command.TTL).arg(PREFIX + "ip:" + ip + ":lock"))
      .compose(ttl -> ttl.toLong() > 0
        ? Future.failedFuture(LimiterRedis.limited("too many failed logins, retry later", ttl.toLong()))
        : Future.succeededFuture());
  }

  /** The attempt's password was right: forget the account's failures, give the IP its attempt back. */
  public Future<Void> succeeded(String account, String ip) {
    String a = PREFIX + "acct:" + account;
    return redis.run(SUCCEEDED_SCRIPT, List.of(a, a + ":level", PREFIX + "ip:" + ip)).mapEmpty();
  }

  /** The limiter key of an identifier that names no user: a keyed digest, so no personal data sits in Redis keys. */
  public String unknownAccount(String identifier) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(accountKey);
      byte[] d = mac.doFinal(identifier.trim().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      return "unknown:" + HexFormat.of().formatHex(d, 0, 16);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
