package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The second step of a sign-up (storing the hash) fails for real: auth's credentials table refuses every row. The
 * user created in users in the first step must be undone: deactivated, its contacts free again.
 */
class RegisterCompensationIT extends PlatformIT {
  @Override
  protected java.util.Map<String, String> settings() {
    return java.util.Map.of("REGISTRATION_SWEEP_SECONDS", "1");
  }


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
      assertTrue(eventually(10_000, () -> p.lookup(a.email(), false).status() == 404
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

  /**
   * What a crash of auth between the two steps leaves behind, three minutes ago: the note of the sign-up and the user
   * users created for it, without a password. The sweeper finds and undoes it — by the user id when auth had noted it,
   * by the identifiers otherwise — and leaves a finished account with the same identifiers alone.
   */
  @Test
  void aSignUpLeftBehindByACrashIsUndoneByTheSweeper() throws Exception {
    Platform.Person noted = person();
    Platform.Person unnoted = person();
    Platform.Person finished = person();
    String notedId = createdAgo(noted);
    String unnotedId = createdAgo(unnoted);
    String finishedId = p.register(finished);
    ageUser(finishedId);
    sql("INSERT INTO auth.pending_registrations (id, identifiers, user_id, created_at) VALUES "
      + "(gen_random_uuid(), ARRAY['" + noted.email() + "'], '" + notedId + "', now() - interval '180 seconds'), "
      + "(gen_random_uuid(), ARRAY['" + unnoted.email() + "', '" + unnoted.phone() + "'], NULL, now() - interval '180 seconds'), "
      + "(gen_random_uuid(), ARRAY['" + finished.email() + "'], NULL, now() - interval '180 seconds')");

    assertTrue(eventually(20_000, () -> count("SELECT count(*) FROM auth.pending_registrations") == 0),
      "the sweeper did not close the notes");
    for (String id : new String[] {notedId, unnotedId}) {
      JsonObject user = p.usersCall("GET", "/accounts/users/" + id, null, p.admin()).json();
      assertEquals(false, user.getBoolean("is_active"), user.encode());
      assertEquals(0, user.getJsonArray("contacts").size(), "contacts released: " + user.encode());
    }
    assertEquals(true, p.usersCall("GET", "/accounts/users/" + finishedId, null, p.admin()).json().getBoolean("is_active"));
    assertEquals(200, p.post("/auth/login", finished.login(finished.email()), null, Platform.randomIp()).status());
    // The identifiers of the undone sign-ups are free again.
    p.register(unnoted);
    assertEquals(200, p.post("/auth/login", unnoted.login(unnoted.phone()), null, Platform.randomIp()).status());
  }

  /** A user as users created it for a sign-up 3 minutes ago, with no password in auth. */
  private String createdAgo(Platform.Person person) throws Exception {
    Http.Response r = p.usersCall("POST", "/accounts/users", new JsonObject().put("contacts", new io.vertx.core.json.JsonArray()
      .add(new JsonObject().put("type", "email").put("value", person.email()))
      .add(new JsonObject().put("type", "phone").put("value", person.phone()))), p.admin());
    assertEquals(201, r.status(), r.body());
    String id = r.json().getString("id");
    ageUser(id);
    return id;
  }

  private void ageUser(String id) throws Exception {
    try (Connection c = TestStack.superuser(p.usersDatabase); Statement s = c.createStatement()) {
      s.execute("UPDATE accounts.users SET created_at = now() - interval '175 seconds' WHERE id = '" + id + "'");
    }
    // users caches details: drop them by a no-op change (every write invalidates the user's keys).
    assertEquals(200, p.usersCall("PATCH", "/accounts/users/" + id, new JsonObject().put("profile", new JsonObject()), p.admin())
      .status());
  }

  private long count(String query) {
    return TestStack.count(p.authDatabase, query);
  }

  private void sql(String statement) throws Exception {
    try (Connection c = TestStack.superuser(p.authDatabase); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
