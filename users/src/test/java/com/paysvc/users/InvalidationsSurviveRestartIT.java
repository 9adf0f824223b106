package com.paysvc.users;

import com.paysvc.testing.ServiceProcess;
import com.paysvc.testing.TcpProxy;
import com.paysvc.testing.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cache invalidation Redis missed survives the instance that made it. A users process whose cache Redis is
 * unreachable changes a user (profile, a new e-mail contact) and adds a group; its invalidations wait in its memory
 * and in Postgres, and the entries cached before stay stale in Redis. The process is SIGKILLed (its memory is gone).
 * The instance restarts while Redis is still unreachable for it: nothing is lost, its reads bypass the cache; once
 * Redis answers the stale entries go and the records are deleted. A second restart then finds nothing to send.
 *
 * <p>The in-process service of {@link UsersTestBase} only fills the cache and shows what it holds; it sweeps only on
 * its start (before the test), so that nothing but the restarted process can send the missed invalidations.
 */
class InvalidationsSurviveRestartIT extends UsersTestBase {
  private static final String PENDING = "SELECT count(*) FROM accounts.pending_cache_invalidations";

  @Override
  protected Map<String, String> extraEnv() {
    return Map.of("USERS_INVALIDATION_SWEEP_MS", "3600000");
  }

  @Test
  void anInvalidationRedisMissedIsAppliedAfterTheInstanceRestarts() throws Exception {
    String phone = randomPhone();
    String id = createUser(phone, null, null, "client").getString("id");
    assertEquals(0, count(PENDING), "a write whose invalidation Redis took leaves no record");
    String email = "restart" + randomToken() + "@example.com";
    String group = "restart" + randomToken();
    // Cached: the detail by id and by phone, the e-mail as a miss (404), the groups list.
    assertEquals("T", name(assertOk(get("/accounts/users/" + id), 200)));
    assertEquals("T", name(assertOk(get(byIdentifier(phone)), 200)));
    assertEquals(404, get(byIdentifier(email)).statusCode());
    assertFalse(get("/accounts/user-groups").bodyAsString().contains(group));
    for (String key : new String[] {"user:" + id, "user_by_identifier:" + phone, "user_by_identifier:" + email,
      "users:user_groups"}) {
      assertTrue(cached(key), key);
    }

    int deadRedis = ServiceProcess.freePort();
    ServiceProcess cutOff = ServiceProcess.startOwn("users", ServiceProcess.freePort(), processEnv(deadRedis, 3_600_000));
    try {
      assertOk(at(cutOff, HttpMethod.PATCH, "/accounts/users/" + id,
        new JsonObject().put("profile", new JsonObject().put("name", "Missed"))), 200);
      assertOk(at(cutOff, HttpMethod.POST, "/accounts/contacts",
        new JsonObject().put("user_id", id).put("type", "email").put("value", email)), 201);
      assertOk(at(cutOff, HttpMethod.POST, "/accounts/user-groups", new JsonObject().put("name", group)), 201);
      assertEquals(3, count(PENDING), "each write recorded what Redis did not take");
    } finally {
      cutOff.kill();
    }

    // Redis still holds the entries from before the writes: without the records they would live 600 s (3 h).
    assertEquals("T", name(assertOk(get("/accounts/users/" + id), 200)), "stale, served from the cache");
    assertEquals(404, get(byIdentifier(email)).statusCode(), "stale miss");
    assertFalse(get("/accounts/user-groups").bodyAsString().contains(group), "stale list");

    try (TcpProxy redisProxy = new TcpProxy(TestStack.REDIS_CACHE_PORT)) {
      redisProxy.breakAll();
      ServiceProcess restarted = ServiceProcess.startOwn("users", ServiceProcess.freePort(),
        processEnv(redisProxy.port(), 500));
      try {
        // Redis refused the restart's sweep: the records stay, and this instance's reads bypass the cache.
        assertEquals(3, count(PENDING));
        assertEquals("Missed", name(assertOk(at(restarted, HttpMethod.GET, "/accounts/users/" + id, null), 200)));
        assertEquals(id, assertOk(at(restarted, HttpMethod.GET, byIdentifier(email), null), 200).getString("id"));
        assertEquals("T", name(new JsonObject(redis(cacheRedis, Command.GET, ns + "user:" + id).toBuffer())),
          "still stale in Redis");

        redisProxy.heal();
        assertTrue(eventually(15_000, () -> !cached("user:" + id)), "the missed invalidation reached Redis");
        assertFalse(cached("user_by_identifier:" + phone));
        assertFalse(cached("user_by_identifier:" + email));
        assertFalse(cached("users:user_groups"));
        Response marker = redis(cacheRedis, Command.HGET, ns + "users:written", id);
        assertNotNull(marker);
        assertTrue(marker.toString().matches("[0-9A-F]{16}"), "marked written at a WAL position: " + marker);
        // Records older than the sweep's grace (10 s) are sent by the next round once Redis takes them, then deleted.
        assertTrue(eventually(30_000, () -> count(PENDING) == 0), "records deleted once Redis took them");
      } finally {
        restarted.close();
      }
    }

    // Every reader sees the writes now, the in-process instance included.
    assertEquals("Missed", name(assertOk(get("/accounts/users/" + id), 200)));
    assertEquals("Missed", name(assertOk(get(byIdentifier(phone)), 200)));
    assertEquals(id, assertOk(get(byIdentifier(email)), 200).getString("id"));
    assertTrue(get("/accounts/user-groups").bodyAsString().contains(group));
    // Cached again (its first fill may be refused: that instance learns the moved generation from the refusal).
    assertTrue(eventually(5_000, () -> get("/accounts/users/" + id).bodyAsString().contains("Missed")
      && cached("user:" + id)));
    assertEquals("Missed", name(new JsonObject(redis(cacheRedis, Command.GET, ns + "user:" + id).toBuffer())));

    // A restart with nothing recorded sends nothing and drops nothing.
    ServiceProcess again = ServiceProcess.startOwn("users", ServiceProcess.freePort(), processEnv(TestStack.REDIS_CACHE_PORT, 3_600_000));
    try {
      assertTrue(cached("user:" + id), "an entry cached after the writes stays");
      assertEquals("Missed", name(assertOk(at(again, HttpMethod.GET, "/accounts/users/" + id, null), 200)));
      assertEquals(0, count(PENDING));
    } finally {
      again.close();
    }
  }

