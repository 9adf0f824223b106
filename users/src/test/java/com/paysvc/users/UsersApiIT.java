package com.paysvc.users;

import com.paysvc.testing.TestStack;
import com.paysvc.users.store.AccountsStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsersApiIT extends UsersTestBase {

  @Test
  void createsUserAndReadsDetail() {
    String phone = randomPhone();
    JsonObject user = createUser(phone, "d" + randomToken() + "@example.com", null, "client", "driver");
    String id = user.getString("id");
    assertEquals(List.of("client", "driver"), names(user.getJsonArray("groups")));
    assertEquals(2, user.getJsonArray("contacts").size());
    assertTrue(user.getBoolean("is_active"));

    JsonObject detail = assertOk(get("/accounts/users/" + id), 200);
    assertEquals(user, detail);
    // The second read is a cache hit: the body is exactly the cached bytes.
    HttpResponse<Buffer> hit = get("/accounts/users/" + id);
    assertEquals(redis(cacheRedis, Command.GET, ns + "user:" + id).toBuffer(), hit.body());
    assertEquals("application/json", hit.getHeader("Content-Type"));
  }

  @Test
  void createRejectsBadInput() {
    assertError(post("/accounts/users", new JsonObject().put("nope", 1)), 400, "VALIDATION_ERROR");
    assertError(post("/accounts/users", new JsonObject().put("contacts", new JsonArray()
      .add(new JsonObject().put("type", "phone").put("value", "89991234567")))), 400, "VALIDATION_ERROR");
    assertError(post("/accounts/users", new JsonObject().put("groups", new JsonArray().add("pilots"))), 400, "VALIDATION_ERROR");
    assertError(post("/accounts/users", new JsonObject().put("contacts", new JsonArray()
      .add(new JsonObject().put("type", "second_login").put("value", "x@y.io")))), 400, "INVALID_SECOND_LOGIN");
    assertError(post("/accounts/users", new JsonObject().put("contacts", new JsonArray()
      .add(new JsonObject().put("type", "email").put("value", "a" + randomToken() + "@x.io"))
      .add(new JsonObject().put("type", "email").put("value", "b" + randomToken() + "@x.io")))), 409, "CONTACT_TYPE_CONFLICT");
    String phone = randomPhone();
    createUser(phone, null, null);
    assertError(post("/accounts/users", new JsonObject().put("contacts", new JsonArray()
      .add(new JsonObject().put("type", "phone").put("value", phone)))), 409, "CONTACT_TYPE_CONFLICT");
    HttpResponse<Buffer> notJson = await(req(io.vertx.core.http.HttpMethod.POST, "/accounts/users", admin)
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{oops")));
    assertEquals(400, notJson.statusCode());
  }

  @Test
  void nulCharactersAreAValidationErrorNotA500() {
    String id = createUser(randomPhone(), null, null).getString("id");
    assertError(post("/accounts/users", new JsonObject().put("profile", new JsonObject().put("n", "a\u0000b"))),
      400, "VALIDATION_ERROR");
    assertError(patch("/accounts/users/" + id, new JsonObject().put("profile", new JsonObject().put("n", "\u0000"))),
      400, "VALIDATION_ERROR");
    assertError(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "second_login")
      .put("value", "a\u0000b")), 400, "VALIDATION_ERROR");
    JsonObject bulk = assertOk(post("/accounts/users/bulk", new JsonObject().put("users", new JsonArray()
      .add(new JsonObject().put("profile", new JsonObject().put("n", "\u0000"))))), 200);
    assertEquals("VALIDATION_ERROR", bulk.getJsonArray("failed").getJsonObject(0).getString("error_code"));
  }

  @Test
  void detailErrors() {
    assertError(get("/accounts/users/" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertError(get("/accounts/users/not-a-uuid"), 400, "VALIDATION_ERROR");
    assertError(get("/accounts/users/1-1-1-1-1"), 400, "VALIDATION_ERROR");
    assertError(get("/accounts/users/" + UUID.randomUUID() + "0"), 400, "VALIDATION_ERROR");
    // 36 characters that UUID.fromString would still take, each naming some other id
    for (String lookAlike : new String[] {
      "123456789-123-1234-1234-123456789012", "+2345678-1234-1234-1234-123456789012",
      "12345678-1234-1234-1234-12345678901g", "12345678-1234-1234-1234\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11\uff12",
      "12345678-1234-1234-1234-\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"}) {
      assertError(get("/accounts/users/" + URLEncoder.encode(lookAlike, StandardCharsets.UTF_8)), 400, "VALIDATION_ERROR");
    }
    assertError(get("/accounts/nothing-here"), 404, "NOT_FOUND");
  }

  @Test
  void findsUserByEveryKindOfIdentifier() {
    String phone = randomPhone();
    String email = "first.last+tag" + randomToken() + "@Example.COM";
    String uuidLogin = UUID.randomUUID().toString();
    String id = createUser(phone, email, uuidLogin).getString("id");

    for (String identifier : List.of(id, id.toUpperCase(), phone, email, email.toLowerCase(), uuidLogin)) {
      JsonObject found = assertOk(get(byIdentifier(identifier)), 200);
      assertEquals(id, found.getString("id"), identifier);
    }
    // Every spelling PostgreSQL's uuid type accepts names the same user.
    String hex = id.replace("-", "");
    StringBuilder byFours = new StringBuilder();
    for (int i = 0; i < hex.length(); i += 4) {
      byFours.append(i == 0 ? "" : "-").append(hex, i, i + 4);
    }
    for (String spelling : List.of(hex, hex.toUpperCase(), "{" + id + "}", "{" + id.toUpperCase() + "}", "{" + hex + "}",
        byFours.toString(), id.substring(0, 8) + hex.substring(8, 16) + "-" + hex.substring(16))) {
      JsonObject found = assertOk(get(byIdentifier(spelling)), 200);
      assertEquals(id, found.getString("id"), spelling);
    }
    // Not a uuid spelling (unbalanced brace, a hyphen inside a group of four): a second_login nobody has.
    assertError(get(byIdentifier("{" + id)), 404, "NOT_FOUND");
    assertError(get(byIdentifier(hex.substring(0, 2) + "-" + hex.substring(2))), 404, "NOT_FOUND");
    // A second_login spelled like a UUID that is nobody's id is still found by it, in any of these spellings.
    String hexLogin = uuidLogin.replace("-", "");
    String hexUser = createUser(null, null, hexLogin).getString("id");
    assertEquals(hexUser, assertOk(get(byIdentifier(hexLogin)), 200).getString("id"));
    // '+' sent unencoded arrives as a space: restored for phone-shaped identifiers.
    assertEquals(id, assertOk(get("/accounts/users/by-identifier?identifier=" + phone), 200).getString("id"));

    String plainLogin = "login_" + randomToken();
    String other = createUser(null, null, plainLogin).getString("id");
    assertEquals(other, assertOk(get(byIdentifier(plainLogin)), 200).getString("id"));
    // The phone's digits without '+' are not a phone: looked up as a second_login, which nobody has.
    assertError(get(byIdentifier(phone.substring(1))), 404, "NOT_FOUND");
    assertError(get("/accounts/users/by-identifier"), 400, "VALIDATION_ERROR");
  }

  @ParameterizedTest
  @ValueSource(strings = {"' OR '1'='1", "x'; DROP TABLE accounts.users; --", "%", "\\", "\u0000abc",
    "00000000-0000-0000-0000-000000000000", "+1", "a@b", "🙂", "' UNION SELECT accounts.get_user_v1(null) --"})
  void injectionLookingIdentifiersAreNotFound(String identifier) {
    HttpResponse<Buffer> resp = get(byIdentifier(identifier));
    if (identifier.indexOf('\u0000') >= 0) {
      // Postgres text cannot hold NUL: refused, but as a client error.
      assertTrue(resp.statusCode() == 400 || resp.statusCode() == 404, resp::bodyAsString);
    } else {
      assertError(resp, 404, "NOT_FOUND");
    }
  }

  @Test
  void patchIsVisibleAtOnceByEveryIdentifierAndDropsEveryKey() {
    String phone = randomPhone();
    String email = "p" + randomToken() + "@example.com";
    String login = "l" + randomToken();
    String id = createUser(phone, email, login).getString("id");
    List<String> identifiers = List.of(id, phone, email, login);
    for (String identifier : identifiers) {
      assertOk(get(byIdentifier(identifier)), 200);
    }
    assertOk(get("/accounts/users/" + id), 200);
    assertTrue(cached("user:" + id));
    for (String identifier : identifiers) {
      assertTrue(cached("user_by_identifier:" + identifier), identifier);
    }

    JsonObject patched = assertOk(patch("/accounts/users/" + id,
      new JsonObject().put("profile", new JsonObject().put("name", "Changed").put("city", "Omsk"))), 200);
    assertEquals("Changed", patched.getJsonObject("profile").getString("name"));
    assertFalse(cached("user:" + id));
    for (String identifier : identifiers) {
      assertFalse(cached("user_by_identifier:" + identifier), identifier);
    }
    for (String identifier : identifiers) {
      JsonObject seen = assertOk(get(byIdentifier(identifier)), 200);
      assertEquals("Changed", seen.getJsonObject("profile").getString("name"), identifier);
      assertEquals("Omsk", seen.getJsonObject("profile").getString("city"));
    }
    assertEquals("Changed", assertOk(get("/accounts/users/" + id), 200).getJsonObject("profile").getString("name"));

    // null removes a profile key; deactivation hides the user from identifier lookups but not from the detail.
    JsonObject deactivated = assertOk(patch("/accounts/users/" + id,
      new JsonObject().put("profile", new JsonObject().putNull("city")).put("is_active", false)), 200);
    assertFalse(deactivated.getJsonObject("profile").containsKey("city"));
    for (String identifier : identifiers) {
      assertError(get(byIdentifier(identifier)), 404, "NOT_FOUND");
    }
    assertFalse(assertOk(get("/accounts/users/" + id), 200).getBoolean("is_active"));

    assertError(patch("/accounts/users/" + UUID.randomUUID(), new JsonObject().put("is_active", true)), 404, "NOT_FOUND");
    assertError(patch("/accounts/users/" + id, new JsonObject()), 400, "VALIDATION_ERROR");
    assertError(patch("/accounts/users/" + id, new JsonObject().put("is_active", "yes")), 400, "VALIDATION_ERROR");
  }

  @Test
  void writesEmitEventsInTheOutbox() throws Exception {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    patch("/accounts/users/" + id, new JsonObject().put("profile", new JsonObject().put("a", 1)));
    patch("/accounts/users/" + id, new JsonObject().put("is_active", false));
    List<String> types = new ArrayList<>();
    JsonObject last = null;
    try (Connection c = TestStack.superuser(database);
         PreparedStatement s = c.prepareStatement(
           "SELECT event_type, data::text FROM events.outbox WHERE aggregate_id = ? ORDER BY id")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          types.add(rs.getString(1));
          last = new JsonObject(rs.getString(2));
        }
      }
    }
    assertEquals(List.of("user.created", "user.updated", "user.deactivated"), types);
    assertNotNull(last);
    assertEquals(phone, last.getJsonObject("identifiers").getString("phone"));
    assertEquals(id, last.getJsonObject("identifiers").getString("id"));
    assertFalse(last.getBoolean("is_active"));
  }

  /**
   * The miss path's lookup (V12, one value since V13) builds the detail inline instead of calling user_json_v1: both
   * must give the same document, by phone, login and id, for a user with three contacts and two groups after one
   * membership ended. v4, kept for the previous release, answers the same from v5's text.
   */
  @Test
  void theLookupsDetailIsTheUserDetail() throws Exception {
    String phone = randomPhone();
    String login = "same_" + randomToken();
    String id = createUser(phone, "Same." + randomToken() + "@Example.com", login, "client", "driver").getString("id");
    assertEquals(200, delete("/accounts/user-group-memberships/" + id + "/" + groupId("driver")).statusCode());
    try (Connection c = TestStack.superuser(database);
         PreparedStatement s = c.prepareStatement("SELECT accounts.get_user_by_identifier_v5(?),"
           + " accounts.user_json_v1(?::uuid)::text, l.replayed_lsn::text, l.user_id::text, l.detail::text, l.unknown_key"
           + " FROM accounts.get_user_by_identifier_v4(?) l")) {
      for (String identifier : List.of(phone, login, id, id.toUpperCase().replace("-", ""))) {
        s.setString(1, identifier);
        s.setString(2, id);
        s.setString(3, identifier);
        try (ResultSet rs = s.executeQuery()) {
          assertTrue(rs.next());
          AccountsStore.Lookup lookup = AccountsStore.Lookup.parse(rs.getString(1));
          assertEquals(id, lookup.userId().toString(), identifier);
          assertEquals(new JsonObject(rs.getString(2)), new JsonObject(lookup.detail()), identifier);
          assertNull(lookup.unknownKey(), identifier);
          assertNull(lookup.replayed(), "read on the primary: " + identifier);
          assertNull(rs.getString(3), identifier);
          assertEquals(id, rs.getString(4), identifier);
          assertEquals(new JsonObject(rs.getString(2)), new JsonObject(rs.getString(5)), identifier);
          assertNull(rs.getString(6), identifier);
        }
      }
      String unknown = "{" + UUID.randomUUID().toString().toUpperCase() + "}";
      s.setString(1, unknown);
      s.setString(2, id);
      s.setString(3, unknown);
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next());
        AccountsStore.Lookup lookup = AccountsStore.Lookup.parse(rs.getString(1));
        String key = unknown.substring(1, unknown.length() - 1).toLowerCase();
        assertFalse(lookup.found());
        assertEquals(key, lookup.unknownKey());
        assertNull(rs.getString(4));
        assertEquals(key, rs.getString(6));
      }
      JsonObject detail = assertOk(get(byIdentifier(phone)), 200);
      assertEquals(List.of("client"), names(detail.getJsonArray("groups")));
      assertEquals(3, detail.getJsonArray("contacts").size());
    }
  }

  @Test
  void listsUsersByPage() {
    for (int i = 0; i < 3; i++) {
      createUser(randomPhone(), null, null);
    }
    JsonObject page = assertOk(get("/accounts/users?page=1&size=2"), 200);
    assertEquals(2, page.getJsonArray("items").size());
    assertEquals(1, page.getInteger("page"));
    assertEquals(2, page.getInteger("size"));
    assertTrue(page.getInteger("total") >= 3);
    JsonObject second = assertOk(get("/accounts/users?page=2&size=2"), 200);
    assertFalse(second.getJsonArray("items").isEmpty());
    assertFalse(page.getJsonArray("items").getJsonObject(0).getString("id")
      .equals(second.getJsonArray("items").getJsonObject(0).getString("id")));
    assertOk(get("/accounts/users"), 200);
    assertError(get("/accounts/users?size=101"), 400, "VALIDATION_ERROR");
    assertError(get("/accounts/users?page=0"), 400, "VALIDATION_ERROR");
    assertError(get("/accounts/users?page=abc"), 400, "VALIDATION_ERROR");
    for (String q : new String[] {"size=20.0", "page=1.0", "size=2e1", "size=99999999999"}) {
      assertError(get("/accounts/users?" + q), 400, "VALIDATION_ERROR");
    }
  }

  @Test
  void contactsLifecycleInvalidatesTheUser() {
    String phone = randomPhone();
    String id = createUser(phone, null, "old_" + randomToken()).getString("id");
    warm(id, phone);

    // A new second_login replaces the previous one.
    String login = "new_" + randomToken();
    JsonObject contact = assertOk(post("/accounts/contacts", new JsonObject().put("user_id", id)
      .put("type", "second_login").put("value", login)), 201);
    assertKeysGone(id, phone);
    JsonObject user = assertOk(get(byIdentifier(phone)), 200);
    assertEquals(List.of(login), values(user, "second_login"));
    JsonArray all = new JsonArray(assertOk200(get("/accounts/contacts/user/" + id)));
    List<Boolean> loginStates = new ArrayList<>();
    all.forEach(o -> {
      JsonObject c = (JsonObject) o;
      if ("second_login".equals(c.getString("type"))) {
        loginStates.add(c.getBoolean("is_active"));
      }
    });
    assertEquals(List.of(false, true), loginStates);

    // A second active phone conflicts; an e-mail is added; a taken e-mail conflicts.
    assertError(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "phone")
      .put("value", randomPhone())), 409, "CONTACT_TYPE_CONFLICT");
    assertError(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "second_login")
      .put("value", "+79991112233")), 400, "INVALID_SECOND_LOGIN");
    assertError(post("/accounts/contacts", new JsonObject().put("user_id", id).put("type", "fax")
      .put("value", "1")), 400, "VALIDATION_ERROR");
    assertError(post("/accounts/contacts", new JsonObject().put("user_id", UUID.randomUUID().toString())
      .put("type", "email").put("value", "z" + randomToken() + "@x.io")), 404, "NOT_FOUND");

    warm(id, phone);
    String contactId = contact.getString("id");
    JsonObject changed = assertOk(patch("/accounts/contacts/" + contactId, new JsonObject().put("value", "renamed_" + login)), 200);
    assertEquals("renamed_" + login, changed.getString("value"));
    assertKeysGone(id, phone);
    assertEquals(id, assertOk(get(byIdentifier("renamed_" + login)), 200).getString("id"));
    assertError(get(byIdentifier(login)), 404, "NOT_FOUND");

    assertEquals(contactId, assertOk(get("/accounts/contacts/" + contactId), 200).getString("id"));
    warm(id, phone);
    assertFalse(assertOk(delete("/accounts/contacts/" + contactId), 200).getBoolean("is_active"));
    assertKeysGone(id, phone);
    assertError(get(byIdentifier("renamed_" + login)), 404, "NOT_FOUND");

    assertError(get("/accounts/contacts/" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertError(get("/accounts/contacts/user/" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertError(delete("/accounts/contacts/" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertError(patch("/accounts/contacts/" + contactId, new JsonObject().put("bogus", 1)), 400, "VALIDATION_ERROR");
  }

  @Test
  void membershipsLifecycleInvalidatesTheUser() {
    String phone = randomPhone();
    String id = createUser(phone, null, null, "client").getString("id");
    String driver = groupId("driver");
    warm(id, phone);
    JsonObject m = assertOk(post("/accounts/user-group-memberships",
      new JsonObject().put("user_id", id).put("group_id", driver)), 201);
    assertEquals("driver", m.getString("group_name"));
    assertKeysGone(id, phone);
    assertEquals(List.of("client", "driver"), names(assertOk(get(byIdentifier(phone)), 200).getJsonArray("groups")));

    assertEquals(2, new JsonArray(get("/accounts/user-group-memberships?user_id=" + id).body()).size());
    assertTrue(assertOk(get("/accounts/user-group-memberships/" + id + "/" + driver), 200).getBoolean("is_active"));
    warm(id, phone);
    assertFalse(assertOk(delete("/accounts/user-group-memberships/" + id + "/" + driver), 200).getBoolean("is_active"));
    assertKeysGone(id, phone);
    assertEquals(List.of("client"), names(assertOk(get("/accounts/users/" + id), 200).getJsonArray("groups")));

    assertError(get("/accounts/user-group-memberships/" + id + "/" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertError(get("/accounts/user-group-memberships?user_id=" + UUID.randomUUID()), 404, "NOT_FOUND");
    assertError(get("/accounts/user-group-memberships"), 400, "VALIDATION_ERROR");
    assertError(post("/accounts/user-group-memberships", new JsonObject().put("user_id", id)
      .put("group_id", UUID.randomUUID().toString())), 404, "NOT_FOUND");
    assertError(delete("/accounts/user-group-memberships/" + UUID.randomUUID() + "/" + driver), 404, "NOT_FOUND");
  }

  @Test
  void dictionariesAreCachedAndInvalidated() {
    JsonArray groups = new JsonArray(assertOk200(get("/accounts/user-groups", tokens.token(UUID.randomUUID().toString()))));
    assertTrue(names(groups).containsAll(List.of("admin", "client", "driver")));
    assertTrue(cached("users:user_groups"));

    String name = "g_" + randomToken();
    JsonObject created = assertOk(post("/accounts/user-groups", new JsonObject().put("name", name)), 201);
    assertFalse(cached("users:user_groups"));
    assertTrue(names(new JsonArray(get("/accounts/user-groups").body())).contains(name));
    assertError(post("/accounts/user-groups", new JsonObject().put("name", name)), 409, "CONFLICT");
    assertError(post("/accounts/user-groups", new JsonObject().put("name", "Bad Name")), 400, "VALIDATION_ERROR");
    // "service" is the role of service clients: no group may carry it (roles come from group names).
    assertError(post("/accounts/user-groups", new JsonObject().put("name", "service")), 400, "VALIDATION_ERROR");
    assertError(patch("/accounts/user-groups/" + created.getString("id"), new JsonObject().put("name", "service")),
      400, "VALIDATION_ERROR");

    // A rename changes what users' cached details show: those are dropped too.
    String phone = randomPhone();
    String userId = createUser(phone, null, null, name).getString("id");
    warm(userId, phone);
    String renamed = name + "_x";
    assertEquals(renamed, assertOk(patch("/accounts/user-groups/" + created.getString("id"),
      new JsonObject().put("name", renamed)), 200).getString("name"));
    assertKeysGone(userId, phone);
    assertEquals(List.of(renamed), names(assertOk(get(byIdentifier(phone)), 200).getJsonArray("groups")));

    assertError(delete("/accounts/user-groups/" + created.getString("id")), 409, "CONFLICT");
    String unused = assertOk(post("/accounts/user-groups", new JsonObject().put("name", "u_" + randomToken())), 201).getString("id");
    assertEquals(204, delete("/accounts/user-groups/" + unused).statusCode());
    assertError(delete("/accounts/user-groups/" + unused), 404, "NOT_FOUND");
    assertError(delete("/accounts/user-groups/" + groupId("admin")), 409, "CONFLICT");

    JsonArray types = new JsonArray(get("/accounts/contact-types").body());
    assertTrue(names(types).containsAll(List.of("email", "phone", "second_login")));
    String typeName = "t_" + randomToken();
    String typeId = assertOk(post("/accounts/contact-types", new JsonObject().put("name", typeName)
      .put("description", "telegram handle")), 201).getString("id");
    assertTrue(names(new JsonArray(get("/accounts/contact-types").body())).contains(typeName));
    assertEquals("tg", assertOk(patch("/accounts/contact-types/" + typeId,
      new JsonObject().put("description", "tg")), 200).getString("description"));
    String phoneType = types.stream().map(o -> (JsonObject) o).filter(o -> o.getString("name").equals("phone"))
      .findFirst().orElseThrow().getString("id");
    assertError(patch("/accounts/contact-types/" + phoneType, new JsonObject().put("name", "mobile")), 409, "CONFLICT");
    assertEquals(204, delete("/accounts/contact-types/" + typeId).statusCode());
    assertFalse(names(new JsonArray(get("/accounts/contact-types").body())).contains(typeName));
  }

  @Test
  void bulkCreatesEachItemOnItsOwn() {
    String taken = randomPhone();
    createUser(taken, null, null);
    JsonArray items = new JsonArray()
      .add(new JsonObject().put("contacts", new JsonArray().add(new JsonObject().put("type", "phone").put("value", randomPhone()))))
      .add(new JsonObject().put("contacts", new JsonArray().add(new JsonObject().put("type", "phone").put("value", taken))))
      .add(new JsonObject().put("groups", new JsonArray().add("nosuchgroup")))
      .add(new JsonObject().put("profile", new JsonObject().put("n", 4)).put("groups", new JsonArray().add("driver")));
    JsonObject result = assertOk(post("/accounts/users/bulk", new JsonObject().put("interface", "crm").put("users", items)), 200);
    assertEquals(List.of(0, 3), positions(result.getJsonArray("created"), "index"));
    assertEquals(List.of(1, 2), positions(result.getJsonArray("failed"), "index"));
    assertEquals("CONTACT_TYPE_CONFLICT", result.getJsonArray("failed").getJsonObject(0).getString("error_code"));
    assertEquals("VALIDATION_ERROR", result.getJsonArray("failed").getJsonObject(1).getString("error_code"));
    String id = result.getJsonArray("created").getJsonObject(1).getString("id");
    assertEquals("crm", assertOk(get("/accounts/users/" + id), 200).getJsonObject("profile").getString("source"));
    assertError(post("/accounts/users/bulk", new JsonObject().put("users", new JsonArray())), 400, "VALIDATION_ERROR");
  }

  // helpers -------------------------------------------------------------------------------------------------

  private void warm(String id, String phone) {
    assertOk(get("/accounts/users/" + id), 200);
    assertOk(get(byIdentifier(phone)), 200);
    assertTrue(cached("user:" + id));
    assertTrue(cached("user_by_identifier:" + phone));
  }

  private void assertKeysGone(String id, String phone) {
    assertFalse(cached("user:" + id), "user:" + id);
    assertFalse(cached("user_by_identifier:" + phone), "user_by_identifier:" + phone);
  }

  static List<String> names(JsonArray arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(o -> out.add(((JsonObject) o).getString("name")));
    return out;
  }

  static List<String> values(JsonObject user, String type) {
    List<String> out = new ArrayList<>();
    user.getJsonArray("contacts").forEach(o -> {
      JsonObject c = (JsonObject) o;
      if (type.equals(c.getString("type"))) {
        out.add(c.getString("value"));
      }
    });
    return out;
  }

  static List<Integer> positions(JsonArray arr, String field) {
    List<Integer> out = new ArrayList<>();
    arr.forEach(o -> out.add(((JsonObject) o).getInteger(field)));
    return out;
  }

  static Buffer assertOk200(HttpResponse<Buffer> resp) {
    assertEquals(200, resp.statusCode(), resp::bodyAsString);
    return resp.body();
  }
}
