package com.paysvc.users;

import com.paysvc.common.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redis and the replica are optional for reads: their outage costs latency, never an error. */
class ResilienceTest extends UsersTestBase {

  @Override
  protected Map<String, String> extraEnv() {
    // Short breaker reset so the replica is tried again soon after it is back.
    return Map.of("PG_REPLICA_RESET_MS", "500");
  }

  @Test
  void readsAndWritesWorkWithoutRedis() {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    assertOk(get(byIdentifier(phone)), 200);
    TestStack.stack("redis-stop");
    try {
      for (int i = 0; i < 5; i++) {
        assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
        assertEquals(id, assertOk(get("/accounts/users/" + id), 200).getString("id"));
      }
      assertEquals(200, get("/accounts/user-groups").statusCode());
      assertEquals("R", assertOk(patch("/accounts/users/" + id,
        new JsonObject().put("profile", new JsonObject().put("name", "R"))), 200).getJsonObject("profile").getString("name"));
      assertEquals("R", assertOk(get(byIdentifier(phone)), 200).getJsonObject("profile").getString("name"));
    } finally {
      TestStack.stack("redis-start");
    }
  }

  @Test
  void readsWorkWithoutTheReplica() throws InterruptedException {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    String replica = TestStack.stack("pg-replica");
    TestStack.stack("pg-stop", replica);
    try {
      for (int i = 0; i < 5; i++) {
        // A fresh identifier each time: a miss that must be served by Postgres, not by the cache.
        assertError(get(byIdentifier("nobody_" + randomToken())), 404, "NOT_FOUND");
        assertEquals(id, assertOk(get("/accounts/users/" + id), 200).getString("id"));
      }
      assertOk(get("/accounts/users?page=1&size=5"), 200);
    } finally {
      TestStack.stack("pg-start", replica);
    }
    assertTrue(TestStack.eventually(30_000, () -> get(byIdentifier(phone)).statusCode() == 200));
  }
}
