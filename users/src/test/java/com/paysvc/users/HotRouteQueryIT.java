package com.paysvc.users;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two hot routes (bound ahead of the contract's router) follow the platform's rule for query parameters a route
 * does not define: 400 VALIDATION_ERROR naming the parameter. by-identifier defines identifier and include_inactive,
 * GET /users/{user_id} none.
 */
class HotRouteQueryIT extends UsersTestBase {

  private void assertRefused(String uri, String parameter) {
    JsonObject error = assertError(get(uri), 400, "VALIDATION_ERROR");
    assertEquals(true, error.getString("message").startsWith("unknown query parameter '" + parameter + "'"), uri);
    assertEquals(parameter, error.getJsonObject("details").getString("parameter"), uri);
  }

  @Test
  void byIdentifierRefusesParametersItDoesNotDefine() {
    String phone = randomPhone();
    String id = createUser(phone, null, null).getString("id");
    assertEquals(id, assertOk(get(byIdentifier(phone)), 200).getString("id"));
    assertEquals(id, assertOk(get(byIdentifier(phone) + "&include_inactive=false"), 200).getString("id"));
    assertRefused(byIdentifier(phone) + "&page=2", "page");
    assertRefused("/accounts/users/by-identifier?debug=1&identifier=" + phone.replace("+", "%2B"), "debug");
    // Names are case-sensitive in the contract: IDENTIFIER is not identifier.
    assertRefused("/accounts/users/by-identifier?IDENTIFIER=" + phone.replace("+", "%2B"), "IDENTIFIER");
    assertRefused(byIdentifier(phone) + "&Include_Inactive=true", "Include_Inactive");
    // A long name is named, shortened.
    String longName = "p".repeat(300);
    assertRefused(byIdentifier(phone) + "&" + longName + "=1", "p".repeat(64) + "...");
    // A defined one given twice is refused too (which would count?), as the contract's router does.
    JsonObject twice = assertError(get(byIdentifier(phone) + "&identifier=x"), 400, "VALIDATION_ERROR");
    assertEquals("identifier", twice.getJsonObject("details").getString("parameter"));
    // A query that is not validly %-encoded.
    assertError(get("/accounts/users/by-identifier?identifier=%"), 400, "VALIDATION_ERROR");
    // Authentication comes first.
    assertError(get(byIdentifier(phone) + "&page=2", null), 401, "UNAUTHORIZED");
  }

  @Test
  void theDetailDefinesNone() {
    String id = createUser(randomPhone(), null, null).getString("id");
    assertEquals(id, assertOk(get("/accounts/users/" + id), 200).getString("id"));
    assertEquals(id, assertOk(get("/accounts/users/" + id + "?"), 200).getString("id"));
    assertRefused("/accounts/users/" + id + "?fields=profile", "fields");
    assertRefused("/accounts/users/" + id + "?identifier=x", "identifier");
  }
}
