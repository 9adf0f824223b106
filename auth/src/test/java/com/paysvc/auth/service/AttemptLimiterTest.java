package com.paysvc.auth.service;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;


import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttemptLimiterTest {
  /** Redis down: attempts are neither blocked nor failing (the limit is a brake, not a gate). */
  @Test
  void redisDownLetsAttemptsThrough() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Redis nowhere = Redis.createClient(vertx, "redis://127.0.0.1:1/0");
      AttemptLimiter limiter = new AttemptLimiter(nowhere, "t:", 1, 60);
      for (int i = 0; i < 3; i++) {
        assertTrue(await(limiter.record("ip"), 5) == null);
        await(limiter.check("ip"), 5);
      }
    } finally {
      await(vertx.close(), 10);
    }
  }
}
