package com.paysvc.users;

import com.paysvc.testing.TestStack;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The other tests run the service as the superuser on throw-away databases; this one runs it as production does:
 * role {@code users_svc} on database {@code users} (created by sql/bootstrap.sql), so the migrations, the stored
 * functions and the grants are proven under that role. And no service role can open another service's database.
 * (The real database on purpose: its grants come from bootstrap.sql. Its users are test rows with random
 * identifiers; events go to the test exchange, see TestStack.serviceEnv.)
 */
class OwnRoleIT extends UsersTestBase {

  @Override
  protected Map<String, String> extraEnv() {
    return Map.of("PG_DATABASE", "users", "PG_USER", "users_svc", "PG_PASSWORD", TestStack.env("USERS_DB_PASSWORD"));
  }

  @Test
  void theServiceMigratesAndServesAsItsOwnRole() {
    String phone = randomPhone();
    String id = createUser(phone, null, null, "client").getString("id");
    assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
    assertEquals(200, get("/accounts/user-groups").statusCode());
  }

  @Test
  void eachServiceRoleReachesOnlyItsOwnDatabase() throws SQLException {
    Map<String, String> passwords = Map.of("auth_svc", "AUTH_DB_PASSWORD", "users_svc", "USERS_DB_PASSWORD",
      "webhook_svc", "WEBHOOK_DB_PASSWORD");
    Map<String, String> own = Map.of("auth_svc", "auth", "users_svc", "users", "webhook_svc", "webhook");
    for (String role : own.keySet()) {
      String password = TestStack.env(passwords.get(role));
      for (String db : own.values()) {
        if (db.equals(own.get(role))) {
          try (Connection c = connect(db, role, password)) {
            assertTrue(c.isValid(2), role + " on " + db);
          }
        } else {
          SQLException denied = assertThrows(SQLException.class, () -> connect(db, role, password).close(), role + " on " + db);
          assertEquals("42501", denied.getSQLState(), role + " on " + db + ": " + denied.getMessage());
        }
      }
    }
  }

  private static Connection connect(String db, String role, String password) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db + "?connectTimeout=5", role, password);
  }
}
