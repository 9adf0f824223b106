package com.paysvc.users;

import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A profile is bounded (issue 27: a new account stored a ~900 KB profile, copied into Redis per identifier spelling)
 * on every path that writes one: create, PATCH (the merged profile), bulk (each item on its own). Defaults: 8192 bytes
 * of stored JSON text, depth 4, 64 keys at all levels. Over the size: 413; over depth or keys, or not an object: 400;
 * at the bound: accepted. Beneath the service, the column refuses more than 64 KiB.
 */
class ProfileBoundsIT extends UsersTestBase {
  private static final int MAX_BYTES = 8192;
  /** What {"k": "<n chars>"} takes as stored jsonb text besides the value: {"k": ""} with jsonb's space. */
  private static final int ONE_KEY_OVERHEAD = "{\"k\": \"\"}".length();

  /** {"k": "xxx…"} whose stored text is exactly {@code bytes} long. */
  private static JsonObject ofStoredSize(int bytes) {
    return new JsonObject().put("k", "x".repeat(bytes - ONE_KEY_OVERHEAD));
  }

  /** Containers nested {@code depth} deep, the profile counting 1: {"a": {"a": … [1]}}. */
  private static JsonObject ofDepth(int depth) {
    Object inner = new JsonArray().add(1);
    for (int level = depth - 1; level > 1; level--) {
      inner = new JsonObject().put("a", inner);
    }
    return new JsonObject().put("a", inner);
  }

  /** {@code keys} keys, half of them one level down: {"o": {"k0": 0, …}, "k…": …}. */
  private static JsonObject ofKeys(int keys) {
    JsonObject inner = new JsonObject();
    JsonObject profile = new JsonObject().put("o", inner);
    for (int i = 1; i < keys; i++) {
      (i % 2 == 0 ? inner : profile).put("k" + i, i);
    }
    return profile;
  }

  private JsonObject create(JsonObject profile) {
    return new JsonObject().put("profile", profile).put("contacts", new JsonArray()
      .add(new JsonObject().put("type", "phone").put("value", randomPhone())));
  }

