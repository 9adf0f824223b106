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
 * Brute-force brake for password checks, in Redis db 0 (shared by every auth instance), counted at three levels:
 * per client IP (every attempt from it), per account and client (the client's attempts on that account) and per
 * account (from every client). One Lua script counts the attempt <em>before</em> the password is checked
 * (increment-first), so a parallel burst is cut at exactly a limit: attempt n of a window goes on only if n ≤ max.
 * The attempt that crosses a limit locks that level for {@code lockSeconds · 2^(k-1)} (k = its lock-outs within a
 * day, at most {@code maxLockSeconds}).
 *
 * <p>What a lock answers differs on purpose. A locked <b>client IP</b> gets 429 with {@code Retry-After}: the IP is
 * the caller's own, telling it reveals nothing about anyone. A locked <b>account</b> is never told: the attempt is
 * refused without its password being checked, and {@link Sessions} answers it exactly as a wrong password (same
 * status, body and headers, and the same work: a dummy hash). A 429 there told an attacker that an e-mail and a phone
 * belong to one account (five failures on one, then a 429 on the other).
 *
 * <p>Why per account <em>and client</em>: with one account-wide lock, anybody could keep a victim locked out from
 * everywhere with five wrong passwords a window. Now a client locks only itself out of that account; the account is
 * locked for everyone only past {@code perAccount} attempts from all clients together (a distributed guesser, who then
 * gets that many guesses per window, each lock-out doubling). A success forgives the client's own failures (its count,
 * its lock-out level, and the same count in the account's), never other clients': a victim's login must not reset an
 * attacker's count. A success also gives its IP attempt back, so shared NATs are not locked by honest users.
 *
 * <p>Redis unavailable or slow → 503 with {@code Retry-After}: auth cannot enforce the limit, so it does not check
 * passwords (the one policy of every auth limiter, {@link LimiterRedis}).
 */
public final class LoginLimiter {
  private static final String PREFIX = "auth:login:";

  /** Attempts per window at each level, the window, the first and the longest lock-out (seconds). */
  public record Limits(int perClient, int perAccount, int perIp, int windowSeconds, int lockSeconds, int maxLockSeconds) {
  }

  /**
   * The limiter's decision on one attempt: go on to the password check, or not (the account is locked for this client
   * or for everyone, for {@code lockedSeconds} more).
   */
  public record Attempt(boolean admitted, long lockedSeconds) {
  }

  // KEYS: ip count, ip lock, ip level; account+client count, lock, level; account count, lock, level
  // ARGV: ip max, account+client max, account max, window s, base lock s, max lock s
  // Returns {0, 0} admitted; {1, s} the IP is locked for s seconds; {2, s} the account is locked (for this client or
  // for everyone) for s seconds. Every attempt from the IP counts, a locked account's too (each costs a dummy hash).
  static final String ATTEMPT = """
    local function remaining(lock)
      local t = redis.call('TTL', lock)
      if t > 0 then return t end
      return 0
    end
    local function count(key)
      local n = redis.call('INCR', key)
      if n == 1 then redis.call('EXPIRE', key, ARGV[4]) end
      return n
    end
    local function lock(countKey, lockKey, levelKey)
      local k = redis.call('INCR', levelKey)
      redis.call('EXPIRE', levelKey, 86400)
      local secs = math.floor(math.min(tonumber(ARGV[5]) * 2 ^ (k - 1), tonumber(ARGV[6])))
      redis.call('SET', lockKey, '1', 'EX', secs)
      redis.call('DEL', countKey)
      return secs
    end
    local ipWait = remaining(KEYS[2])
    if ipWait > 0 then return {1, ipWait} end
    if count(KEYS[1]) > tonumber(ARGV[1]) then return {1, lock(KEYS[1], KEYS[2], KEYS[3])} end
    local accountWait = math.max(remaining(KEYS[5]), remaining(KEYS[8]))
    if accountWait > 0 then return {2, accountWait} end
    if count(KEYS[4]) > tonumber(ARGV[2]) then return {2, lock(KEYS[4], KEYS[5], KEYS[6])} end
    if count(KEYS[7]) > tonumber(ARGV[3]) then
      redis.call('DECR', KEYS[4])
      return {2, lock(KEYS[7], KEYS[8], KEYS[9])}
    end
    return {0, 0}
    """;

  // KEYS: account+client count, account+client level, account count, ip count
  // The client's own failures leave the account's count too (never below zero, never a key without expiry).
  static final String SUCCEEDED = """
    local mine = tonumber(redis.call('GET', KEYS[1]) or '0')
    redis.call('DEL', KEYS[1], KEYS[2])
    if mine > 0 and redis.call('EXISTS', KEYS[3]) == 1 then
      if redis.call('DECRBY', KEYS[3], mine) <= 0 then redis.call('DEL', KEYS[3]) end
    end
    local n = tonumber(redis.call('GET', KEYS[4]) or '0')
    if n > 0 then redis.call('DECR', KEYS[4]) end
    return 0
    """;

  private static final RedisScript ATTEMPT_SCRIPT = RedisScript.of(ATTEMPT);
  private static final RedisScript SUCCEEDED_SCRIPT = RedisScript.of(SUCCEEDED);

  private final LimiterRedis redis;
  private final SecretKeySpec accountKey;
  private final Limits limits;

  /** {@code secret}: keys the digests of unknown identifiers, so a phone number cannot be recovered from a Redis key. */
  public LoginLimiter(Redis redis, String secret, Limits limits) {
    this.redis = new LimiterRedis(redis);
    this.accountKey = new SecretKeySpec(("login-limiter:" + secret).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.limits = limits;
  }

  /**
   * Counts one attempt for {@code account} (a user id, or a digest of an unknown identifier) from {@code ip}: admitted
   * to the password check, or not (the account is locked); fails with 429 RATE_LIMITED when the IP is locked.
   */
  public Future<Attempt> attempt(String account, String ip) {
    String i = PREFIX + "ip:" + ip;
    String c = client(account, ip);
    String a = PREFIX + "acct:" + account;
    return redis.run(ATTEMPT_SCRIPT, List.of(i, i + ":lock", i + ":level", c, c + ":lock", c + ":level", a, a + ":lock",
        a + ":level"), limits.perIp(), limits.perClient(), limits.perAccount(), limits.windowSeconds(), limits.lockSeconds(),
        limits.maxLockSeconds())
      .compose(r -> switch (r.get(0).toInteger()) {
        case 0 -> Future.succeededFuture(new Attempt(true, 0));
        case 1 -> Future.failedFuture(LimiterRedis.limited("too many failed logins, retry later", r.get(1).toLong()));
        default -> Future.succeededFuture(new Attempt(false, r.get(1).toLong()));
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

  /** The attempt's password was right: forget this client's failures on the account, give the IP its attempt back. */
  public Future<Void> succeeded(String account, String ip) {
    String c = client(account, ip);
    return redis.run(SUCCEEDED_SCRIPT, List.of(c, c + ":level", PREFIX + "acct:" + account, PREFIX + "ip:" + ip)).mapEmpty();
  }

  private static String client(String account, String ip) {
    return PREFIX + "acct:" + account + ":client:" + ip;
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
