package com.paysvc.common.security;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.testing.TestStack;
import com.paysvc.testing.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The guard's revocation check against real Redis (db 0): the deny-list entry of (iss, jti), and the user's
 * not-before time: {@code iat <= nbf} is revoked (a token of the very second of a deactivation may predate it), a
 * later iat is not, and a value that is not a number rejects rather than admits. A write whose revocation state
 * cannot be read is refused; a read is admitted.
 */
class JwtGuardRevocationIT {
  private final Vertx vertx = Vertx.vertx();
  private TestTokens tokens;
  private Redis redis;
  private JwtGuard guard;
  private final String sub = "nbf-" + UUID.randomUUID();

  @BeforeEach
  void start() {
    tokens = await(TestTokens.start(vertx));
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:6379/0").setPassword(TestStack.env("REDIS_PASSWORD")));
    Jwks jwks = new Jwks(vertx, tokens.env().get("JWKS_URL"), TestTokens.ISSUER, TestTokens.AUDIENCE, 0, 60_000);
    guard = new JwtGuard(jwks, redis, null, CircuitBreaker.create("test-revocation", vertx, new CircuitBreakerOptions().setTimeout(1000)),
      new SimpleMeterRegistry());
  }

  @AfterEach
  void close() {
    await(redis.send(Request.cmd(Command.DEL).arg(JwtGuard.userNotBeforeKey(sub))));
    await(guard.close());
    await(vertx.close());
  }

  private String tokenIssuedAt(long iat) {
    return tokens.sign(tokens.claims(sub, List.of()).put("iat", iat).put("exp", iat + 300));
  }

  private void nbf(String value) {
    await(redis.send(Request.cmd(Command.SET).arg(JwtGuard.userNotBeforeKey(sub)).arg(value).arg("EX").arg(60)));
  }

  private static ErrorCode refusal(Future<Caller> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.toCompletionStage().toCompletableFuture().get());
    return assertInstanceOf(ApiException.class, e.getCause()).code();
  }

  @Test
  void notBeforeRejectsTheSameSecondAndEarlierButNotLater() {
    long now = System.currentTimeMillis() / 1000;
    String sameSecond = tokenIssuedAt(now);
    String earlier = tokenIssuedAt(now - 10);
    String later = tokenIssuedAt(now + 1);
    for (String t : List.of(sameSecond, earlier, later)) {
      assertEquals(sub, await(guard.authenticate(t)).subject(), "no not-before yet");
    }
    nbf(Long.toString(now));
    assertEquals(ErrorCode.UNAUTHORIZED, refusal(guard.authenticate(sameSecond)), "iat == nbf is revoked");
    assertEquals(ErrorCode.UNAUTHORIZED, refusal(guard.authenticate(earlier)));
    assertEquals(sub, await(guard.authenticate(later)).subject(), "issued after the cut-off");
  }

  @Test
  void anUnparseableNotBeforeRejects() {
    String token = tokenIssuedAt(System.currentTimeMillis() / 1000);
    for (String junk : List.of("soon", "", "1e9", "12 34")) {
      nbf(junk);
      assertEquals(ErrorCode.UNAUTHORIZED, refusal(guard.authenticate(token)), "nbf '" + junk + "'");
    }
  }

  @Test
  void aDeniedJtiIsRejected() {
    JsonObject claims = tokens.claims(sub, List.of());
    String token = tokens.sign(claims);
    assertEquals(sub, await(guard.authenticate(token)).subject());
    String key = JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti"));
    await(redis.send(Request.cmd(Command.SET).arg(key).arg("1").arg("EX").arg(60)));
    try {
      assertEquals(ErrorCode.UNAUTHORIZED, refusal(guard.authenticate(token)));
    } finally {
      await(redis.send(Request.cmd(Command.DEL).arg(key)));
    }
  }

  @Test
  void withoutRedisReadsAreAdmittedAndWritesRefused() {
    Redis unreachable = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:1/0"));
    JwtGuard blind = new JwtGuard(new Jwks(vertx, tokens.env().get("JWKS_URL"), TestTokens.ISSUER, TestTokens.AUDIENCE, 0, 60_000),
      unreachable, null, CircuitBreaker.create("test-blind", vertx, new CircuitBreakerOptions().setTimeout(500)), new SimpleMeterRegistry());
    try {
      String token = tokens.admin();
      assertEquals("admin", await(blind.authenticate(token, true)).roles().iterator().next());
      assertEquals(ErrorCode.DEPENDENCY_UNAVAILABLE, refusal(blind.authenticate(token, false)));
    } finally {
      await(blind.close());
    }
  }
}
