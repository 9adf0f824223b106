package com.paysvc.users;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A key twice in any object of a body is refused (400) on every write, before anything is written: with a last-wins
 * parser, {@code {"is_active": true, "is_active": false}} meant whatever the last copy said, and a check that read the
 * first copy could disagree with the write that applied the second.
 */
class DuplicateKeysIT extends UsersTestBase {

  private HttpResponse<Buffer> raw(HttpMethod method, String uri, String body) {
    return await(req(method, uri, admin).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }

  private static String phoneContact(String phone) {
    return "{\"type\": \"phone\", \"value\": \"" + phone + "\"}";
  }

  @Test
  void aCreateWithIsActiveTwiceIsRefusedAndNothingIsCreated() {
    String phone = randomPhone();
    assertError(raw(HttpMethod.POST, "/accounts/users", "{\"profile\": {\"name\": \"T\"}, \"contacts\": ["
      + phoneContact(phone) + "], \"is_active\": true, \"is_active\": false}"), 400, "VALIDATION_ERROR");
    assertError(get(byIdentifier(phone)), 404, "NOT_FOUND");
    // Once, it is a user.
    assertOk(raw(HttpMethod.POST, "/accounts/users", "{\"profile\": {\"name\": \"T\"}, \"contacts\": ["
      + phoneContact(phone) + "], \"is_active\": true}"), 201);
  }

  @Test
  void nestedDuplicatesAreRefusedOnEveryWrite() {
    String phone = randomPhone();
    // In the profile, and in a contact (an object in an array in the body).
    assertError(raw(HttpMethod.POST, "/accounts/users", "{\"profile\": {\"tier\": \"gold\", \"tier\": \"basic\"}, "
      + "\"contacts\": [" + phoneContact(phone) + "]}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, "/accounts/users", "{\"contacts\": [{\"type\": \"phone\", \"value\": \"" + phone
      + "\", \"value\": \"" + randomPhone() + "\"}]}"), 400, "VALIDATION_ERROR");
    assertError(get(byIdentifier(phone)), 404, "NOT_FOUND");

    String id = createUser(phone, null, null, "client").getString("id");
    assertError(raw(HttpMethod.PATCH, "/accounts/users/" + id, "{\"profile\": {\"a\": {\"b\": 1, \"b\": 2}}}"), 400,
      "VALIDATION_ERROR");
    // Which copy is the deactivation? Neither: refused.
    assertError(raw(HttpMethod.PATCH, "/accounts/users/" + id, "{\"is_active\": false, \"is_active\": true}"), 400,
      "VALIDATION_ERROR");
    JsonObject user = assertOk(get("/accounts/users/" + id), 200);
    assertEquals(new JsonObject().put("name", "T"), user.getJsonObject("profile"));
    assertEquals(true, user.getBoolean("is_active"));

    assertError(raw(HttpMethod.POST, "/accounts/users/bulk", "{\"interface\": \"crm\", \"users\": [{\"contacts\": ["
      + phoneContact(randomPhone()) + "], \"groups\": [\"client\"], \"groups\": [\"admin\"]}]}"), 400, "VALIDATION_ERROR");
    assertError(raw(HttpMethod.POST, "/accounts/contacts", "{\"user_id\": \"" + id + "\", \"type\": \"email\", "
      + "\"value\": \"a" + randomToken() + "@example.com\", \"type\": \"phone\"}"), 400, "VALIDATION_ERROR");
  }
}
