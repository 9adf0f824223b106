package com.paysvc.users;

import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read-your-writes while the replica lags: WAL replay on the real replica is paused, so anything written now
 * exists only on the primary, and every read right after a write must still see it.
 */
class ReplicaLagIT extends UsersTestBase {

  @Test
  void aCallerSeesItsOwnWritesWhileTheReplicaIsBehind() throws SQLException {
    try (Connection replica = TestStack.replicaSuperuser(database); Statement sql = replica.createStatement()) {
      assertTrue(bool(sql, "SELECT pg_is_in_recovery()"), "precondition: port 5433 reaches the replica");
      // Patroni resumes a paused replay on its next loop unless the cluster is in maintenance mode.
      TestStack.stack("patronictl", "pause", "--wait");
      sql.execute("SELECT pg_wal_replay_pause()");
      try {
        String phone = randomPhone();
        String id = createUser(phone, null, null, "client").getString("id");
        assertEquals(0, count(sql, "SELECT count(*) FROM accounts.users WHERE id = '" + id + "'"), "the replica lags");

        assertEquals(id, assertOk(get("/accounts/users/" + id), 200).getString("id"));
        assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));

        assertOk(patch("/accounts/users/" + id, new JsonObject().put("profile", new JsonObject().put("name", "Lagged"))), 200);
        assertEquals("Lagged", assertOk(get(byIdentifier(phone)), 200).getJsonObject("profile").getString("name"));
        assertEquals("Lagged", assertOk(get("/accounts/users/" + id), 200).getJsonObject("profile").getString("name"));

        String email = "lag" + randomToken() + "@example.com";
        String contactId = assertOk(post("/accounts/contacts", new JsonObject().put("user_id", id)
          .put("type", "email").put("value", email)), 201).getString("id");
        assertEquals(email, assertOk(get("/accounts/contacts/" + contactId), 200).getString("value"));
        assertEquals(2, new JsonArray(get("/accounts/contacts/user/" + id).body()).size());
        assertEquals(id, assertOk(get(byIdentifier(email)), 200).getString("id"));

        String driver = groupId("driver");
        assertOk(post("/accounts/user-group-memberships", new JsonObject().put("user_id", id).put("group_id", driver)), 201);
        assertEquals(2, new JsonArray(get("/accounts/user-group-memberships?user_id=" + id).body()).size());
        assertTrue(assertOk(get("/accounts/user-group-memberships/" + id + "/" + driver), 200).getBoolean("is_active"));
        assertEquals(0, count(sql, "SELECT count(*) FROM accounts.user_contacts WHERE user_id = '" + id + "'"),
          "the replica still lags");
      } finally {
        sql.execute("SELECT pg_wal_replay_resume()");
        TestStack.stack("patronictl", "resume", "--wait");
      }
    }
  }

  private static boolean bool(Statement sql, String query) throws SQLException {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static long count(Statement sql, String query) throws SQLException {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
