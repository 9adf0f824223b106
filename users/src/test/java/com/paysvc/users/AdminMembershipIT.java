package com.paysvc.users;

import com.paysvc.common.events.Topology;
import com.paysvc.testing.TestStack;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Roles come from group names in a token that lives 15 minutes. Issue 27 reproduced that a user taken out of admin
 * re-granted itself with its live token (revoke 200, self re-grant 201). users alone (no auth, so no event ends the
 * session here): every write admitted by the admin role first checks on the primary that the caller is still an
 * active admin, so the stale token writes nothing (403) while it still reads; and each change of roles leaves one
 * user.roles_changed per affected user in the outbox, in the change's transaction.
 */
class AdminMembershipIT extends UsersTestBase {
  private static final String MEMBERSHIPS = "/accounts/user-group-memberships";
  /**
   * This class's own exchange: an auth of another test run consuming the shared test exchange would end the sessions
   * on these events, and a 401 would hide what is tested here, the database check alone.
   */
  private final Topology events = new Topology("writesit." + randomToken(), "none");

  @Override
  protected Map<String, String> extraEnv() {
    return Map.of("EVENTS_EXCHANGE", events.exchange());
  }

  /** The service first (it would declare the exchange again), then what it declared on the broker. */
  @AfterAll
  void deleteExchange() {
    launcher.stop().orTimeout(60, TimeUnit.SECONDS).join();
    RabbitMQClient admin = RabbitMQClient.create(vertx, new RabbitMQOptions().setHost("127.0.0.1")
      .setUser(TestStack.env("RABBITMQ_USER")).setPassword(TestStack.env("RABBITMQ_PASSWORD")));
    await(admin.start());
    TestStack.deleteFromBroker(admin, List.of(events.unrouted()),
      List.of(events.exchange(), events.deadLetterExchange(), events.unrouted()));
    await(admin.stop().otherwiseEmpty());
  }

  private HttpResponse<Buffer> as(String token, HttpMethod method, String uri, JsonObject body) {
    return body == null ? await(req(method, uri, token).send()) : send(method, uri, token, body);
  }

  private static JsonObject newUser(String... groups) {
    return new JsonObject().put("contacts", new JsonArray().add(new JsonObject().put("type", "phone").put("value", randomPhone())))
      .put("groups", new JsonArray(List.of(groups)));
  }

  @Test
  void aRemovedAdminsLiveTokenCannotReGrantItselfNorWriteAnythingButStillReads() {
    String adminGroup = groupId("admin");
    String id = assertOk(post("/accounts/users", newUser("admin")), 201).getString("id");
    String token = tokens.token(id, "admin");
    // While a member, its token writes.
    assertOk(as(token, HttpMethod.POST, "/accounts/users", newUser()), 201);

    assertFalse(assertOk(delete(MEMBERSHIPS + "/" + id + "/" + adminGroup), 200).getBoolean("is_active"));
    // The reproduction: the self re-grant, with the token that still says admin.
    JsonObject regrant = new JsonObject().put("user_id", id).put("group_id", adminGroup);
    assertError(as(token, HttpMethod.POST, MEMBERSHIPS, regrant), 403, "FORBIDDEN");
    assertFalse(assertOk(get(MEMBERSHIPS + "/" + id + "/" + adminGroup), 200).getBoolean("is_active"));
    // Nor any other write admitted by the role, the upload before its body is read.
    String other = assertOk(post("/accounts/users", newUser()), 201).getString("id");
    assertError(as(token, HttpMethod.POST, "/accounts/users", newUser()), 403, "FORBIDDEN");
    assertError(as(token, HttpMethod.PATCH, "/accounts/users/" + other, new JsonObject().put("is_active", false)), 403,
      "FORBIDDEN");
    assertError(as(token, HttpMethod.POST, "/accounts/users/bulk", new JsonObject().put("interface", "crm")
      .put("users", new JsonArray().add(newUser()))), 403, "FORBIDDEN");
    assertError(as(token, HttpMethod.POST, "/accounts/user-groups", new JsonObject().put("name", "g" + randomToken())), 403,
      "FORBIDDEN");
    assertError(as(token, HttpMethod.DELETE, "/accounts/user-groups/" + groupId("driver"), null), 403, "FORBIDDEN");
    assertError(await(req(HttpMethod.POST, "/accounts/users/bulk/upload", token).sendMultipartForm(MultipartForm.create()
      .binaryFileUpload("file", "u.csv", Buffer.buffer("phone,user_groups\n" + randomPhone() + ",client\n"), "text/csv"))),
      403, "FORBIDDEN");
    assertTrue200(as(token, HttpMethod.GET, "/accounts/users/" + other, null));
    assertTrue200(as(token, HttpMethod.GET, "/accounts/users?page=1&size=5", null));

    // Granted again by an admin, the same token writes again: the check is the membership now, not a deny-list.
    assertOk(post(MEMBERSHIPS, regrant), 201);
    assertOk(as(token, HttpMethod.POST, "/accounts/users", newUser()), 201);
  }

