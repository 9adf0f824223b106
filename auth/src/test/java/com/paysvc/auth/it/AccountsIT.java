package com.paysvc.auth.it;

import com.paysvc.testing.AuthCredentials;
import com.paysvc.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static com.paysvc.auth.it.Platform.claimsOf;
import static com.paysvc.auth.it.Platform.part;
import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-up, login by every identifier kind, me, logout, logout everywhere, password change, deactivation. */
class AccountsIT extends PlatformIT {

  @Test
  void registerThenLoginByEachIdentifierKindThenMe() {
    Platform.Person anna = person();
    Http.Response reg = p.post("/auth/register", anna.registration());
    assertEquals(201, reg.status(), reg.body());
    JsonObject user = reg.json();
    String id = user.getString("id");
    assertTrue(user.getBoolean("is_active"));
    assertEquals(3, user.getJsonArray("contacts").size(), reg.body());
    assertFalse(reg.body().contains(anna.password()), "the password is never echoed");

    for (String identifier : List.of(id, anna.phone(), anna.email(), anna.login(), anna.email().toUpperCase())) {
      Http.Response login = p.post("/auth/login", anna.login(identifier), null, randomIp());
      assertEquals(200, login.status(), identifier + ": " + login.body());
      assertEquals("no-store", login.headers().firstValue("Cache-Control").orElse(null));
      JsonObject pair = login.json();
      assertEquals(Set.of("access_token", "refresh_token", "token_type", "expires_in"), pair.fieldNames());
      assertEquals("Bearer", pair.getString("token_type"));
      assertEquals(900, pair.getInteger("expires_in"));
      assertEquals(43, pair.getString("refresh_token").length());

      String access = pair.getString("access_token");
      JsonObject header = part(access, 0);
      assertEquals("ES256", header.getString("alg"));
      assertEquals("at+jwt", header.getString("typ"));
      assertEquals(Platform.KID, header.getString("kid"));
      JsonObject claims = claimsOf(access);
      assertEquals(id, claims.getString("sub"));
      assertEquals(AuthCredentials.ISSUER, claims.getString("iss"));
      assertEquals(AuthCredentials.AUDIENCE, claims.getString("aud"));
      assertEquals(900, claims.getLong("exp") - claims.getLong("iat"));
      assertNotNull(UUID.fromString(claims.getString("jti")));
      assertNotNull(UUID.fromString(claims.getString("sid")));
      assertEquals(new JsonArray(), claims.getJsonArray("roles"));

      Http.Response me = p.authGet("/auth/me", access);
      assertEquals(200, me.status(), me.body());
      assertEquals(id, me.json().getString("sub"));
      assertEquals(claims.getString("sid"), me.json().getString("sid"));
      assertEquals(claims.getString("jti"), me.json().getString("jti"));
      // users accepts it too: the user reads its own record.
      Http.Response own = p.usersCall("GET", "/accounts/users/" + id, null, access);
      assertEquals(200, own.status(), own.body());
    }
  }

  @Test
  void rolesAreTheUsersGroups() {
    Platform.Person bob = person();
    String id = p.register(bob);
    String client = new JsonArray(p.usersCall("GET", "/accounts/user-groups", null, p.admin()).body()).stream()
      .map(o -> (JsonObject) o).filter(g -> "client".equals(g.getString("name"))).findFirst().orElseThrow().getString("id");
    Http.Response add = p.usersCall("POST", "/accounts/user-group-memberships",
      new JsonObject().put("user_id", id).put("group_id", client), p.admin());
    assertEquals(201, add.status(), add.body());
    String access = p.login(bob, bob.email()).getString("access_token");
    assertEquals(new JsonArray().add("client"), claimsOf(access).getJsonArray("roles"));
  }

