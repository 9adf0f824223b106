package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.paysvc.auth.it.Platform.claimsOf;
import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refresh-token rotation with reuse detection: the grace window (2 s here, to keep the test short) lets the
 * immediate parent of the live token return the same child; any other reuse ends the session.
 */
class RefreshIT extends PlatformIT {
  static final int GRACE_SECONDS = 2;

  @Override
  protected Map<String, String> settings() {
    return Map.of("REFRESH_REUSE_GRACE_SECONDS", Integer.toString(GRACE_SECONDS));
  }

  Http.Response refresh(String token) {
    return p.post("/auth/refresh", new JsonObject().put("refresh_token", token));
  }

  @Test
  void rotationIssuesANewPairAndKeepsTheSession() {
    Platform.Person a = person();
    String id = p.register(a);
    JsonObject first = p.login(a, a.phone());
    Http.Response r = refresh(first.getString("refresh_token"));
    assertEquals(200, r.status(), r.body());
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
    JsonObject second = r.json();
    assertNotEquals(first.getString("refresh_token"), second.getString("refresh_token"));
    assertNotEquals(first.getString("access_token"), second.getString("access_token"));
    JsonObject c1 = claimsOf(first.getString("access_token"));
    JsonObject c2 = claimsOf(second.getString("access_token"));
    assertEquals(id, c2.getString("sub"));
    assertEquals(c1.getString("sid"), c2.getString("sid"), "same session");
    assertEquals(200, p.authGet("/auth/me", second.getString("access_token")).status());
    // And again from the new one: a chain.
    assertEquals(200, refresh(second.getString("refresh_token")).status());
  }

  @Test
  void theImmediateParentWithinTheGraceWindowGetsTheSameChildThenReuseEndsTheSession() throws Exception {
    Platform.Person b = person();
    p.register(b);
    String parent = p.login(b, b.email()).getString("refresh_token");
    String child = refresh(parent).json().getString("refresh_token");
    // A lost response / a second tab: the parent again, at once.
    Http.Response replay = refresh(parent);
    assertEquals(200, replay.status(), replay.body());
    assertEquals(child, replay.json().getString("refresh_token"), "the same child, not a new family");
    assertEquals(200, p.authGet("/auth/me", replay.json().getString("access_token")).status());
    // After the window the parent is plain reuse: the whole session ends, the live child too.
    Thread.sleep(GRACE_SECONDS * 1000L + 1200);
    assertError(refresh(parent), 401, "UNAUTHORIZED");
    assertError(refresh(child), 401, "UNAUTHORIZED");
    assertEquals("reuse_detected", familyOf(child).get("revoked_reason"));
  }

  @Test
  void aGrandparentIsReuseEvenWithinTheWindow() throws Exception {
    Platform.Person c = person();
    p.register(c);
    String t0 = p.login(c, c.login()).getString("refresh_token");
    String t1 = refresh(t0).json().getString("refresh_token");
    String t2 = refresh(t1).json().getString("refresh_token");
    assertError(refresh(t0), 401, "UNAUTHORIZED");
    assertError(refresh(t2), 401, "UNAUTHORIZED");
    assertEquals("reuse_detected", familyOf(t2).get("revoked_reason"));
  }

  @Test
  void concurrentRefreshesWithOneTokenAllGetTheSameChildAndOneRowIsWritten() throws Exception {
    Platform.Person d = person();
    p.register(d);
    String parent = p.login(d, d.phone()).getString("refresh_token");
    List<Http.Response> answers = Platform.concurrently(12, 12, i -> refresh(parent));
    Set<String> children = new HashSet<>();
    Set<String> sessions = new HashSet<>();
    for (Http.Response r : answers) {
      assertEquals(200, r.status(), r.body());
      children.add(r.json().getString("refresh_token"));
      sessions.add(claimsOf(r.json().getString("access_token")).getString("sid"));
    }
    assertEquals(1, children.size(), "every racer got the same successor");
    assertEquals(1, sessions.size(), "no second session was minted");
    String child = children.iterator().next();
    Map<String, Object> family = familyOf(child);
    assertNull(family.get("revoked_reason"), "the race is not mistaken for reuse");
    assertEquals(2L, family.get("tokens"), "one parent, one child");
    assertEquals(200, refresh(child).status());
  }

  @Test
  void garbageAndUnknownTokensAre401AndBadBodies400() {
    assertError(refresh("not-a-token"), 401, "UNAUTHORIZED");
    assertError(refresh("A".repeat(43)), 401, "UNAUTHORIZED");
    assertError(p.post("/auth/refresh", new JsonObject()), 400, "VALIDATION_ERROR");
    assertError(p.post("/auth/refresh", new JsonObject().put("refresh_token", 42)), 400, "VALIDATION_ERROR");
  }

  @Test
  void theDatabaseKeepsOnlyHashes() throws Exception {
    Platform.Person e = person();
    p.register(e);
    String token = p.login(e, e.email()).getString("refresh_token");
    try (Connection c = TestStack.superuser(p.authDatabase);
         PreparedStatement s = c.prepareStatement("SELECT count(*) FROM auth.refresh_tokens WHERE token_hash = "
           + "sha256(decode(translate(?, '-_', '+/') || '=', 'base64'))")) {
      s.setString(1, token);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertEquals(1, rs.getInt(1), "stored as SHA-256 of the 32 raw bytes");
      }
    }
    try (Connection c = TestStack.superuser(p.authDatabase);
         PreparedStatement s = c.prepareStatement("SELECT count(*) FROM auth.refresh_tokens WHERE encode(token_hash, 'escape') LIKE ?")) {
      s.setString(1, "%" + token + "%");
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertEquals(0, rs.getInt(1));
      }
    }
    // The credentials are an argon2id PHC string, never the password.
    try (Connection c = TestStack.superuser(p.authDatabase);
         PreparedStatement s = c.prepareStatement("SELECT password_hash FROM auth.credentials")) {
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          assertTrue(rs.getString(1).startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), rs.getString(1));
        }
      }
    }
  }

  /** The family of a refresh token: revoked_reason and its number of tokens. */
  private Map<String, Object> familyOf(String token) throws Exception {
    try (Connection c = TestStack.superuser(p.authDatabase);
         PreparedStatement s = c.prepareStatement("""
           SELECT f.revoked_reason, (SELECT count(*) FROM auth.refresh_tokens x WHERE x.family_id = f.id)
             FROM auth.refresh_tokens t JOIN auth.refresh_families f ON f.id = t.family_id
            WHERE t.token_hash = sha256(decode(translate(?, '-_', '+/') || '=', 'base64'))""")) {
      s.setString(1, token);
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), "no such token");
        Map<String, Object> out = new java.util.HashMap<>();
        out.put("revoked_reason", rs.getString(1));
        out.put("tokens", rs.getLong(2));
        return out;
      }
    }
  }
}
