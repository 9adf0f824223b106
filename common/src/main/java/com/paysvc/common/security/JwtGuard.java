package com.paysvc.common.security;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Config;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.redis.RedisFactory;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * Verifies access tokens issued by auth: ES256 only (the header is checked before any key is touched, so
 * {@code alg: none} and HS256 forgeries fail), signature against auth's JWKS, {@code iss}, {@code aud} and
 * {@code exp}; then auth's revocation state in Redis (db 0): the token's {@code (iss, jti)} deny-list entry, its
 * session's entry (a logout ends every token of the session) and the user's not-before time (tokens issued before
 * a deactivation or logout-everywhere are rejected).
 *
 * <p>An ES256 verification costs ~1 ms of CPU, which capped a cached read at a few hundred requests per second
 * per core. So a verified token is remembered (by its exact bytes) until its {@code exp}, for as long as the key
 * set that verified it is current and not older than the JWKS max age; the revocation check still runs on every
 * request.
 *
 * <p>The revocation state is held in memory ({@link RevocationView}, fed by auth over Redis pub/sub), so a request
 * costs no Redis round trip for it; while that view is not live (subscription down, loading) each request reads the
 * keys from Redis as below, and what memory already holds rejects too (Redis may have lost it meanwhile).
 *
 * <p>Revocation is a hardening on top of short-lived tokens: when Redis is down or slow the per-request check is
 * replaced by what memory holds (counted and logged through a breaker) for reads, rather than failing every request
 * of the platform; a write
 * (any method but GET, HEAD, OPTIONS) whose caller's revocation state is unknown is refused with 503
 * DEPENDENCY_UNAVAILABLE, so a logged-out or deactivated caller cannot change data during the outage.
 */
