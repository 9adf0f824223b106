package com.paysvc.auth.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One failure policy for every auth limiter: Redis refusing connections, or accepting them and never answering, makes
 * each limiter call fail with 503 DEPENDENCY_UNAVAILABLE and a retry hint, within the limiters' deadline — never a
 * pass (fail open) and never a wait without end.
 */
class LimiterPolicyTest {
  Vertx vertx;
  NetServer silent;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // Accepts connections and reads what it is sent, but never answers: a Redis that hangs.
    silent = await(vertx.createNetServer().connectHandler(socket -> socket.handler(buf -> { })).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    await(vertx.close(), 10);
  }

  @Test
  void redisRefusingConnectionsRefusesEveryAttempt() {
    everyLimiterCallRefuses(Redis.createClient(vertx, "redis://127.0.0.1:1/0"));
  }

  @Test
  void redisThatNeverAnswersRefusesEveryAttemptWithinTheDeadline() {
    everyLimiterCallRefuses(Redis.createClient(vertx, "redis://127.0.0.1:" + silent.actualPort() + "/0"));
  }

  private static void everyLimiterCallRefuses(Redis redis) {
    AttemptLimiter attempts = new AttemptLimiter(redis, "t:", 5, 60);
    LoginLimiter logins = new LoginLimiter(redis, "0123456789abcdef0123456789abcdef",
      new LoginLimiter.Limits(5, 20, 50, 900, 60, 3600));
    List<Supplier<Future<?>>> calls = List.of(
      () -> attempts.attempt("203.0.113.1"),
      () -> attempts.giveBack("203.0.113.1"),
      () -> logins.ipAllowed("203.0.113.1"),
      () -> logins.attempt("a-user", "203.0.113.1"),
      () -> logins.succeeded("a-user", "203.0.113.1"));
    for (Supplier<Future<?>> call : calls) {
      long t0 = System.nanoTime();
      try {
        await(call.get(), 10);
        fail("a limiter let an attempt through that it could not count");
      } catch (IllegalStateException e) {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        ApiException api = assertInstanceOf(ApiException.class, e.getCause());
        assertEquals(ErrorCode.DEPENDENCY_UNAVAILABLE, api.code());
        assertEquals(LimiterRedis.RETRY_AFTER_SECONDS, api.details().getInteger("retry_after_seconds"));
        assertTrue(ms < LimiterRedis.TIMEOUT_MS + 1500, "refused after " + ms + " ms");
      }
    }
  }
}