  /** A users process on this test's database and cache namespace; its cache Redis at {@code redisPort}. */
  private Map<String, String> processEnv(int redisPort, long sweepMs) {
    Map<String, String> env = new HashMap<>(tokens.env());
    env.put("USERS_CACHE_NAMESPACE", ns);
    env.put("USERS_INVALIDATION_SWEEP_MS", Long.toString(sweepMs));
    env.put("REDIS_PORT", Integer.toString(redisPort));
    // Only the cache's Redis is cut off: auth's deny-list stays reachable (a write whose revocation is unknown is refused).
    env.put("AUTH_REDIS_PORT", Integer.toString(TestStack.REDIS_STATE_PORT));
    env.put("SHUTDOWN_GRACE_SECONDS", "2");
    return TestStack.serviceEnv(database, env);
  }

  private HttpResponse<Buffer> at(ServiceProcess p, HttpMethod method, String uri, JsonObject body) {
    HttpRequest<Buffer> r = http.request(method, p.port(), "127.0.0.1", uri).bearerTokenAuthentication(admin);
    return await(body == null ? r.send() : r.sendJsonObject(body));
  }

  private long count(String query) {
    return TestStack.count(database, query);
  }

  private static String name(JsonObject user) {
    return user.getJsonObject("profile").getString("name");
  }
}
