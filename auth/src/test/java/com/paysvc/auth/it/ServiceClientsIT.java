package com.paysvc.auth.it;

import com.paysvc.common.client.PeerClient;
import com.paysvc.common.client.ServiceToken;
import com.paysvc.testing.Http;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static com.paysvc.auth.it.Platform.claimsOf;
import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Least privilege of service clients, end to end: tokens from auth's grant, fetched by common's ServiceToken and
 * used through PeerClient as webhook and auth do, checked by the real users service.
 */
class ServiceClientsIT extends PlatformIT {
  Vertx vertx;
  WebClient web;

  @BeforeAll
  void client() {
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
  }

  @AfterAll
  void closeClient() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  PeerClient usersAs(String clientId, String secret) {
    return new PeerClient(vertx, web, "users", p.users.baseUrl(), ServiceToken.viaGrant(web, p.authUrl(), clientId, secret),
      2000, new SimpleMeterRegistry());
  }

  HttpResponse<Buffer> call(PeerClient c, HttpMethod m, String path, JsonObject body) {
    return await(c.send(m, path, body, "it-" + m));
  }

  @Test
  void webhooksTokenMayOnlyLookUsersUp() {
    Platform.Person a = person();
    String id = p.register(a);
    String token = p.serviceToken("webhook", p.credentials.webhookSecret);
    assertEquals("users:lookup", claimsOf(token).getString("scope"));
    assertEquals(Set.of("service"), Set.copyOf(claimsOf(token).getJsonArray("roles").getList()));

    PeerClient webhook = usersAs("webhook", p.credentials.webhookSecret);
    HttpResponse<Buffer> found = call(webhook, HttpMethod.GET, "/accounts/users/by-identifier?identifier="
      + URLEncoder.encode(a.phone(), StandardCharsets.UTF_8), null);
    assertEquals(200, found.statusCode(), found.bodyAsString());
    assertEquals(id, found.bodyAsJsonObject().getString("id"));
    assertEquals(403, call(webhook, HttpMethod.GET, "/accounts/users/" + id, null).statusCode());
    assertEquals(403, call(webhook, HttpMethod.POST, "/accounts/users", new JsonObject().put("profile", new JsonObject()))
      .statusCode(), "webhook cannot create users");
    String adminGroup = groupId("admin");
    HttpResponse<Buffer> grant = call(webhook, HttpMethod.POST, "/accounts/user-group-memberships",
      new JsonObject().put("user_id", id).put("group_id", adminGroup));
    assertEquals(403, grant.statusCode(), "webhook cannot grant admin: " + grant.bodyAsString());
    assertEquals(403, call(webhook, HttpMethod.PATCH, "/accounts/users/" + id, new JsonObject().put("is_active", false))
      .statusCode());
    // The person is unchanged: still active, still no admin.
    JsonObject user = p.usersCall("GET", "/accounts/users/" + id, null, p.admin()).json();
    assertEquals(true, user.getBoolean("is_active"));
    assertEquals(new JsonArray(), user.getJsonArray("groups"));
  }

  @Test
  void authsTokenCreatesAndDeactivatesButNeverGrantsAdmin() {
    PeerClient auth = usersAs("auth", p.credentials.authSecret);
    Platform.Person b = person();
    HttpResponse<Buffer> created = call(auth, HttpMethod.POST, "/accounts/users", new JsonObject()
      .put("contacts", new JsonArray().add(new JsonObject().put("type", "email").put("value", b.email()))));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("id");
    assertEquals(403, call(auth, HttpMethod.POST, "/accounts/users", new JsonObject()
      .put("groups", new JsonArray().add("admin"))).statusCode(), "auth cannot create an admin");
    assertEquals(403, call(auth, HttpMethod.POST, "/accounts/user-group-memberships",
      new JsonObject().put("user_id", id).put("group_id", groupId("admin"))).statusCode());
    assertEquals(403, call(auth, HttpMethod.PATCH, "/accounts/users/" + id,
      new JsonObject().put("profile", new JsonObject().put("x", 1))).statusCode(), "no profile changes");
    assertEquals(200, call(auth, HttpMethod.PATCH, "/accounts/users/" + id, new JsonObject().put("is_active", false))
      .statusCode());
  }

  @Test
  void wrongOrUnknownClientsGetNoToken() {
    Http.Response r = Platform.send(p.authPort(), "POST", "/auth/token", null, null, Platform.randomIp());
    assertEquals(415, r.status(), r.body());
    ServiceToken wrong = ServiceToken.viaGrant(web, p.authUrl(), "webhook", "not-the-secret-0123456789abcdefghij");
    assertEquals(true, await(wrong.get().map(t -> false).recover(e -> io.vertx.core.Future.succeededFuture(
      e.getMessage().contains("401")))));
    assertError(p.usersCall("GET", "/accounts/users", null, "not-a-token"), 401, "UNAUTHORIZED");
  }

  private String groupId(String name) {
    return new JsonArray(p.usersCall("GET", "/accounts/user-groups", null, p.admin()).body()).stream()
      .map(o -> (JsonObject) o).filter(g -> name.equals(g.getString("name"))).findFirst().orElseThrow().getString("id");
  }
}
