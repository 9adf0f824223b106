package com.paysvc.common.security;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.testing.TestStack;
import com.paysvc.testing.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's memory of verified tokens is bounded by the JWKS max age: once the key set is older, a remembered
 * token is only accepted again if a re-fetch still lists the key that signed it (real Redis for the deny-list).
 */
class JwtGuardMemoryIT {
  // Long enough for the first fetch, Redis connect and key generation on a slow machine; short enough to wait out.
  private static final long MAX_AGE_MS = 2000;
  private final Vertx vertx = Vertx.vertx();
  private TestTokens tokens;
  private Redis redis;
  private JwtGuard guard;

  @BeforeEach
  void start() {
    tokens = await(TestTokens.start(vertx));
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:6379/0").setPassword(TestStack.env("REDIS_PASSWORD")));
    Jwks jwks = new Jwks(vertx, tokens.env().get("JWKS_URL"), TestTokens.ISSUER, TestTokens.AUDIENCE, 0, MAX_AGE_MS);
    guard = new JwtGuard(jwks, redis, null, CircuitBreaker.create("test-revocation", vertx, new CircuitBreakerOptions().setTimeout(1000)),
      new SimpleMeterRegistry());
  }

  @AfterEach
  void close() {
    await(guard.close());
    await(vertx.close());
  }

  @Test
  void aRememberedTokenIsDroppedWhenTheAgedKeySetNoLongerListsItsKey() throws Exception {
    String old = tokens.admin();
    await(guard.authenticate(old));
    await(guard.authenticate(old));
    assertEquals(1, tokens.jwksRequests(), "the second check is answered from memory");

    tokens.rotate();
    tokens.dropRetired();
    // Until the key set is older than the max age the remembered verification stands (that is the bound) ...
    await(guard.authenticate(old));
    assertEquals(1, tokens.jwksRequests());
    // ... after it, the set is re-fetched on the next use and the token's key is gone.
    Thread.sleep(MAX_AGE_MS + 100);
    ApiException denied = assertInstanceOf(ApiException.class,
      assertThrows(ExecutionException.class, () -> guard.authenticate(old).toCompletionStage().toCompletableFuture().get()).getCause());
    assertEquals(ErrorCode.UNAUTHORIZED, denied.code());
    // (re-fetched for its age, then once more for the now unknown kid: refresh-min is 0 here)
    assertTrue(tokens.jwksRequests() >= 2);
    await(guard.authenticate(tokens.admin()));
  }
}
