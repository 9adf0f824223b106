package com.paysvc.testing;

import io.vertx.core.json.JsonObject;

import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a test platform starts auth with: its signing key and kid, the secrets of the service clients auth and webhook
 * (with the scopes production gives them), its refresh-token key; and tokens signed as auth signs them, for admins
 * and crafted tokens.
 */
public final class AuthCredentials {
  /** auth's default issuer and audience (JWT_ISSUER, JWT_AUDIENCE). */
  public static final String ISSUER = "paysvc-auth";
  public static final String AUDIENCE = "paysvc";
  /** The scopes of auth's own client at users. */
  public static final String AUTH_SCOPES = "users:lookup users:read users:create users:deactivate";

  public final String kid;
  public final KeyPair signingKey = TestKeys.p256();
  public final String authSecret;
  public final String webhookSecret;
  private final String refreshSecret;

  /** Keys and secrets of their own; the secrets start with {@code secretPrefix} (to tell the test that made them). */
  public AuthCredentials(String kid, String secretPrefix) {
    this.kid = kid;
    this.authSecret = TestKeys.secret(secretPrefix);
    this.webhookSecret = TestKeys.secret(secretPrefix);
    this.refreshSecret = TestKeys.secret(secretPrefix);
  }

  /** auth's settings for these credentials, reaching users at {@code usersUrl}, its events on {@code exchange}/{@code queue}. */
  public Map<String, String> env(String usersUrl, String exchange, String queue) {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_SIGNING_KEY", TestKeys.signingKeySetting(signingKey));
    env.put("JWT_KEY_ID", kid);
    env.put("SERVICE_CLIENTS", "auth:" + authSecret + ":" + AUTH_SCOPES + ",webhook:" + webhookSecret + ":users:lookup");
    env.put("SERVICE_CLIENT_SECRET", authSecret);
    env.put("REFRESH_TOKEN_SECRET", refreshSecret);
    env.put("USERS_URL", usersUrl);
    env.put("EVENTS_EXCHANGE", exchange);
    env.put("EVENTS_QUEUE", queue);
    return env;
  }

  /** Claims as auth would issue them for {@code sub}, valid 5 minutes. */
  public JsonObject claims(String sub, List<String> roles) {
    return TestTokens.claims(ISSUER, AUDIENCE, sub, roles);
  }

  /** A token signed with auth's own key (what auth would issue). */
  public String sign(JsonObject claims) {
    return TestTokens.signWith(signingKey, kid, claims);
  }

  /** An admin's token for a new random subject starting with {@code subPrefix}. */
  public String admin(String subPrefix) {
    return sign(claims(subPrefix + UUID.randomUUID(), List.of("admin")));
  }
}
