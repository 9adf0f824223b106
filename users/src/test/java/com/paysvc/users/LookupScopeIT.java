package com.paysvc.users;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A service client granted only users:lookup (webhook) gets what it needs of a record, its id and is_active, not the
 * profile, contacts or groups (issue 27, item 7). users:read (auth), admins and the user itself keep the record, and
 * admins and readers get the cached bytes as they are.
 */
class LookupScopeIT extends UsersTestBase {

  @Test
  void aLookupOnlyClientGetsTheIdAndIsActive() {
    String phone = randomPhone();
    String email = "look." + randomToken() + "@example.com";
    String id = createUser(phone, email, null, "client").getString("id");
    String webhook = tokens.service("webhook", "users:lookup");
    for (String identifier : List.of(phone, email.toUpperCase(Locale.ROOT), id, phone)) {
      JsonObject answer = assertOk(get(byIdentifier(identifier), webhook), 200);
      assertEquals(new JsonObject().put("id", id).put("is_active", true), answer, identifier);
    }
    assertError(get(byIdentifier(randomPhone()), webhook), 404, "NOT_FOUND");
  }

  @Test
  void readersAdminsAndTheUserItselfGetTheRecordReadersAndAdminsAsCached() {
    String phone = randomPhone();
    String id = createUser(phone, null, null, "client").getString("id");
    String auth = tokens.service("auth", "users:lookup", "users:read", "users:create", "users:deactivate");
    for (String token : List.of(auth, admin, tokens.token(id, "client"))) {
      JsonObject record = assertOk(get(byIdentifier(phone), token), 200);
      assertEquals(Set.of("id", "created_at", "updated_at", "is_active", "profile", "groups", "contacts"),
        record.fieldNames());
      assertEquals("T", record.getJsonObject("profile").getString("name"));
    }
    HttpResponse<Buffer> cachedForAdmin = get(byIdentifier(phone));
    assertEquals(redis(cacheRedis, Command.GET, ns + "user_by_identifier:" + phone).toBuffer(), cachedForAdmin.body(),
      "the cached bytes, unparsed");
    assertEquals(cachedForAdmin.body(), get(byIdentifier(phone), auth).body());
  }
}
