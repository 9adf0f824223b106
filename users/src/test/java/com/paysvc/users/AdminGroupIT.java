package com.paysvc.users;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whoever is in the group admin is an admin (roles come from group names), so only an admin may put users into it
 * or take them out. A service client never can, whatever its scopes: not by membership, not by creating a user in
 * it, not by a bulk item or an upload row (those fail one by one with 403), not by naming a group admin.
 */
class AdminGroupIT extends UsersTestBase {
  private static final String MEMBERSHIPS = "/accounts/user-group-memberships";

  /** A service granted everything users knows. */
  private String everything() {
    return tokens.service("crm", "users:lookup", "users:read", "users:create", "users:deactivate", "users:write");
  }

  @Test
  void aServiceCannotAddOrRemoveAnAdminMembershipAndAnAdminCan() {
    String service = everything();
    String adminGroup = groupId("admin");
    String id = createUser(randomPhone(), null, null, "client").getString("id");
    JsonObject membership = new JsonObject().put("user_id", id).put("group_id", adminGroup);

    assertError(send(HttpMethod.POST, MEMBERSHIPS, service, membership), 403, "FORBIDDEN");
    // The same group spelled in upper case is the same uuid.
    assertError(send(HttpMethod.POST, MEMBERSHIPS, service,
      membership.copy().put("group_id", adminGroup.toUpperCase(Locale.ROOT))), 403, "FORBIDDEN");
    assertEquals(List.of("client"), groupsOf(id));
    // Other groups stay the service's to change.
    assertOk(send(HttpMethod.POST, MEMBERSHIPS, service, membership.copy().put("group_id", groupId("driver"))), 201);
    assertEquals(List.of("client", "driver"), groupsOf(id));

    assertTrue(assertOk(post(MEMBERSHIPS, membership), 201).getBoolean("is_active"));
    assertEquals(List.of("admin", "client", "driver"), groupsOf(id));
    assertError(await(req(HttpMethod.DELETE, MEMBERSHIPS + "/" + id + "/" + adminGroup, service).send()), 403, "FORBIDDEN");
    assertEquals(List.of("admin", "client", "driver"), groupsOf(id));
    assertFalse(assertOk(delete(MEMBERSHIPS + "/" + id + "/" + adminGroup), 200).getBoolean("is_active"));
    assertEquals(List.of("client", "driver"), groupsOf(id));
    // Re-activating the former membership is adding it again: refused as well.
    assertError(send(HttpMethod.POST, MEMBERSHIPS, service, membership), 403, "FORBIDDEN");
    assertEquals(List.of("client", "driver"), groupsOf(id));
  }

  @Test
  void aServiceCannotCreateAUserInTheAdminGroupAndAnAdminCan() {
    for (String service : List.of(everything(), tokens.service("auth", "users:lookup", "users:read", "users:create", "users:deactivate"))) {
      for (List<String> groups : List.of(List.of("admin"), List.of("client", "admin"))) {
        String phone = randomPhone();
        assertError(send(HttpMethod.POST, "/accounts/users", service, newUser(phone, groups)), 403, "FORBIDDEN");
        // All or nothing: no user without the group either.
        assertError(get(byIdentifier(phone)), 404, "NOT_FOUND");
      }
      assertOk(send(HttpMethod.POST, "/accounts/users", service, newUser(randomPhone(), List.of("client"))), 201);
    }
    JsonObject made = assertOk(post("/accounts/users", newUser(randomPhone(), List.of("client", "admin"))), 201);
    assertEquals(List.of("admin", "client"), UsersApiIT.names(made.getJsonArray("groups")));
  }

