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

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's in-memory revocation state against real Redis: a published revocation is enforced within a second
 * although no key exists (so memory, not Redis, rejected it); keys written before the view started, or while its
 * subscription was down, are loaded when it (re)subscribes; a view that cannot subscribe leaves the guard checking
 * Redis per request.
 */
class RevocationViewIT {
  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> keys = new ArrayList<>();
  private final List<JwtGuard> guards = new ArrayList<>();
  private TestTokens tokens;
  private Redis redis;
  private RevocationView view;
  private JwtGuard guard;
  private final String sub = "view-" + UUID.randomUUID();

  @BeforeEach
  void start() throws Exception {
    tokens = await(TestTokens.start(vertx));
    redis = Redis.createClient(vertx, options(6379));
    view = new RevocationView(vertx, Redis.createClient(vertx, options(6379).setMaxPoolSize(1)), redis, registry);
    guard = guard(view.start());
    assertTrue(eventually(5000, view::live), "the view never went live");
  }

  private static RedisOptions options(int port) {
    return new RedisOptions().setConnectionString("redis://127.0.0.1:" + port + "/0").setPassword(TestStack.env("REDIS_PASSWORD"));
  }

  private JwtGuard guard(RevocationView v) {
    JwtGuard g = new JwtGuard(new Jwks(vertx, tokens.env().get("JWKS_URL"), TestTokens.ISSUER, TestTokens.AUDIENCE, 0, 60_000),
      redis, v, CircuitBreaker.create("test-view-" + guards.size(), vertx, new CircuitBreakerOptions().setTimeout(1000)),
      new SimpleMeterRegistry());
    guards.add(g);
    return g;
  }

  @AfterEach
  void close() {
    for (String k : keys) {
      await(redis.send(Request.cmd(Command.DEL).arg(k)));
    }
    guards.forEach(g -> await(g.close()));
    await(vertx.close());
  }