public final class JwtGuard implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(JwtGuard.class);

  /** Redis db 0 keys written by auth: {@code auth:revoked:{iss}:{jti}} (any value) and {@code auth:user_nbf:{sub}} (epoch seconds). */
  public static String revokedKey(String issuer, String jti) {
    return REVOKED_PREFIX + issuer + ":" + jti;
  }

  public static String userNotBeforeKey(String userId) {
    return USER_NBF_PREFIX + userId;
  }

  /** A session (refresh-token family) that ended: every access token carrying its {@code sid} is revoked. */
  public static String revokedSessionKey(String sessionId) {
    return REVOKED_SESSION_PREFIX + sessionId;
  }

  static final String REVOKED_PREFIX = "auth:revoked:";
  static final String REVOKED_SESSION_PREFIX = "auth:revoked_session:";
  static final String USER_NBF_PREFIX = "auth:user_nbf:";

  /** The JOSE {@code typ} of access tokens (RFC 9068). */
  public static final String ACCESS_TOKEN_TYPE = "at+jwt";

  private static final Set<HttpMethod> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  /**
   * Distinct live tokens remembered. A service sees one token per active caller per token lifetime (minutes), so
   * 50k covers a busy hour with room; an entry is ~1 KB, so the bound is ~50 MB at worst.
   */
  private static final int VERIFIED_TOKENS_MAX = 50_000;

  /** What verification proved about a token; {@code keys} is the key set that checked its signature. */
  private record Verified(Caller caller, String issuer, long issuedAt, long expiresAtMs, Jwks.Snapshot keys,
                          Future<Caller> admitted) {
    Verified(Caller caller, String issuer, long issuedAt, long expiresAtMs, Jwks.Snapshot keys) {
      // Built once per token: an admitted request of a remembered token allocates no future.
      this(caller, issuer, issuedAt, expiresAtMs, keys, Future.succeededFuture(caller));
    }
  }

  /**
   * A token as the key of the remembered ones, hashed by its last characters: those are its signature, so they
   * differ between any two tokens. String.hashCode walks all of a token's ~600 characters, and a request's token is a
   * new string each time (its hash never cached): that walk was most of the lookup's cost on a cached read. Equality
   * still compares the whole token.
   */
  static final class TokenKey {
    private static final int HASHED_TAIL = 16;
    private final String token;
    private final int hash;

    TokenKey(String token) {
      this.token = token;
      int h = token.length();
      for (int i = Math.max(0, token.length() - HASHED_TAIL); i < token.length(); i++) {
        h = 31 * h + token.charAt(i);
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TokenKey k && k.hash == hash && k.token.equals(token);
    }
  }

  private final Jwks jwks;
  private final Cache<TokenKey, Verified> verified;
  private final Redis authRedis;
  /** Null: every request asks Redis (tests of the per-request check). */
  private final RevocationView view;
  private final CircuitBreaker revocationBreaker;
  private final Counter revocationSkipped;
  private final Counter writesRefused;
  private final Counter rejected;

  JwtGuard(Jwks jwks, Redis authRedis, RevocationView view, CircuitBreaker breaker, MeterRegistry registry) {
    this.jwks = jwks;
    this.view = view;
    // Maintenance (draining the read buffers, expiry, eviction) on the thread that triggers it: Caffeine's default,
    // ForkJoinPool.commonPool, was woken every few reads (a task handed over and a parked worker unparked), ~5 % of
    // users' CPU on cached reads (async-profiler, 15,000 req/s); the drain itself is a few hundred nanoseconds.
    this.verified = Caffeine.newBuilder()
      .executor(Runnable::run)
      .maximumSize(VERIFIED_TOKENS_MAX)
      .expireAfter(Expiry.creating((TokenKey token, Verified v) ->
        Duration.ofMillis(Math.max(0, v.expiresAtMs() - System.currentTimeMillis()))))
      .recordStats()
      .build();
    CaffeineCacheMetrics.monitor(registry, verified, "jwt_verified_tokens");
    this.authRedis = authRedis;
    this.revocationBreaker = breaker;
    this.revocationSkipped = Counter.builder("paysvc_auth_revocation_check_skipped")
      .description("requests admitted without the deny-list check because Redis was unavailable").register(registry);
    this.writesRefused = Counter.builder("paysvc_auth_revocation_unknown_writes_refused")
      .description("writes refused with 503 because the caller's revocation state could not be read").register(registry);
    this.rejected = Counter.builder("paysvc_auth_rejected").description("requests rejected by the JWT guard").register(registry);
  }

  /** One guard per service (shared by its event loops); opens its own small Redis client on auth's db. */
  public static JwtGuard create(Vertx vertx, Config config, MeterRegistry registry) {
    Jwks jwks = new Jwks(vertx, config.get(GuardSettings.JWKS_URL), config.get(GuardSettings.JWT_ISSUER),
      config.get(GuardSettings.JWT_AUDIENCE), config.get(GuardSettings.JWKS_REFRESH_MIN_SECONDS) * 1000L,
      config.get(GuardSettings.JWKS_MAX_AGE_SECONDS) * 1000L);
    String host = config.get(GuardSettings.AUTH_REDIS_HOST);
    String redisHost = host.isEmpty() ? config.get(CommonSettings.REDIS_HOST) : host;
    int redisPort = config.get(GuardSettings.AUTH_REDIS_PORT);
    Redis redis = RedisFactory.create(vertx, config, redisHost, redisPort, config.get(GuardSettings.AUTH_REDIS_DB),
      "redis-revocation");
    return create(vertx, registry, jwks, redis, RedisFactory.subscriber(vertx, config, redisHost, redisPort,
      "redis-revocation-subscription"));
  }

  /**
   * The guard of auth itself: the keys are its own published set ({@code jwks}, fixed while it runs), not fetched
   * over HTTP; everything else (header, claims, revocation) is checked as in every other service.
   */
  public static JwtGuard createWithKeys(Vertx vertx, Config config, MeterRegistry registry, JsonObject jwks,
                                        int redisPort, int redisDb) {
    String host = config.get(CommonSettings.REDIS_HOST);
    return create(vertx, registry, new Jwks(vertx, () -> Future.succeededFuture(jwks), "auth's own keys",
      config.get(GuardSettings.JWT_ISSUER), config.get(GuardSettings.JWT_AUDIENCE), 0, Long.MAX_VALUE / 2),
      RedisFactory.create(vertx, config, host, redisPort, redisDb, "redis-revocation"),
      RedisFactory.subscriber(vertx, config, host, redisPort, "redis-revocation-subscription"));
  }

  private static JwtGuard create(Vertx vertx, MeterRegistry registry, Jwks jwks, Redis redis, Redis subscriber) {
    CircuitBreaker breaker = CircuitBreaker.create("auth-revocation", vertx, new CircuitBreakerOptions()
        .setTimeout(250).setMaxFailures(3).setResetTimeout(5000))
      .openHandler(v -> log.warn("revocation breaker open: tokens are not checked against the deny-list"))
      .closeHandler(v -> log.info("revocation breaker closed"));
    RevocationView view = new RevocationView(vertx, subscriber, redis, registry).start();
    return new JwtGuard(jwks, redis, view, breaker, registry);
  }

  public Future<Void> close() {
    revocationBreaker.close();
    return Future.join(view == null ? Future.succeededFuture() : view.close(), authRedis.close()).mapEmpty();
  }

  /** Whether revocations are checked in memory now (else per request in Redis). */
  public boolean revocationsInMemory() {
    return view != null && view.live();
  }

  @Override
  public void handle(RoutingContext rc) {
    if (rc.get(Caller.KEY) != null) {
      // Already verified by an earlier route of this request (e.g. before an upload's BodyHandler).
      rc.next();
      return;
    }
    String header = rc.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
      reject(rc, "missing bearer token");
      return;
    }
    boolean safe = SAFE_METHODS.contains(rc.request().method());
    authenticate(header.substring(7).trim(), safe)
      .onSuccess(caller -> {
        rc.put(Caller.KEY, caller);
        rc.next();
      })
      .onFailure(err -> {
        if (err instanceof ApiException api && api.code() == ErrorCode.UNAUTHORIZED) {
          rejected.increment();
        }
        rc.fail(err);
      });
  }

  /**
   * The caller a bearer token proves, or an UNAUTHORIZED failure; DEPENDENCY_UNAVAILABLE without keys, or for a
   * write ({@code safe} false) while the revocation state cannot be read.
   */
  Future<Caller> authenticate(String token, boolean safe) {
    return verify(token).compose(v -> checkRevocation(v, safe));
  }

  Future<Caller> authenticate(String token) {
    return authenticate(token, true);
  }

  private void reject(RoutingContext rc, String why) {
    rejected.increment();
    rc.fail(new ApiException(ErrorCode.UNAUTHORIZED, why));
  }

  /**
   * Decodes the JOSE header only: the algorithm must be ES256, the type an access token's (RFC 9068 §4:
   * {@code at+jwt}, so an ID token or another JWT signed by the same key is not taken for one) and a kid must name
   * the key.
   */
  static String es256Kid(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) < 0) {
      throw new IllegalArgumentException("malformed token");
    }
    JsonObject header;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed token");
    }
    if (!"ES256".equals(header.getValue("alg"))) {
      throw new IllegalArgumentException("token algorithm not allowed");
    }
    if (!(header.getValue("typ") instanceof String typ)
      || !(typ.equalsIgnoreCase(ACCESS_TOKEN_TYPE) || typ.equalsIgnoreCase("application/" + ACCESS_TOKEN_TYPE))) {
      throw new IllegalArgumentException("not an access token (typ must be at+jwt)");
    }
    Object kid = header.getValue("kid");
    if (!(kid instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("token has no key id");
    }
    return s;
  }

  /**
   * The signature and claims of {@code token}: from memory when this exact token was verified under the key set
   * still in use and not older than the JWKS max age; a stale key set is re-fetched first.
   */
  private Future<Verified> verify(String token) {
    TokenKey key = new TokenKey(token);
    Verified hit = verified.getIfPresent(key);
    if (hit == null || System.currentTimeMillis() >= hit.expiresAtMs()) {
      return verifySignature(key);
    }
    if (hit.keys() == jwks.currentIfFresh()) {
      return Future.succeededFuture(hit);
    }
    // Key set old or replaced: a re-fetch that returns the same keys (or fails, keeping them) keeps the snapshot.
    return jwks.fresh().compose(snap -> snap == hit.keys() ? Future.succeededFuture(hit) : verifySignature(key),
      err -> verifySignature(key));
  }

  private Future<Verified> verifySignature(TokenKey key) {
    String token = key.token;
    String kid;
    try {
      kid = es256Kid(token);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, e.getMessage()));
    }
    return jwks.forKid(kid)
      .compose(snap -> {
        if (!snap.kids().contains(kid)) {
          return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token signed with an unknown key"));
        }
        Future<User> checked;
        try {
          checked = snap.verifier().authenticate(new TokenCredentials(token));
        } catch (RuntimeException e) {
          // vertx-auth-jwt throws (instead of failing) on some malformed claims, e.g. "exp": null.
          checked = Future.failedFuture(e);
        }
        return checked
          .recover(err -> Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid token")))
          .compose(user -> verifiedClaims(user, snap));
      }, err -> Future.failedFuture(new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE, "cannot load auth's signing keys")))
      .onSuccess(v -> verified.put(key, v));
  }

  private static Future<Verified> verifiedClaims(User user, Jwks.Snapshot keys) {
    // vertx-auth-jwt keeps the verified payload in the "accessToken" attribute; the principal holds the raw token.
    JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
    String sub = claims.getString("sub");
    String jti = claims.getString("jti");
    Object iat = claims.getValue("iat");
    Object exp = claims.getValue("exp");
    // vertx-auth-jwt checks exp only when the claim is present: a token without it would never expire.
    if (sub == null || jti == null || !(iat instanceof Number issuedAt) || !(exp instanceof Number expiresAt)) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token lacks sub, jti, iat or exp"));
    }
    Set<String> roles = new HashSet<>();
    if (claims.getValue("roles") instanceof JsonArray arr) {
      arr.forEach(r -> {
        if (r instanceof String s) {
          roles.add(s);
        }
      });
    }
    // RFC 9068 §2.2.3 / RFC 8693: "scope" is one space-separated string.
    Set<String> scopes = claims.getValue("scope") instanceof String s && !s.isBlank()
      ? Set.of(s.trim().split(" +")) : Set.of();
    String sid = claims.getValue("sid") instanceof String s ? s : null;
    Caller caller = new Caller(sub, Set.copyOf(roles), scopes, jti, sid, issuedAt.longValue(), expiresAt.longValue());
    return Future.succeededFuture(new Verified(caller, claims.getString("iss"), issuedAt.longValue(),
      expiresAt.longValue() * 1000, keys));
  }

  private static final Future<Caller> REVOKED =
    Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token revoked"));

  private Future<Caller> checkRevocation(Verified token, boolean safe) {
    Caller caller = token.caller();
    if (view != null && view.live()) {
      return view.revoked(token.issuer(), caller.jti(), caller.sessionId(), caller.subject(), token.issuedAt())
        ? REVOKED : token.admitted();
    }
    String issuer = token.issuer();
    String sub = caller.subject();
    String jti = caller.jti();
    long iat = token.issuedAt();
    Request mget = Request.cmd(Command.MGET).arg(revokedKey(issuer, jti)).arg(userNotBeforeKey(sub));
    if (caller.sessionId() != null) {
      mget.arg(revokedSessionKey(caller.sessionId()));
    }
    return revocationBreaker.<Response>execute(() -> authRedis.send(mget))
      .transform(ar -> {
        if (ar.failed()) {
          if (!safe) {
            writesRefused.increment();
            return Future.failedFuture(new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE,
              "cannot check whether the token was revoked: writes are refused until it can be checked"));
          }
          revocationSkipped.increment();
          log.debug("revocation check in Redis skipped: {}", ar.cause().toString());
          // What memory last knew (empty if the view never loaded) is better than nothing.
          return view != null && view.revoked(issuer, jti, caller.sessionId(), sub, iat) ? REVOKED
            : Future.succeededFuture(caller);
        }
        Response r = ar.result();
        if (r.get(0) != null || (r.size() > 2 && r.get(2) != null)) {
          return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token revoked"));
        }
        // auth writes the second of the revocation; a token issued in that same second may predate it, so
        // iat <= nbf is revoked (auth issues later tokens with iat > nbf). A value that is not a number rejects.
        Response nbf = r.get(1);
        if (nbf != null && iat <= parseLong(nbf.toString())) {
          return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "token revoked"));
        }
        // Memory only ever gains entries, so what it holds still stands when Redis lost it (a flush, a restart
        // without its file) while the subscription is down or not yet loaded again.
        return view != null && view.revoked(issuer, jti, caller.sessionId(), sub, iat) ? REVOKED
          : Future.succeededFuture(caller);
      });
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