  @Test
  void bulkItemsNamingAdminFailOneByOne() {
    String[] phones = {randomPhone(), randomPhone(), randomPhone()};
    JsonObject body = new JsonObject().put("interface", "crm").put("users", new JsonArray()
      .add(newUser(phones[0], List.of("client")))
      .add(newUser(phones[1], List.of("driver", "admin")))
      .add(newUser(phones[2], List.of())));
    JsonObject result = assertOk(send(HttpMethod.POST, "/accounts/users/bulk", everything(), body), 200);
    assertEquals(List.of(0, 2), UsersApiIT.positions(result.getJsonArray("created"), "index"));
    JsonObject failed = result.getJsonArray("failed").getJsonObject(0);
    assertEquals(1, failed.getInteger("index"));
    assertEquals("FORBIDDEN", failed.getString("error_code"));
    assertError(get(byIdentifier(phones[1])), 404, "NOT_FOUND");

    // An admin's batch puts the user into the group.
    String adminsPick = randomPhone();
    JsonObject byAdmin = assertOk(post("/accounts/users/bulk", new JsonObject().put("users", new JsonArray()
      .add(newUser(adminsPick, List.of("admin"))))), 200);
    assertEquals(0, byAdmin.getJsonArray("failed").size());
    assertEquals(List.of("admin"), UsersApiIT.names(assertOk(get(byIdentifier(adminsPick)), 200).getJsonArray("groups")));
  }

  @Test
  void uploadRowsNamingAdminFailOneByOne() {
    String[] phones = {randomPhone(), randomPhone(), randomPhone()};
    String csv = "phone,user_groups\n"
      + phones[0] + ",client\n"
      + phones[1] + ",\"client,admin\"\n"
      + phones[2] + ",\" admin \"\n";
    JsonObject result = assertOk(upload(everything(), csv), 200);
    assertEquals(List.of(1), UsersApiIT.positions(result.getJsonArray("created"), "row"));
    assertEquals(List.of(2, 3), UsersApiIT.positions(result.getJsonArray("failed"), "row"));
    result.getJsonArray("failed").forEach(o -> assertEquals("FORBIDDEN", ((JsonObject) o).getString("error_code")));
    assertError(get(byIdentifier(phones[1])), 404, "NOT_FOUND");
    assertError(get(byIdentifier(phones[2])), 404, "NOT_FOUND");

    String adminsPick = randomPhone();
    JsonObject byAdmin = assertOk(upload(admin, "phone,user_groups\n" + adminsPick + ",\"client, admin\"\n"), 200);
    assertEquals(List.of(1), UsersApiIT.positions(byAdmin.getJsonArray("created"), "row"));
    assertEquals(List.of("admin", "client"), UsersApiIT.names(assertOk(get(byIdentifier(adminsPick)), 200).getJsonArray("groups")));
  }

  @Test
  void onlyAnAdminMayNameAGroupAdmin() {
    String service = everything();
    // The group admin exists and keeps its name, so even an admin gets a conflict: the name is never free.
    assertError(send(HttpMethod.POST, "/accounts/user-groups", service, new JsonObject().put("name", "admin")), 403, "FORBIDDEN");
    assertError(post("/accounts/user-groups", new JsonObject().put("name", "admin")), 409, "CONFLICT");
    String client = groupId("client");
    assertError(send(HttpMethod.PATCH, "/accounts/user-groups/" + client, service, new JsonObject().put("name", "admin")),
      403, "FORBIDDEN");
    assertError(patch("/accounts/user-groups/" + client, new JsonObject().put("name", "admin")), 409, "CONFLICT");
    assertError(patch("/accounts/user-groups/" + groupId("admin"), new JsonObject().put("name", "admins")), 409, "CONFLICT");
    // Other names, and the admin group's description, remain users:write's.
    assertOk(send(HttpMethod.POST, "/accounts/user-groups", service, new JsonObject().put("name", "g_" + randomToken())), 201);
    assertOk(send(HttpMethod.PATCH, "/accounts/user-groups/" + groupId("admin"), service,
      new JsonObject().put("description", "platform administrators")), 200);
  }

  private List<String> groupsOf(String id) {
    return UsersApiIT.names(assertOk(get("/accounts/users/" + id), 200).getJsonArray("groups"));
  }

  private static JsonObject newUser(String phone, List<String> groups) {
    return new JsonObject()
      .put("contacts", new JsonArray().add(new JsonObject().put("type", "phone").put("value", phone)))
      .put("groups", new JsonArray(groups));
  }

  private HttpResponse<Buffer> upload(String token, String csv) {
    return await(req(HttpMethod.POST, "/accounts/users/bulk/upload", token)
      .sendMultipartForm(MultipartForm.create().binaryFileUpload("file", "users.csv", Buffer.buffer(csv), "text/csv")));
  }
}
