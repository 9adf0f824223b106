package com.paysvc.users;

import com.paysvc.testing.TcpProxy;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache's Redis hangs (connections open, no answers) rather than goes away: reads and writes keep working from
 * Postgres behind the cache's timeout and breaker, and once Redis answers again no stale entry is served (the
 * write's invalidation was kept and is replayed).
 */
class SlowRedisIT extends UsersTestBase {
  private static final TcpProxy redisProxy = new TcpProxy(6379);

  @Override
  protected Map<String, String> extraEnv() {
    // Only the cache hangs: auth's deny-list stays reachable (a write whose revocation is unknown would be refused).
    return Map.of("REDIS_PORT", Integer.toString(redisProxy.port()), "AUTH_REDIS_PORT", "6379");
  }

  @AfterAll
  static void closeProxy() {
    redisProxy.close();
  }

  @Test
  void readsAndWritesWorkWhileRedisHangsAndNothingStaleIsServedAfter() throws InterruptedException {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
    assertTrue(cached("user_by_identifier:" + phone), "cached before Redis hangs");

    redisProxy.stall();
    try {
      for (int i = 0; i < 5; i++) {
        assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
        assertEquals(id, assertOk(get("/accounts/users/" + id), 200).getString("id"));
      }
      assertEquals("Slow", assertOk(patch("/accounts/users/" + id,
        new JsonObject().put("profile", new JsonObject().put("name", "Slow"))), 200).getJsonObject("profile").getString("name"));
      assertEquals("Slow", assertOk(get(byIdentifier(phone)), 200).getJsonObject("profile").getString("name"));
    } finally {
      redisProxy.resume();
    }
    assertTrue(metric("paysvc_users_cache_invalidation_deferred_total") >= 1, "the invalidation was kept for replay");
    // From the moment Redis answers again: the entry cached before the write is never served.
    long until = System.currentTimeMillis() + 4000;
    while (System.currentTimeMillis() < until) {
      assertEquals("Slow", assertOk(get(byIdentifier(phone)), 200).getJsonObject("profile").getString("name"));
      Thread.sleep(100);
    }
    assertTrue(eventually(10_000, () -> cached("user_by_identifier:" + phone)), "cached again");
    assertEquals("Slow", assertOk(get(byIdentifier(phone)), 200).getJsonObject("profile").getString("name"));
  }
}
