package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestKeys;
import com.paysvc.testing.TestTokens;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Tokens that must not pass, at auth and at users: each forgery next to a genuine token that does pass. */
class ForgedTokensIT extends PlatformIT {
  static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  String userId;
  String genuine;

  @BeforeAll
  void genuineToken() {
    Platform.Person a = person();
    userId = p.register(a);
    genuine = p.login(a, a.email()).getString("access_token");
  }

  @Test
  void everyForgeryIs401AtAuthAndAtUsers() throws Exception {
    JsonObject claims = Platform.claimsOf(genuine);
    String[] parts = genuine.split("\\.");
    Map<String, String> forged = new LinkedHashMap<>();
    forged.put("alg none", enc(new JsonObject().put("alg", "none").put("typ", "at+jwt").put("kid", Platform.KID)) + "."
      + enc(claims) + ".");
    forged.put("HS256 keyed with the public JWKS", hs256(claims, p.authGet("/auth/.well-known/jwks.json", null).body()));
    forged.put("tampered payload", parts[0] + "." + enc(claims.copy().put("roles", new io.vertx.core.json.JsonArray().add("admin")))
      + "." + parts[2]);
    long now = System.currentTimeMillis() / 1000;
    forged.put("expired", p.sign(claims.copy().put("iat", now - 1000).put("exp", now - 60)));
    forged.put("wrong aud", p.sign(claims.copy().put("aud", "someone-else")));
    forged.put("wrong iss", p.sign(claims.copy().put("iss", "someone-else")));
    forged.put("wrong typ (JWT)", TestTokens.signWith(p.credentials.signingKey, Platform.KID, claims, "JWT"));
    forged.put("no typ", TestTokens.signWith(p.credentials.signingKey, Platform.KID, claims, null));
    forged.put("unknown kid", TestTokens.signWith(p.credentials.signingKey, "not-a-kid", claims));
    forged.put("right kid, another key", TestTokens.signWith(TestKeys.p256(), Platform.KID, claims));
    forged.put("no exp", p.sign(claims.copy().put("exp", (Object) null)));
    forged.put("garbage", "abc.def.ghi");

    assertEquals(200, p.authGet("/auth/me", genuine).status());
    assertEquals(200, p.usersCall("GET", "/accounts/users/" + userId, null, genuine).status());
    for (Map.Entry<String, String> f : forged.entrySet()) {
      Http.Response atAuth = p.authGet("/auth/me", f.getValue());
      assertEquals(401, atAuth.status(), f.getKey() + " at auth: " + atAuth.body());
      assertError(atAuth, 401, "UNAUTHORIZED");
      Http.Response atUsers = p.usersCall("GET", "/accounts/users/" + userId, null, f.getValue());
      assertEquals(401, atUsers.status(), f.getKey() + " at users: " + atUsers.body());
      assertError(atUsers, 401, "UNAUTHORIZED");
    }
  }

  @Test
  void aRefreshTokenIsNoAccessTokenAndAnAccessTokenNoRefreshToken() {
    Platform.Person b = person();
    p.register(b);
    JsonObject pair = p.login(b, b.phone());
    assertError(p.authGet("/auth/me", pair.getString("refresh_token")), 401, "UNAUTHORIZED");
    assertError(p.post("/auth/refresh", new JsonObject().put("refresh_token", pair.getString("access_token"))), 401, "UNAUTHORIZED");
  }

  private static String enc(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String hs256(JsonObject claims, String key) throws Exception {
    String input = enc(new JsonObject().put("alg", "HS256").put("typ", "at+jwt").put("kid", Platform.KID)) + "." + enc(claims);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }
}
