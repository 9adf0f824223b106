package com.paysvc.users;

import com.paysvc.common.security.JwtGuard;
import com.paysvc.common.security.RevocationView;
import com.paysvc.testing.TestKeys;
import com.paysvc.testing.TestTokens;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JWT guard and the SPEC §4 access rules of plain users, with tokens from a test issuer and its own JWKS. */
class AccessIT extends UsersTestBase {

  @Test
  void everyRouteNeedsAValidToken() {
    assertError(get("/accounts/users/" + UUID.randomUUID(), null), 401, "UNAUTHORIZED");
    assertError(get("/accounts/user-groups", null), 401, "UNAUTHORIZED");
    assertError(get("/accounts/user-groups", "not.a.jwt"), 401, "UNAUTHORIZED");
    assertError(get("/accounts/user-groups", "garbage"), 401, "UNAUTHORIZED");
    // Ops endpoints stay open (probes, scrapers).
    assertEquals(200, get("/accounts/health/live", null).statusCode());
  }

  @Test
  void forgeriesAndBadClaimsAreRejected() {
    JsonObject claims = tokens.claims(UUID.randomUUID().toString(), List.of("admin"));
    assertEquals(200, get("/accounts/user-groups", tokens.sign(claims)).statusCode());
    assertError(get("/accounts/user-groups", tokens.unsigned(claims)), 401, "UNAUTHORIZED");
    assertError(get("/accounts/user-groups", tokens.hs256(claims)), 401, "UNAUTHORIZED");
    // Signed by a key the JWKS does not list (same kid): signature check fails.
    assertError(get("/accounts/user-groups", TestTokens.signWith(TestKeys.p256(),
      tokens.jwks().getJsonArray("keys").getJsonObject(0).getString("kid"), claims)), 401, "UNAUTHORIZED");
    // Unknown kid: JWKS re-fetched, still unknown → 401.
    int before = tokens.jwksRequests();
    assertError(get("/accounts/user-groups", TestTokens.signWith(TestKeys.p256(), "rotated-away", claims)), 401, "UNAUTHORIZED");
    assertEquals(before + 1, tokens.jwksRequests());
    long now = System.currentTimeMillis() / 1000;
    assertError(get("/accounts/user-groups", tokens.sign(claims.copy().put("exp", now - 60))), 401, "UNAUTHORIZED");
    assertError(get("/accounts/user-groups", tokens.sign(claims.copy().put("iss", "someone-else"))), 401, "UNAUTHORIZED");
    assertError(get("/accounts/user-groups", tokens.sign(claims.copy().put("aud", "other-service"))), 401, "UNAUTHORIZED");
    // Without exp the library checks no expiry at all: such a token must not be accepted.
    JsonObject noExp = claims.copy();
    noExp.remove("exp");
    assertError(get("/accounts/user-groups", tokens.sign(noExp)), 401, "UNAUTHORIZED");
    // Tampered payload: claims changed after signing.
    String good = tokens.sign(claims);
    String[] parts = good.split("\\.");
    String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
      claims.copy().put("roles", List.of("admin", "service")).encode().getBytes()) + "." + parts[2];
    assertError(get("/accounts/user-groups", forged), 401, "UNAUTHORIZED");
  }

  @Test
  void aRotatedKeyIsPickedUpFromTheJwks() {
    String before = tokens.admin();
    assertEquals(200, get("/accounts/user-groups", before).statusCode());
    int fetches = tokens.jwksRequests();
    tokens.rotate();
    // The new kid is unknown to the cached key set: one re-fetch, then accepted; old tokens stay valid.
    assertEquals(200, get("/accounts/user-groups", tokens.admin()).statusCode());
    assertEquals(fetches + 1, tokens.jwksRequests());
    assertEquals(200, get("/accounts/user-groups", tokens.admin()).statusCode());
    assertEquals(fetches + 1, tokens.jwksRequests());
    assertEquals(200, get("/accounts/user-groups", before).statusCode());
  }

  @Test
  void aTokenRememberedAsVerifiedStopsWorkingWhenItsKeyLeavesTheJwks() {
    String old = tokens.admin();
    // Twice: the second request is answered from the guard's memory of verified tokens.
    assertEquals(200, get("/accounts/user-groups", old).statusCode());
    assertEquals(200, get("/accounts/user-groups", old).statusCode());
    tokens.rotate();
    tokens.dropRetired();
    // A token of the new key makes the guard re-fetch the JWKS, which no longer lists the old key.
    assertEquals(200, get("/accounts/user-groups", tokens.admin()).statusCode());
    assertError(get("/accounts/user-groups", old), 401, "UNAUTHORIZED");
  }

  /** As auth revokes: the key, then the message to every guard's in-memory view. */
  private void revoke(String key, long value) {
    redis(authRedis, Command.SET, key, Long.toString(value), "EX", "60");
    redis(authRedis, Command.PUBLISH, RevocationView.CHANNEL,
      RevocationView.message(key, value, System.currentTimeMillis() / 1000 + 60));
  }

  @Test
  void revokedTokensAndTokensBeforeTheUsersNotBeforeAreRejected() throws Exception {
    String sub = UUID.randomUUID().toString();
    JsonObject claims = tokens.claims(sub, List.of("admin"));
    String token = tokens.sign(claims);
    assertEquals(200, get("/accounts/user-groups", token).statusCode());
    revoke(JwtGuard.revokedKey(TestTokens.ISSUER, claims.getString("jti")), 1);
    assertTrue(eventually(1000, () -> get("/accounts/user-groups", token).statusCode() == 401), "not revoked in 1 s");
    assertError(get("/accounts/user-groups", token), 401, "UNAUTHORIZED");

    String sub2 = UUID.randomUUID().toString();
    JsonObject old = tokens.claims(sub2, List.of("admin")).put("iat", System.currentTimeMillis() / 1000 - 100);
    revoke(JwtGuard.userNotBeforeKey(sub2), System.currentTimeMillis() / 1000 - 50);
    assertTrue(eventually(1000, () -> get("/accounts/user-groups", tokens.sign(old)).statusCode() == 401));
    assertError(get("/accounts/user-groups", tokens.sign(old)), 401, "UNAUTHORIZED");
    assertEquals(200, get("/accounts/user-groups", tokens.sign(tokens.claims(sub2, List.of("admin")))).statusCode());
  }

  @Test
  void plainUsersReadOnlyTheirOwnRecord() {
    String phone = randomPhone();
    JsonObject me = createUser(phone, null, null, "client");
    String myId = me.getString("id");
    String mine = tokens.token(myId, "client");
    String otherPhone = randomPhone();
    JsonObject other = createUser(otherPhone, null, null);
    String otherId = other.getString("id");

    assertEquals(200, get("/accounts/users/" + myId, mine).statusCode());
    assertEquals(200, get(byIdentifier(phone), mine).statusCode());
    assertEquals(200, get("/accounts/contacts/user/" + myId, mine).statusCode());
    assertEquals(200, get("/accounts/contacts/" + me.getJsonArray("contacts").getJsonObject(0).getString("id"), mine).statusCode());
    assertEquals(200, get("/accounts/user-group-memberships?user_id=" + myId, mine).statusCode());
    assertEquals(200, get("/accounts/user-groups", mine).statusCode());
    assertEquals(200, get("/accounts/contact-types", mine).statusCode());

    assertError(get("/accounts/users/" + otherId, mine), 403, "FORBIDDEN");
    // Found by a value: someone else's reads as nobody's (ExistenceOracleIT).
    assertError(get(byIdentifier(otherPhone), mine), 404, "NOT_FOUND");
    assertError(get("/accounts/contacts/user/" + otherId, mine), 403, "FORBIDDEN");
    assertError(get("/accounts/contacts/" + other.getJsonArray("contacts").getJsonObject(0).getString("id"), mine), 404, "NOT_FOUND");
    assertError(get("/accounts/user-group-memberships?user_id=" + otherId, mine), 403, "FORBIDDEN");
    assertError(get("/accounts/users", mine), 403, "FORBIDDEN");

    assertError(send(HttpMethod.PATCH, "/accounts/users/" + myId, mine, new JsonObject().put("is_active", false)), 403, "FORBIDDEN");
    assertError(send(HttpMethod.POST, "/accounts/users", mine, new JsonObject()), 403, "FORBIDDEN");
    assertError(send(HttpMethod.POST, "/accounts/user-groups", mine, new JsonObject().put("name", "x")), 403, "FORBIDDEN");
    assertError(send(HttpMethod.POST, "/accounts/contacts", mine, new JsonObject().put("user_id", myId)
      .put("type", "email").put("value", "a@b.io")), 403, "FORBIDDEN");

    // Service clients: what their scopes grant (ScopesIT has the whole table).
    assertEquals(200, get(byIdentifier(otherPhone), tokens.service("webhook", "users:lookup")).statusCode());
    assertEquals(201, send(HttpMethod.POST, "/accounts/users", tokens.service("crm", "users:create"), new JsonObject()).statusCode());
  }
}
