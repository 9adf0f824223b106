package com.paysvc.users;

import com.paysvc.testing.TcpProxy;
import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
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
  private static final TcpProxy redisProxy = new TcpProxy(TestStack.REDIS_CACHE_PORT);

  @Override
  protected Map<String, String> extraEnv() {
    // Only the cache hangs: auth's deny-list stays reachable (a write whose revocation is unknown would be refused).
    return Map.of("REDIS_PORT", Integer.toString(redisProxy.port()), "AUTH_REDIS_PORT", Integer.toString(TestStack.REDIS_STATE_PORT));
  }

  @AfterAll
  static void closeProxy() {
    redisProxy.close();
  }

  /**
   * While Redis hangs the write's invalidation (and its written marker) cannot reach it, so nothing in Redis says
   * the replica's row is older than the write: the instance's own deferred invalidation does. WAL replay stays paused
   * on the replica across the write and the reads, so they can only be right by going to the primary.
   */
  @Test
  void readsAndWritesWorkWhileRedisHangsAndNothingStaleIsServedAfter() throws Exception {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
    assertTrue(cached("user_by_identifier:" + phone), "cached before Redis hangs");

    try (Connection replica = TestStack.replicaSuperuser(database); Statement sql = replica.createStatement()) {
      assertTrue(eventually(15_000, () -> "T".equals(text(sql, "SELECT profile->>'name' FROM accounts.users WHERE id = '"
        + id + "'"))), "precondition: the replica has the user");
      redisProxy.stall();
      // Patroni resumes a paused replay on its next loop unless the cluster is in maintenance mode.
      TestStack.stack("patronictl", "pause", "--wait");
      sql.execute("SELECT pg_wal_replay_pause()");
      try {
        for (int i = 0; i < 5; i++) {
          assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
          assertEquals(id, assertOk(get("/accounts/users/" + id), 200).getString("id"));
        }
        assertEquals("Slow", assertOk(patch("/accounts/users/" + id,
          new JsonObject().put("profile", new JsonObject().put("name", "Slow"))), 200).getJsonObject("profile").getString("name"));
        assertEquals("Slow", assertOk(get(byIdentifier(phone)), 200).getJsonObject("profile").getString("name"));
        assertEquals("Slow", assertOk(get("/accounts/users/" + id), 200).getJsonObject("profile").getString("name"));
        assertEquals("T", text(sql, "SELECT profile->>'name' FROM accounts.users WHERE id = '" + id + "'"),
          "the replica was still behind the write");
      } finally {
        sql.execute("SELECT pg_wal_replay_resume()");
        TestStack.stack("patronictl", "resume", "--wait");
        redisProxy.resume();
      }
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
