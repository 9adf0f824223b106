package com.paysvc.users;

import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica that lags longer than the old 10 s freshness window: WAL replay on the real replica stays paused for
 * 30 s while users and a dictionary are written; 13 s after the writes and again at the end of the pause every read
 * (cache misses by id and by identifier, contacts and memberships, a contact by id, the include-inactive lookup, the
 * groups list) must show the writes, and nothing stale may be left in Redis, during the lag or after it. With the
 * 10 s marker the fills stored the replica's old rows for 600 s and the uncached reads answered from the replica.
 */
class LaggingReplicaIT extends UsersTestBase {
  private static final long PAST_OLD_WINDOW_MS = 13_000;
  private static final long PAUSED_MS = 30_000;

  private String id;
  private String phone;
  private String email;
  private String emailContact;
  private String newEmail;
  private String id2;
  private String phone2;
  private String driver;
  private String group;

  @Test
  void readsWellAfterAWriteSeeItWhileTheReplicaIsStillBehind() throws Exception {
    phone = randomPhone();
    email = "lag" + randomToken() + "@example.com";
    JsonObject user = createUser(phone, email, null, "client");
    id = user.getString("id");
    emailContact = contactId(user, "email");
    phone2 = randomPhone();
    id2 = createUser(phone2, null, null, "client").getString("id");
    driver = groupId("driver");
    newEmail = "moved" + randomToken() + "@example.com";
    group = "lag" + randomToken();

    try (Connection replica = TestStack.replicaSuperuser(database); Statement sql = replica.createStatement()) {
      assertTrue(bool(sql, "SELECT pg_is_in_recovery()"), "precondition: port 5433 reaches the replica");
      assertTrue(eventually(15_000, () -> count(sql, "SELECT count(*) FROM accounts.users WHERE id IN ('"
        + id + "', '" + id2 + "')") == 2), "the replica has both users before it stops");
      // Entries from before the writes (the writes must drop them).
      assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
      assertFalse(assertOk200(get("/accounts/user-groups")).contains(group));
      assertTrue(cached("users:user_groups"));

      // Patroni resumes a paused replay on its next loop unless the cluster is in maintenance mode.
      TestStack.stack("patronictl", "pause", "--wait");
      long pausedAt = System.currentTimeMillis();
      sql.execute("SELECT pg_wal_replay_pause()");
      try {
        assertOk(patch("/accounts/users/" + id, new JsonObject().put("profile", new JsonObject().put("name", "After"))), 200);
        assertOk(patch("/accounts/contacts/" + emailContact, new JsonObject().put("value", newEmail)), 200);
        assertOk(post("/accounts/user-group-memberships", new JsonObject().put("user_id", id).put("group_id", driver)), 201);
        assertOk(patch("/accounts/users/" + id2, new JsonObject().put("is_active", false)), 200);
        assertOk(post("/accounts/user-groups", new JsonObject().put("name", group)), 201);
        Thread.sleep(PAST_OLD_WINDOW_MS);
        assertReadsShowTheWrites(sql);
        // Again at the end of a 30 s lag: the entries filled 13 s in answer now, and the uncached reads still go to
        // the primary.
        Thread.sleep(Math.max(0, PAUSED_MS - (System.currentTimeMillis() - pausedAt)));
        assertReadsShowTheWrites(sql);
      } finally {
        sql.execute("SELECT pg_wal_replay_resume()");
        TestStack.stack("patronictl", "resume", "--wait");
      }
      assertTrue(eventually(30_000, () -> "After".equals(text(sql,
        "SELECT profile->>'name' FROM accounts.users WHERE id = '" + id + "'"))), "the replica caught up");
    }
    // Caught up: the same answers, and the cache holds the new rows only.
    assertEquals("After", name(assertOk(get("/accounts/users/" + id), 200)));
    assertEquals("After", name(assertOk(get(byIdentifier(phone)), 200)));
    assertEquals(newEmail, assertOk(get("/accounts/contacts/" + emailContact), 200).getString("value"));
    assertEquals(404, get(byIdentifier(email)).statusCode());
    assertEquals(404, get(byIdentifier(phone2)).statusCode());
    assertTrue(assertOk200(get("/accounts/user-groups")).contains(group));
    assertCacheHoldsTheWrites();
  }

