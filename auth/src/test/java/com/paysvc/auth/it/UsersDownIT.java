package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static com.paysvc.auth.it.Platform.claimsOf;
import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** users is gone: auth degrades instead of failing with 500s. */
class UsersDownIT extends PlatformIT {

  @Test
  void loginAndSignUpAre503ButRefreshAndMeKeepWorking() {
    Platform.Person a = person();
    p.register(a);
    JsonObject pair = p.login(a, a.email());
    // An admin's session too: its refresh must not hand out admin from a record users cannot confirm.
    Platform.Person root = person();
    String rootId = p.register(root);
    String adminGroup = new io.vertx.core.json.JsonArray(p.usersCall("GET", "/accounts/user-groups", null, p.admin()).body())
      .stream().map(o -> (JsonObject) o).filter(g -> "admin".equals(g.getString("name"))).findFirst().orElseThrow()
      .getString("id");
    assertEquals(201, p.usersCall("POST", "/accounts/user-group-memberships",
      new JsonObject().put("user_id", rootId).put("group_id", adminGroup), p.admin()).status());
    JsonObject rootPair = p.login(root, root.email());
    assertEquals(new io.vertx.core.json.JsonArray().add("admin"), claimsOf(rootPair.getString("access_token")).getJsonArray("roles"));
    p.users.close();

    // Who the identifier names cannot be known: 503 in the error shape, quickly (the breaker opens).
    for (int i = 0; i < 8; i++) {
      Http.Response login = p.post("/auth/login", a.login(a.email()), null, randomIp());
      assertError(login, 503, "DEPENDENCY_UNAVAILABLE");
    }
    assertError(p.post("/auth/register", person().registration()), 503, "DEPENDENCY_UNAVAILABLE");
    // A session goes on with the roles it had: refresh works, the new token is valid at auth.
    Http.Response refreshed = p.post("/auth/refresh", new JsonObject().put("refresh_token", pair.getString("refresh_token")));
    assertEquals(200, refreshed.status(), refreshed.body());
    String access = refreshed.json().getString("access_token");
    assertEquals(claimsOf(pair.getString("access_token")).getString("sid"), claimsOf(access).getString("sid"));
    assertEquals(200, p.authGet("/auth/me", access).status());
    assertEquals(204, p.post("/auth/logout", null, access, null).status());
    Http.Response rootRefresh = p.post("/auth/refresh", new JsonObject().put("refresh_token", rootPair.getString("refresh_token")));
    assertEquals(200, rootRefresh.status(), rootRefresh.body());
    assertEquals(new io.vertx.core.json.JsonArray(), claimsOf(rootRefresh.json().getString("access_token")).getJsonArray("roles"),
      "admin is never granted from the session's stale record");
    assertEquals(200, Http.get(p.authPort(), "/health/live").status());
  }
}
