package com.paysvc.users;

import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis and the replica are optional for reads: their outage costs latency, never an error. Writes wait for Redis:
 * while auth's revocation state (Redis db 0) cannot be read, the guard refuses them (a logged-out or deactivated
 * caller must not change data unchecked).
 */
class ResilienceIT extends UsersTestBase {

  @Override
  protected Map<String, String> extraEnv() {
    // Short breaker reset so the replica is tried again soon after it is back.
    return Map.of("PG_REPLICA_RESET_MS", "500");
  }

  @Test
  void readsWorkWithoutRedisAndWritesAreRefusedUntilItIsBack() throws InterruptedException {
    String phone = randomPhone();
    JsonObject user = createUser(phone, null, null);
    String id = user.getString("id");
    String contactId = user.getJsonArray("contacts").getJsonObject(0).getString("id");
    JsonObject rename = new JsonObject().put("profile", new JsonObject().put("name", "R"));
    assertOk(get(byIdentifier(phone)), 200);
    TestStack.stack("redis-stop");
    try {
      for (int i = 0; i < 5; i++) {
        assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
        assertEquals(id, assertOk(get("/accounts/users/" + id), 200).getString("id"));
      }
      assertEquals(200, get("/accounts/user-groups").statusCode());
      assertError(patch("/accounts/users/" + id, rename), 503, "DEPENDENCY_UNAVAILABLE");
      assertError(post("/accounts/users", new JsonObject()), 503, "DEPENDENCY_UNAVAILABLE");
      assertError(delete("/accounts/contacts/" + contactId), 503, "DEPENDENCY_UNAVAILABLE");
      // Nothing was changed by the refused writes.
      JsonObject now = assertOk(get("/accounts/users/" + id), 200);
      assertEquals("T", now.getJsonObject("profile").getString("name"));
      assertEquals(1, now.getJsonArray("contacts").size());
    } finally {
      TestStack.stack("redis-start");
    }
    // Writes are admitted again once the guard reads Redis (its breaker retries after 5 s).
    assertTrue(eventually(30_000, () -> patch("/accounts/users/" + id, rename).statusCode() == 200));
    assertEquals("R", assertOk(get(byIdentifier(phone)), 200).getJsonObject("profile").getString("name"));
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
    assertTrue(eventually(30_000, () -> get(byIdentifier(phone)).statusCode() == 200));
  }
}
