package com.paysvc.users;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /accounts/users/by-identifier?identifier=…&include_inactive=true}: what auth asks when a login finds no
 * active user, to tell a deactivated account from an unknown one. Same reading of the identifier, over inactive
 * users too; needs users:read; never cached.
 */
class IncludeInactiveIT extends UsersTestBase {

  private String reader() {
    return tokens.service("auth", "users:lookup", "users:read");
  }

  private static String including(String identifier) {
    return byIdentifier(identifier) + "&include_inactive=true";
  }

  @Test
  void findsADeactivatedUserByEveryKindOfIdentifierWhereThePlainLookupDoesNot() {
    String phone = randomPhone();
    String email = "Inactive." + randomToken() + "@Example.com";
    String login = "login_" + randomToken();
    String id = createUser(phone, email, login).getString("id");
    assertFalse(assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", false)), 200).getBoolean("is_active"));

    for (String identifier : List.of(id, id.toUpperCase(Locale.ROOT), phone, email, email.toLowerCase(Locale.ROOT), login)) {
      assertError(get(byIdentifier(identifier), reader()), 404, "NOT_FOUND");
      JsonObject found = assertOk(get(including(identifier), reader()), 200);
      assertEquals(id, found.getString("id"), identifier);
      assertFalse(found.getBoolean("is_active"), identifier);
      assertEquals(3, found.getJsonArray("contacts").size(), identifier);
      // The admin may ask too.
      assertEquals(id, assertOk(get(including(identifier)), 200).getString("id"), identifier);
    }
    // The rare path caches nothing: the only entries are the plain lookups' cached 404s (empty values), under the
    // canonical identifier; none for the id (a UUID that is no active user's id is not cached).
    for (String identifier : List.of(phone, email.toLowerCase(Locale.ROOT), login)) {
      assertEquals("", redis(cacheRedis, Command.GET, ns + "user_by_identifier:" + identifier).toString(), identifier);
    }
    assertFalse(cached("user_by_identifier:" + id));
  }

  @Test
  void aUuidShapedSecondLoginOfADeactivatedUserIsFound() {
    String external = UUID.randomUUID().toString();
    String id = createUser(null, null, external).getString("id");
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", false)), 200);
    assertError(get(byIdentifier(external), reader()), 404, "NOT_FOUND");
    assertEquals(id, assertOk(get(including(external), reader()), 200).getString("id"));
  }

  @Test
  void anActiveUsersMatchIsThePlainLookupsAnswer() {
    String phone = randomPhone();
    String active = createUser(phone, null, null).getString("id");
    assertEquals(active, assertOk(get(including(phone), reader()), 200).getString("id"));
    assertTrue(assertOk(get(including(active), reader()), 200).getBoolean("is_active"));

    // A deactivated user's id that is also an active user's second_login: the plain lookup answers the active
    // user, and so does include_inactive (it never contradicts the plain lookup).
    String inactive = createUser(randomPhone(), null, null).getString("id");
    assertOk(patch("/accounts/users/" + inactive, new JsonObject().put("is_active", false)), 200);
    String holder = createUser(null, null, inactive).getString("id");
    assertEquals(holder, assertOk(get(byIdentifier(inactive), reader()), 200).getString("id"));
    assertEquals(holder, assertOk(get(including(inactive), reader()), 200).getString("id"));
  }

  @Test
  void releasedContactsNameNobodyOrTheirNewOwner() {
    String phone = randomPhone();
    JsonObject user = createUser(phone, null, null);
    String id = user.getString("id");
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", false)), 200);
    // auth's compensation releases the contacts of a failed registration.
    assertOk(delete("/accounts/contacts/" + user.getJsonArray("contacts").getJsonObject(0).getString("id")), 200);
    assertError(get(including(phone), reader()), 404, "NOT_FOUND");
    assertEquals(id, assertOk(get(including(id), reader()), 200).getString("id"));
    String next = createUser(phone, null, null).getString("id");
    assertEquals(next, assertOk(get(including(phone), reader()), 200).getString("id"));
  }

  @Test
  void unknownIdentifiersAndBadValues() {
    assertError(get(including("nobody_" + randomToken()), reader()), 404, "NOT_FOUND");
    assertError(get(including(UUID.randomUUID().toString()), reader()), 404, "NOT_FOUND");
    assertError(get(including(randomPhone()), reader()), 404, "NOT_FOUND");
    assertError(get("/accounts/users/by-identifier?include_inactive=true", reader()), 400, "VALIDATION_ERROR");
    for (String bad : List.of("yes", "1", "TRUE", "")) {
      assertError(get(byIdentifier("x") + "&include_inactive=" + bad, reader()), 400, "VALIDATION_ERROR");
    }
    // false is the plain lookup: users:lookup is enough.
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    assertEquals(id, assertOk(get(byIdentifier(phone) + "&include_inactive=false", tokens.service("webhook", "users:lookup")), 200)
      .getString("id"));
  }

  @Test
  void needsUsersRead() {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    assertError(get(including(phone), tokens.service("webhook", "users:lookup")), 403, "FORBIDDEN");
    assertError(get(including(phone), tokens.service("auth", "users:lookup", "users:create", "users:deactivate", "users:write")),
      403, "FORBIDDEN");
    assertError(get(including(phone), tokens.service("bare")), 403, "FORBIDDEN");
    // Not even for the user itself (its own lookup stays the plain one).
    String self = tokens.token(id, "client");
    assertEquals(id, assertOk(get(byIdentifier(phone), self), 200).getString("id"));
    assertError(get(including(phone), self), 403, "FORBIDDEN");
    assertEquals(id, assertOk(get(including(phone), reader()), 200).getString("id"));
  }

  @Test
  void aDeactivationIsSeenAtOnce() {
    for (int i = 0; i < 20; i++) {
      String phone = randomPhone();
      String id = createUser(phone, null, null).getString("id");
      assertTrue(assertOk(get(including(phone), reader()), 200).getBoolean("is_active"));
      assertOk(send(HttpMethod.PATCH, "/accounts/users/" + id, tokens.service("auth", "users:deactivate"),
        new JsonObject().put("is_active", false)), 200);
      JsonObject after = assertOk(get(including(phone), reader()), 200);
      assertFalse(after.getBoolean("is_active"), () -> "round " + after);
      assertEquals(new JsonArray().add(new JsonObject().put("type", "phone").put("value", phone)),
        contactsWithoutIds(after));
    }
  }

  private static JsonArray contactsWithoutIds(JsonObject user) {
    JsonArray out = new JsonArray();
    user.getJsonArray("contacts").forEach(o -> {
      JsonObject c = ((JsonObject) o).copy();
      c.remove("id");
      out.add(c);
    });
    return out;
  }
}