  /** Every read shows the writes while the replica (checked first and last) has none of them. */
  private void assertReadsShowTheWrites(Statement sql) {
    assertEquals("T", text(sql, "SELECT profile->>'name' FROM accounts.users WHERE id = '" + id + "'"),
      "the replica is still behind the writes");

    // Cache misses: the replica's rows are refused (behind the users' writes), the primary's stored.
    assertEquals("After", name(assertOk(get("/accounts/users/" + id), 200)));
    assertEquals("After", name(assertOk(get(byIdentifier(phone)), 200)));
    assertEquals(404, get(byIdentifier(email)).statusCode(), "the old e-mail names nobody now");
    assertEquals(404, get(byIdentifier(phone2)).statusCode(), "deactivated");
    // Uncached reads of the users: from the primary while the replica is behind their writes.
    JsonArray contacts = new JsonArray(assertOk200(get("/accounts/contacts/user/" + id)));
    assertTrue(contacts.encode().contains(newEmail), contacts::encode);
    assertEquals(newEmail, assertOk(get("/accounts/contacts/" + emailContact), 200).getString("value"));
    assertEquals(2, new JsonArray(assertOk200(get("/accounts/user-group-memberships?user_id=" + id))).size());
    assertTrue(assertOk(get("/accounts/user-group-memberships/" + id + "/" + driver), 200).getBoolean("is_active"));
    assertEquals(false, assertOk(get(byIdentifier(phone2) + "&include_inactive=true"), 200).getBoolean("is_active"));
    // The groups list (cached 3 h) under the same rule.
    assertTrue(assertOk200(get("/accounts/user-groups")).contains(group));

    // The written markers hold the commits' positions, for longer than an entry lives.
    long now = redis(cacheRedis, Command.TIME).get(0).toLong();
    for (String written : new String[] {id, id2}) {
      Response marker = redis(cacheRedis, Command.HGET, ns + "users:written", written);
      assertTrue(marker != null && marker.toString().matches("[0-9A-F]{16}"), "marker " + marker);
      assertTrue(redis(cacheRedis, Command.ZSCORE, ns + "users:written_until", written).toLong() - now > 600);
    }
    assertCacheHoldsTheWrites();
    assertEquals(0, count(sql, "SELECT count(*) FROM accounts.user_group_memberships WHERE user_id = '" + id
      + "' AND group_id = '" + driver + "'"), "the replica was behind throughout");
    assertEquals(0, count(sql, "SELECT count(*) FROM accounts.user_groups WHERE name = '" + group + "'"));
  }

  /** What the reads just cached is the new state (or a 404), never the replica's old rows. */
  private void assertCacheHoldsTheWrites() {
    assertEquals("After", name(new JsonObject(cachedBytes("user:" + id))));
    assertEquals("After", name(new JsonObject(cachedBytes("user_by_identifier:" + phone))));
    assertTrue(cachedBytes("users:user_groups").toString().contains(group));
    assertCachedEmptyOrAbsent("user_by_identifier:" + email);
    assertCachedEmptyOrAbsent("user_by_identifier:" + phone2);
  }

  private io.vertx.core.buffer.Buffer cachedBytes(String key) {
    Response cached = redis(cacheRedis, Command.GET, ns + key);
    assertNotNull(cached, () -> key + " is not cached");
    return cached.toBuffer();
  }

  private static String contactId(JsonObject user, String type) {
    return user.getJsonArray("contacts").stream().map(o -> (JsonObject) o)
      .filter(c -> type.equals(c.getString("type"))).findFirst().orElseThrow().getString("id");
  }

  private static String name(JsonObject user) {
    return user.getJsonObject("profile").getString("name");
  }

  private static String assertOk200(io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> resp) {
    assertEquals(200, resp.statusCode(), resp::bodyAsString);
    return resp.bodyAsString();
  }

  private void assertCachedEmptyOrAbsent(String key) {
    Response cached = redis(cacheRedis, Command.GET, ns + key);
    assertTrue(cached == null || cached.toBuffer().length() == 0, () -> key + " holds " + cached);
  }

  private static boolean bool(Statement sql, String query) throws SQLException {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static long count(Statement sql, String query) {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