  private String storedProfileBytes(String id) {
    try (Connection c = TestStack.superuser(database); Statement s = c.createStatement()) {
      return text(s, "SELECT octet_length(profile::text) FROM accounts.users WHERE id = '" + id + "'");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void createRefusesEachBoundAndAcceptsAProfileAtTheBounds() {
    // The ~900 KB of the issue: refused before the database (413), nothing written.
    String phone = randomPhone();
    assertError(post("/accounts/users", new JsonObject().put("profile", ofStoredSize(900_000))
      .put("contacts", new JsonArray().add(new JsonObject().put("type", "phone").put("value", phone)))), 413,
      "PAYLOAD_TOO_LARGE");
    assertError(get(byIdentifier(phone)), 404, "NOT_FOUND");
    // One byte over, as stored: its compact form (no spaces) is under the bound; the stored text is not.
    assertError(post("/accounts/users", create(ofStoredSize(MAX_BYTES + 1))), 413, "PAYLOAD_TOO_LARGE");
    // Bytes, not characters: 'é' is two bytes in UTF-8.
    assertError(post("/accounts/users", create(new JsonObject().put("k", "é".repeat(MAX_BYTES / 2)))), 413,
      "PAYLOAD_TOO_LARGE");
    assertError(post("/accounts/users", create(ofDepth(5))), 400, "VALIDATION_ERROR");
    assertError(post("/accounts/users", create(ofKeys(65))), 400, "VALIDATION_ERROR");
    assertError(post("/accounts/users", create(new JsonObject()).put("profile", new JsonArray().add(1))), 400,
      "VALIDATION_ERROR");

    String id = assertOk(post("/accounts/users", create(ofStoredSize(MAX_BYTES))), 201).getString("id");
    assertEquals(Integer.toString(MAX_BYTES), storedProfileBytes(id));
    assertOk(post("/accounts/users", create(ofDepth(4))), 201);
    assertOk(post("/accounts/users", create(ofKeys(64))), 201);
  }

  @Test
  void patchBoundsTheMergedProfileNotOnlyThePatch() {
    String id = assertOk(post("/accounts/users", create(new JsonObject().put("a", "x".repeat(5000)))), 201).getString("id");
    String patchPath = "/accounts/users/" + id;
    assertError(patch(patchPath, new JsonObject().put("profile", ofStoredSize(900_000))), 413, "PAYLOAD_TOO_LARGE");
    // Each patch alone is small: the merge would store more than the bound, so nothing is stored.
    assertError(patch(patchPath, new JsonObject().put("profile", new JsonObject().put("b", "y".repeat(4000)))), 413,
      "PAYLOAD_TOO_LARGE");
    assertEquals(Integer.toString(5000 + ONE_KEY_OVERHEAD), storedProfileBytes(id));
    // Keys: 40 now plus 30 new ones is 70, over 64, though each document alone is under.
    JsonObject forty = new JsonObject().put("a", null);
    for (int i = 0; i < 40; i++) {
      forty.put("f" + i, i);
    }
    assertOk(patch(patchPath, new JsonObject().put("profile", forty)), 200);
    JsonObject thirty = new JsonObject();
    for (int i = 0; i < 30; i++) {
      thirty.put("g" + i, i);
    }
    assertError(patch(patchPath, new JsonObject().put("profile", thirty)), 400, "VALIDATION_ERROR");
    assertError(patch(patchPath, new JsonObject().put("profile", ofDepth(5))), 400, "VALIDATION_ERROR");
    // Up to the bound exactly: drop the 40 keys (null removes a key), then store one value whose stored text is the
    // bound.
    JsonObject drop = new JsonObject();
    for (int i = 0; i < 40; i++) {
      drop.putNull("f" + i);
    }
    assertOk(patch(patchPath, new JsonObject().put("profile", drop)), 200);
    assertOk(patch(patchPath, new JsonObject().put("profile", ofStoredSize(MAX_BYTES))), 200);
    assertEquals(Integer.toString(MAX_BYTES), storedProfileBytes(id));
    // Deactivating does not re-check the profile.
    assertOk(patch(patchPath, new JsonObject().put("is_active", false)), 200);
  }

  @Test
  void eachBulkItemFailsOnItsOwnWithItsCode() {
    List<JsonObject> items = List.of(
      create(new JsonObject().put("name", "fine")),
      create(ofStoredSize(900_000)),
      create(ofDepth(5)),
      create(ofKeys(65)),
      // At the bound with its own source (the batch's interface is added only to profiles without one).
      create(ofStoredSize(MAX_BYTES - ", \"source\": \"crm\"".length()).put("source", "crm")),
      // The interface added as source pushes this one over.
      create(ofStoredSize(MAX_BYTES)));
    JsonObject result = assertOk(post("/accounts/users/bulk",
      new JsonObject().put("interface", "crm").put("users", new JsonArray(items))), 200);
    assertEquals(List.of(0, 4), result.getJsonArray("created").stream()
      .map(o -> ((JsonObject) o).getInteger("index")).toList(), result.encode());
    JsonArray failed = result.getJsonArray("failed");
    assertEquals(List.of(1, 2, 3, 5), failed.stream().map(o -> ((JsonObject) o).getInteger("index")).toList());
    assertEquals(List.of("PAYLOAD_TOO_LARGE", "VALIDATION_ERROR", "VALIDATION_ERROR", "PAYLOAD_TOO_LARGE"),
      failed.stream().map(o -> ((JsonObject) o).getString("error_code")).toList());
    String atBound = result.getJsonArray("created").getJsonObject(1).getString("id");
    assertEquals(Integer.toString(MAX_BYTES), storedProfileBytes(atBound));
  }

  @Test
  void theDatabaseCapsEveryProfileWhateverWritesIt() throws SQLException {
    String id = assertOk(post("/accounts/users", create(new JsonObject())), 201).getString("id");
    try (Connection c = TestStack.superuser(database); Statement s = c.createStatement()) {
      SQLException refused = assertThrows(SQLException.class, () -> s.executeUpdate(
        "UPDATE accounts.users SET profile = jsonb_build_object('k', repeat('x', 70000)) WHERE id = '" + id + "'"));
      assertEquals("23514", refused.getSQLState(), refused.getMessage());
      assertTrue(refused.getMessage().contains("users_profile_size_cap"), refused.getMessage());
    }
  }

  /** Rows stored before the cap came (V14) would make every later UPDATE of them fail: the migration moves them aside. */
  @Test
  void theMigrationMovesProfilesOverTheCapAsideSoExistingRowsPass() throws SQLException {
    String scratch = TestStack.createDatabase("users_cap");
    String url = "jdbc:postgresql://127.0.0.1:5432/" + scratch;
    Flyway before = Flyway.configure().dataSource(url, TestStack.env("PG_SUPERUSER"), TestStack.env("PG_SUPERUSER_PASSWORD"))
      .locations("classpath:db/users").target("13").load();
    before.migrate();
    try (Connection c = TestStack.superuser(scratch); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO accounts.users (profile) VALUES (jsonb_build_object('k', repeat('x', 900000))), "
        + "('{\"name\": \"small\"}')");
      Flyway.configure().dataSource(url, TestStack.env("PG_SUPERUSER"), TestStack.env("PG_SUPERUSER_PASSWORD"))
        .locations("classpath:db/users").load().migrate();
      assertEquals("0", text(s, "SELECT count(*) FROM accounts.users WHERE octet_length(profile::text) > 65536"));
      assertEquals("1", text(s, "SELECT count(*) FROM accounts.users WHERE profile = '{}'"));
      assertEquals("1", text(s, "SELECT count(*) FROM accounts.users WHERE profile = '{\"name\": \"small\"}'"));
      assertEquals("900000", text(s, "SELECT length(profile ->> 'k') FROM accounts.profiles_over_cap"));
      // Its cached copies go too: the moved user is recorded for the invalidation sweep.
      assertEquals("1", text(s, "SELECT count(*) FROM accounts.pending_cache_invalidations p, accounts.profiles_over_cap o "
        + "WHERE o.user_id = ANY (p.user_ids)"));
      // And the moved row can be written again (the cap holds for it).
      assertEquals(1, s.executeUpdate("UPDATE accounts.users SET is_active = false WHERE profile = '{}'"));
    }
  }
}