  private static void assertTrue200(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  @Test
  void onlyAnActiveAdminWritesByTheRoleAndServiceClientsAreUnaffected() {
    // A token for no user at all, and one for a deactivated admin.
    assertError(as(tokens.token(UUID.randomUUID().toString(), "admin"), HttpMethod.POST, "/accounts/users", newUser()),
      403, "FORBIDDEN");
    String id = assertOk(post("/accounts/users", newUser("admin")), 201).getString("id");
    assertOk(patch("/accounts/users/" + id, new JsonObject().put("is_active", false)), 200);
    assertError(as(tokens.token(id, "admin"), HttpMethod.POST, "/accounts/users", newUser()), 403, "FORBIDDEN");
    // Scopes admit service clients; nothing to check in the database for them.
    assertOk(as(tokens.service("crm", "users:write"), HttpMethod.POST, "/accounts/users", newUser("client")), 201);
    // A subject that names no user is no member of anything: auth's bootstrap-admin command signs such a token to
    // create the first admin, while there is none.
    assertOk(as(tokens.token("system:bootstrap-admin", "admin"), HttpMethod.POST, "/accounts/users", newUser("admin")),
      201);
  }

  /** user.roles_changed events in the outbox naming {@code userId}. */
  private long rolesChanged(String userId) {
    try (Connection c = TestStack.superuser(database); Statement s = c.createStatement()) {
      return Long.parseLong(text(s, "SELECT count(*) FROM events.outbox WHERE event_type = 'user.roles_changed' "
        + "AND data ->> 'user_id' = '" + userId + "'"));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonObject lastRolesChanged(String userId) {
    try (Connection c = TestStack.superuser(database); Statement s = c.createStatement()) {
      return new JsonObject(text(s, "SELECT json_build_object('data', data, 'producer', producer, 'aggregate_id', "
        + "aggregate_id)::text FROM events.outbox WHERE event_type = 'user.roles_changed' AND data ->> 'user_id' = '"
        + userId + "' ORDER BY id DESC LIMIT 1"));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everyChangeOfRolesWritesOneEventPerAffectedUserAndNothingElseDoes() {
    String driver = groupId("driver");
    // Created with groups: no session yet, no event (bulk and upload create new users the same way).
    String id = assertOk(post("/accounts/users", newUser("client")), 201).getString("id");
    assertEquals(0, rolesChanged(id));

    JsonObject membership = new JsonObject().put("user_id", id).put("group_id", driver);
    assertOk(post(MEMBERSHIPS, membership), 201);
    assertEquals(1, rolesChanged(id));
    JsonObject event = lastRolesChanged(id);
    assertEquals(new JsonObject().put("user_id", id).put("group_id", driver).put("reason", "membership_added"),
      event.getJsonObject("data"));
    assertEquals("users", event.getString("producer"));
    // Re-adding an active membership changes no role.
    assertOk(post(MEMBERSHIPS, membership), 201);
    assertEquals(1, rolesChanged(id));
    assertOk(delete(MEMBERSHIPS + "/" + id + "/" + driver), 200);
    assertEquals(2, rolesChanged(id));
    assertEquals("membership_removed", lastRolesChanged(id).getJsonObject("data").getString("reason"));
    assertOk(delete(MEMBERSHIPS + "/" + id + "/" + driver), 200);
    assertEquals(2, rolesChanged(id));

    // A renamed group: one event per active member, none for a former member; a new description changes no role.
    String name = "g" + randomToken();
    String group = assertOk(post("/accounts/user-groups", new JsonObject().put("name", name)), 201).getString("id");
    String a = assertOk(post("/accounts/users", newUser(name)), 201).getString("id");
    String b = assertOk(post("/accounts/users", newUser(name)), 201).getString("id");
    String former = assertOk(post("/accounts/users", newUser(name)), 201).getString("id");
    assertOk(delete(MEMBERSHIPS + "/" + former + "/" + group), 200);
    assertEquals(1, rolesChanged(former));
    assertOk(patch("/accounts/user-groups/" + group, new JsonObject().put("description", "same name")), 200);
    assertEquals(0, rolesChanged(a));
    assertOk(patch("/accounts/user-groups/" + group, new JsonObject().put("name", name + "_renamed")), 200);
    assertEquals(List.of(1L, 1L, 1L), List.of(rolesChanged(a), rolesChanged(b), rolesChanged(former)));
    JsonObject renamed = lastRolesChanged(a);
    assertEquals("group_renamed", renamed.getJsonObject("data").getString("reason"));
    assertEquals("user_group:" + group, renamed.getString("aggregate_id"));
    // A group with members, even former ones, cannot be deleted: deleting a group changes nobody's roles.
    assertError(delete("/accounts/user-groups/" + group), 409, "CONFLICT");
  }
}