  @Test
  void takenIdentifiersAre409AndBadBodiesAre400() {
    Platform.Person c = person();
    p.register(c);
    Platform.Person again = new Platform.Person(c.email(), person().phone(), person().login(), "another-password");
    Http.Response taken = p.post("/auth/register", again.registration());
    assertEquals(409, taken.status(), taken.body());
    assertTrue(Set.of("CONFLICT", "CONTACT_TYPE_CONFLICT").contains(taken.json().getString("error_code")), taken.body());
    // Nothing was left behind: the phone and login of the refused sign-up are still free.
    assertEquals(404, p.lookup(again.phone(), true).status());

    assertError(p.post("/auth/register", new JsonObject().put("password", "long-enough-pw")), 400, "VALIDATION_ERROR");
    assertError(p.post("/auth/register", person().registration().put("password", "short")), 400, "VALIDATION_ERROR");
    assertError(p.post("/auth/register", person().registration().put("groups", new JsonArray().add("admin"))), 400,
      "VALIDATION_ERROR");
    assertError(p.post("/auth/register", person().registration().put("phone", "12345")), 400, "VALIDATION_ERROR");
    assertError(p.post("/auth/register", person().registration().put("email", "not-an-email")), 400, "VALIDATION_ERROR");
    assertError(p.post("/auth/login", new JsonObject().put("identifier", "x")), 400, "VALIDATION_ERROR");
    assertError(p.post("/auth/login", new JsonObject().put("identifier", 7).put("password", "x")), 400, "VALIDATION_ERROR");
    // No body and no Content-Type: the login body is JSON only (AuthDefinition.jsonBodyLimits), refused before it is read.
    assertError(Platform.send(p.authPort(), "POST", "/auth/login", null, null, null), 415, "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void wrongPasswordAndUnknownIdentifierAreIndistinguishable() {
    Platform.Person d = person();
    p.register(d);
    String ip = randomIp();
    List<Long> wrong = new ArrayList<>();
    List<Long> unknown = new ArrayList<>();
    String wrongBody = null;
    String unknownBody = null;
    for (int i = 0; i < 4; i++) {
      long t0 = System.nanoTime();
      Http.Response a = p.post("/auth/login", new JsonObject().put("identifier", d.email()).put("password", "wrong-" + i), null, randomIp());
      wrong.add(System.nanoTime() - t0);
      long t1 = System.nanoTime();
      Http.Response b = p.post("/auth/login", new JsonObject().put("identifier", "nobody-" + UUID.randomUUID() + "@example.com")
        .put("password", "wrong-" + i), null, randomIp());
      unknown.add(System.nanoTime() - t1);
      assertError(a, 401, "UNAUTHORIZED");
      assertError(b, 401, "UNAUTHORIZED");
      wrongBody = a.body();
      unknownBody = b.body();
    }
    assertEquals(wrongBody, unknownBody, "same status and same body");
    // Both cost one argon2id verification (the unknown one against a dummy hash): medians within a loose factor.
    long mw = median(wrong);
    long mu = median(unknown);
    assertTrue(mu > mw / 3 && mu < mw * 3, "median wrong password " + mw / 1_000_000 + " ms, unknown identifier "
      + mu / 1_000_000 + " ms");
  }

  @Test
  void logoutRejectsTheTokenAtAuthAndAtUsersAndEndsTheSession() {
    Platform.Person e = person();
    String id = p.register(e);
    JsonObject pair = p.login(e, e.phone());
    JsonObject other = p.login(e, e.email());
    String access = pair.getString("access_token");
    assertEquals(200, p.usersCall("GET", "/accounts/users/" + id, null, access).status());

    Http.Response out = p.post("/auth/logout", null, access, null);
    assertEquals(204, out.status(), out.body());
    assertError(p.authGet("/auth/me", access), 401, "UNAUTHORIZED");
    assertError(p.usersCall("GET", "/accounts/users/" + id, null, access), 401, "UNAUTHORIZED");
    // Its refresh token is gone with the session; the other session lives on.
    assertError(p.post("/auth/refresh", new JsonObject().put("refresh_token", pair.getString("refresh_token"))), 401, "UNAUTHORIZED");
    assertEquals(200, p.authGet("/auth/me", other.getString("access_token")).status());
    assertEquals(200, p.post("/auth/refresh", new JsonObject().put("refresh_token", other.getString("refresh_token"))).status());
    // Without a token: 401.
    assertError(p.post("/auth/logout", null, null, null), 401, "UNAUTHORIZED");
  }

  @Test
  void logoutEndsEveryAccessTokenOfTheSessionNotOnlyThePresentedOne() {
    Platform.Person s = person();
    String id = p.register(s);
    JsonObject first = p.login(s, s.email());
    JsonObject second = p.post("/auth/refresh", new JsonObject().put("refresh_token", first.getString("refresh_token"))).json();
    String older = first.getString("access_token");
    String newer = second.getString("access_token");
    assertEquals(claimsOf(older).getString("sid"), claimsOf(newer).getString("sid"));
    assertEquals(204, p.post("/auth/logout", null, newer, null).status());
    for (String t : List.of(older, newer)) {
      assertError(p.authGet("/auth/me", t), 401, "UNAUTHORIZED");
      assertError(p.usersCall("GET", "/accounts/users/" + id, null, t), 401, "UNAUTHORIZED");
    }
  }

  @Test
  void anAdminChangingItsOwnPasswordNeedsTheOldOneToo() {
    Platform.Person root = person();
    String id = p.register(root);
    String adminGroup = new JsonArray(p.usersCall("GET", "/accounts/user-groups", null, p.admin()).body()).stream()
      .map(o -> (JsonObject) o).filter(g -> "admin".equals(g.getString("name"))).findFirst().orElseThrow().getString("id");
    assertEquals(201, p.usersCall("POST", "/accounts/user-group-memberships",
      new JsonObject().put("user_id", id).put("group_id", adminGroup), p.admin()).status());
    String access = p.login(root, root.email()).getString("access_token");
    assertEquals(new JsonArray().add("admin"), claimsOf(access).getJsonArray("roles"));
    // A stolen admin token must not be enough to take the account over for good.
    assertError(send("PUT", "/auth/credentials/" + id, new JsonObject().put("password", "taken-over-pw"), access), 400,
      "VALIDATION_ERROR");
    assertEquals(204, send("PUT", "/auth/credentials/" + id, new JsonObject().put("password", "new-admin-pw")
      .put("old_password", root.password()), access).status());
  }

  @Test
  void logoutEverywhereEndsEverySessionButALaterLoginWorksAtOnce() {
    Platform.Person f = person();
    String id = p.register(f);
    JsonObject one = p.login(f, f.phone());
    JsonObject two = p.login(f, f.login());
    assertEquals(204, Platform.send(p.authPort(), "POST", "/auth/logout?all=true", null, one.getString("access_token"), null).status());
    for (JsonObject s : List.of(one, two)) {
      assertError(p.authGet("/auth/me", s.getString("access_token")), 401, "UNAUTHORIZED");
      assertError(p.usersCall("GET", "/accounts/users/" + id, null, s.getString("access_token")), 401, "UNAUTHORIZED");
      assertError(p.post("/auth/refresh", new JsonObject().put("refresh_token", s.getString("refresh_token"))), 401, "UNAUTHORIZED");
    }
    // A login in the same second as the cut-off gets iat > not-before: accepted at once.
    String fresh = p.login(f, f.email()).getString("access_token");
    assertEquals(200, p.authGet("/auth/me", fresh).status());
    assertEquals(200, p.usersCall("GET", "/accounts/users/" + id, null, fresh).status());
    assertError(Platform.send(p.authPort(), "POST", "/auth/logout?all=maybe", null, fresh, null), 400, "VALIDATION_ERROR");
    // A token that speaks for no user (an admin tool, a service client) has no sessions to end: still a plain 204.
    assertEquals(204, Platform.send(p.authPort(), "POST", "/auth/logout?all=true", null, p.admin(), null).status());
    assertEquals(204, Platform.send(p.authPort(), "POST", "/auth/logout?all=true", null,
      p.serviceToken("webhook", p.credentials.webhookSecret), null).status());
  }

  @Test
  void changingTheOwnPasswordNeedsTheOldOneAndEndsTheOtherSessions() {
    Platform.Person g = person();
    String id = p.register(g);
    JsonObject mine = p.login(g, g.email());
    JsonObject other = p.login(g, g.phone());
    String path = "/auth/credentials/" + id;
    String access = mine.getString("access_token");
    assertError(send("PUT", path, new JsonObject().put("password", "new-password-1"), access), 400, "VALIDATION_ERROR");
    assertError(send("PUT", path, new JsonObject().put("password", "new-password-1").put("old_password", "nope"), access),
      403, "FORBIDDEN");
    assertEquals(204, send("PUT", path, new JsonObject().put("password", "new-password-1").put("old_password", g.password()),
      access).status());
    // The other session ends, this one goes on; the old password no longer works, the new one does.
    assertError(p.post("/auth/refresh", new JsonObject().put("refresh_token", other.getString("refresh_token"))), 401, "UNAUTHORIZED");
    assertEquals(200, p.post("/auth/refresh", new JsonObject().put("refresh_token", mine.getString("refresh_token"))).status());
    assertError(p.post("/auth/login", g.login(g.email()), null, randomIp()), 401, "UNAUTHORIZED");
    assertEquals(200, p.post("/auth/login", new JsonObject().put("identifier", g.email()).put("password", "new-password-1"),
      null, randomIp()).status());
    // Nobody else may change it; an admin may, without the old one; a service may not.
    Platform.Person h = person();
    p.register(h);
    String hAccess = p.login(h, h.email()).getString("access_token");
    assertError(send("PUT", path, new JsonObject().put("password", "hijacked-pw").put("old_password", h.password()), hAccess),
      403, "FORBIDDEN");
    assertError(send("PUT", path, new JsonObject().put("password", "hijacked-pw"), p.serviceToken("webhook", p.credentials.webhookSecret)),
      403, "FORBIDDEN");
    assertEquals(204, send("PUT", path, new JsonObject().put("password", "admin-set-pw"), p.admin()).status());
    assertEquals(200, p.post("/auth/login", new JsonObject().put("identifier", g.login()).put("password", "admin-set-pw"),
      null, randomIp()).status());
    assertError(send("PUT", "/auth/credentials/" + UUID.randomUUID(), new JsonObject().put("password", "whatever-pw"), p.admin()),
      404, "NOT_FOUND");
    assertError(send("PUT", "/auth/credentials/not-a-uuid", new JsonObject().put("password", "whatever-pw"), p.admin()),
      400, "VALIDATION_ERROR");
  }

  @Test
  void deactivationRejectsTheLiveTokenAtUsersWithin5sAndLoginIs403() throws Exception {
    Platform.Person k = person();
    String id = p.register(k);
    JsonObject pair = p.login(k, k.phone());
    String access = pair.getString("access_token");
    assertEquals(200, p.usersCall("GET", "/accounts/users/" + id, null, access).status());

    long t0 = System.currentTimeMillis();
    Http.Response patch = p.usersCall("PATCH", "/accounts/users/" + id, new JsonObject().put("is_active", false), p.admin());
    assertEquals(200, patch.status(), patch.body());
    boolean rejected = eventually(5_000, () ->
      p.usersCall("GET", "/accounts/users/" + id, null, access).status() == 401);
    long took = System.currentTimeMillis() - t0;
    assertTrue(rejected, "the deactivated user's token still works at users after 5 s");
    System.out.printf("deactivation → token rejected by users after %d ms%n", took);
    assertError(p.authGet("/auth/me", access), 401, "UNAUTHORIZED");
    assertError(p.post("/auth/refresh", new JsonObject().put("refresh_token", pair.getString("refresh_token"))), 401, "UNAUTHORIZED");
    // The right password of a deactivated account: 403; a wrong one stays the plain 401.
    assertError(p.post("/auth/login", k.login(k.email()), null, randomIp()), 403, "FORBIDDEN");
    assertError(p.post("/auth/login", new JsonObject().put("identifier", k.email()).put("password", "wrong"), null, randomIp()),
      401, "UNAUTHORIZED");
  }

  private Http.Response send(String method, String path, JsonObject body, String bearer) {
    return Platform.send(p.authPort(), method, path, body, bearer, randomIp());
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