  private static boolean rejected(Future<Caller> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get();
      return false;
    } catch (ExecutionException e) {
      return assertInstanceOf(ApiException.class, e.getCause()).code() == ErrorCode.UNAUTHORIZED;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private void publish(String key, long value, long expiresAt) {
    await(redis.send(Request.cmd(Command.PUBLISH).arg(RevocationView.CHANNEL).arg(RevocationView.message(key, value, expiresAt))));
  }

  private void set(String key, String value) {
    keys.add(key);
    await(redis.send(Request.cmd(Command.SET).arg(key).arg(value).arg("EX").arg(60)));
  }

  /** A view whose subscriber points at a port nothing listens on: never live. */
  private RevocationView deafView() {
    return new RevocationView(vertx, Redis.createClient(vertx, options(1).setMaxPoolSize(1)), redis, new SimpleMeterRegistry());
  }

  private double loads() {
    return registry.get("paysvc_auth_revocation_view_loads").counter().count();
  }

  @Test
  void aPublishedRevocationIsEnforcedFromMemoryWithinASecond() throws Exception {
    JsonObject claims = tokens.claims(sub, List.of());
    String token = tokens.sign(claims);
    assertFalse(rejected(guard.authenticate(token)));
    assertTrue(guard.revocationsInMemory());
    long now = System.currentTimeMillis() / 1000;
    long sent = System.nanoTime();
    // Only published, never written: if the token is rejected, the guard's memory rejected it.
    publish(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")), 1, now + 120);
    assertTrue(eventually(1000, () -> rejected(guard.authenticate(token))), "not rejected within 1 s");
    assertTrue(System.nanoTime() - sent < 1_000_000_000L);
    assertEquals(0, await(redis.send(Request.cmd(Command.EXISTS)
      .arg(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti"))))).toInteger());
  }

  @Test
  void aNotBeforeTimeRejectsItsSecondAndEarlierButNotLater() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String sameSecond = tokens.sign(tokens.claims(sub, List.of()).put("iat", now).put("exp", now + 300));
    String later = tokens.sign(tokens.claims(sub, List.of()).put("iat", now + 1).put("exp", now + 300));
    publish(JwtGuard.userNotBeforeKey(sub), now, now + 600);
    assertTrue(eventually(1000, () -> rejected(guard.authenticate(sameSecond))));
    assertFalse(rejected(guard.authenticate(later)));
    // A lower not-before time never lowers the one held.
    publish(JwtGuard.userNotBeforeKey(sub), now - 100, now + 600);
    String sessionToken = tokens.sign(tokens.claims(sub, List.of()).put("sid", "s-" + sub));
    publish(JwtGuard.revokedSessionKey("s-" + sub), 1, now + 600);
    assertTrue(eventually(1000, () -> rejected(guard.authenticate(sessionToken))), "an ended session's token");
    assertTrue(rejected(guard.authenticate(sameSecond)));
  }

  @Test
  void aKeyWithSpacesAndAMessageNotUnderstoodAreHandled() throws Exception {
    String issuer = "an issuer with spaces";
    publish("garbage", 1, 0);
    await(redis.send(Request.cmd(Command.PUBLISH).arg(RevocationView.CHANNEL).arg("no numbers here")));
    String jti = "j-" + UUID.randomUUID();
    publish(JwtGuard.revokedKey(issuer, jti), 1, System.currentTimeMillis() / 1000 + 60);
    assertTrue(eventually(1000, () -> view.revoked(issuer, jti, null, sub, 0)), "a key with spaces");
    assertFalse(view.revoked(TestTokens.ISSUER, jti, null, sub, 0));
    assertTrue(view.live(), "junk on the channel does not take the view down");
  }

  @Test
  void keysWrittenBeforeTheViewStartedAreLoaded() throws Exception {
    JsonObject claims = tokens.claims(sub, List.of());
    String token = tokens.sign(claims);
    set(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")), "1");
    RevocationView fresh = new RevocationView(vertx, Redis.createClient(vertx, options(6379).setMaxPoolSize(1)), redis,
      new SimpleMeterRegistry());
    JwtGuard g = guard(fresh.start());
    assertTrue(eventually(5000, fresh::live));
    // Gone from Redis now: the view has it from its load.
    await(redis.send(Request.cmd(Command.DEL).arg(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")))));
    assertTrue(rejected(g.authenticate(token)));
  }

  @Test
  void aDroppedSubscriptionIsResumedAndWhatWasWrittenMeanwhileIsLoaded() throws Exception {
    JsonObject claims = tokens.claims(sub, List.of());
    String token = tokens.sign(claims);
    assertFalse(rejected(guard.authenticate(token)));
    double before = loads();
    await(redis.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")));
    // Written, not published, while the view is away (it waits 500 ms before resubscribing).
    set(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")), "1");
    assertTrue(eventually(5000, () -> loads() > before && view.live()), "not resubscribed and reloaded");
    await(redis.send(Request.cmd(Command.DEL).arg(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")))));
    assertTrue(rejected(guard.authenticate(token)), "the key written while the subscription was down");
  }

  @Test
  void withoutASubscriptionTheGuardAsksRedisPerRequest() throws Exception {
    RevocationView deaf = deafView();
    JwtGuard g = guard(deaf.start());
    JsonObject claims = tokens.claims(sub, List.of());
    String token = tokens.sign(claims);
    assertFalse(rejected(g.authenticate(token)));
    assertFalse(g.revocationsInMemory());
    set(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")), "1");
    assertTrue(rejected(g.authenticate(token)));
  }

  /**
   * A view that is not live (its subscription down, or not loaded again yet) still knows what it learned before:
   * Redis answering "not revoked" after it lost its keys (a flush, a restart without its file) does not override that.
   */
  @Test
  void whileTheSubscriptionIsDownWhatMemoryKnowsStillRejects() throws Exception {
    RevocationView deaf = deafView();
    JwtGuard g = guard(deaf.start());
    JsonObject claims = tokens.claims(sub, List.of());
    String token = tokens.sign(claims);
    String other = tokens.sign(tokens.claims(sub, List.of()));
    deaf.add(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")), 1, System.currentTimeMillis() + 60_000);
    assertFalse(g.revocationsInMemory());
    assertEquals(0, await(redis.send(Request.cmd(Command.EXISTS)
      .arg(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti"))))).toInteger());
    assertTrue(rejected(g.authenticate(token)), "Redis has no key, memory has the revocation");
    assertFalse(rejected(g.authenticate(other)), "a token memory knows nothing of is admitted");
  }
}
