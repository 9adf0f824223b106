package com.paysvc.auth.it;

import com.paysvc.common.testing.Http;
import com.paysvc.common.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static com.paysvc.auth.it.Platform.assertError;
import static com.paysvc.auth.it.Platform.person;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The second step of a sign-up (storing the hash) fails for real: auth's credentials table refuses every row. The
 * user created in users in the first step must be undone: deactivated, its contacts free again.
 */
class RegisterCompensationIT extends PlatformIT {

  @Test
  void aFailedSecondStepLeavesNoHalfRegisteredUser() throws Exception {
    Platform.Person a = person();
    sql("ALTER TABLE auth.credentials ADD CONSTRAINT it_refuse_all CHECK (false) NOT VALID");
    try {
      Http.Response r = p.post("/auth/register", a.registration());
      JsonObject err = assertError(r, 503, "DATABASE_ERROR");
      assertTrue(err.getString("message").contains("undone"), r.body());
      assertFalse(r.body().contains("it_refuse_all"), "no SQL detail reaches the client");
      // users created it, then auth undid it: deactivated, no active contact left, so no lookup finds it...
      assertTrue(TestStack.eventually(10_000, () -> p.lookup(a.email(), false).status() == 404
        && p.lookup(a.phone(), true).status() == 404 && p.lookup(a.login(), true).status() == 404));
      // ...and nobody can log in as it.
      assertError(p.post("/auth/login", a.login(a.email()), null, Platform.randomIp()), 401, "UNAUTHORIZED");
    } finally {
      sql("ALTER TABLE auth.credentials DROP CONSTRAINT it_refuse_all");
    }
    // The identifiers are free again: the same person signs up and logs in.
    String id = p.register(a);
    assertEquals(200, p.post("/auth/login", a.login(a.phone()), null, Platform.randomIp()).status());
    assertEquals(id, p.lookup(a.email(), false).json().getString("id"));
  }

  private void sql(String statement) throws Exception {
    try (Connection c = TestStack.superuser(p.authDatabase); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
