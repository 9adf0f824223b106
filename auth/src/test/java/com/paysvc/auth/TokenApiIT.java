package com.paysvc.auth;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Config;
import com.paysvc.common.config.Setting;
import com.paysvc.common.http.FailureHandler;
import com.paysvc.common.launch.ServiceLauncher;
import com.paysvc.common.launch.ServiceLauncherAccess;
import com.paysvc.common.security.Caller;
import com.paysvc.common.security.GuardSettings;
import com.paysvc.common.security.JwtGuard;
import com.paysvc.testing.Http;
import com.paysvc.testing.TestKeys;
import com.paysvc.testing.TestStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two auth instances on the real stack: {@code old} signs with key 1; {@code current} signs with key 2 and
 * still publishes key 1 (a rotation in progress). Tokens are verified with the platform's own JwtGuard.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenApiIT {
  static final String SECRET = "s3cr3t-" + UUID.randomUUID();
  static final String AUTH_SECRET = "auth-" + UUID.randomUUID();
  /** Secrets may hold '%' and '+' (form-encoded inside Basic, RFC 6749 §2.3.1). */
  static final String OTHER = "other%+secret-0123456789abcdef0123";
  static final String CLIENTS = "auth:" + AUTH_SECRET + ":users:lookup,webhook:" + SECRET + ":users:lookup,users:" + OTHER;

  Vertx vertx;
  KeyPair key1;
  KeyPair key2;
  ServiceLauncher old;
  ServiceLauncher current;
  HttpServer guarded;
  JwtGuard guard;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    key1 = TestKeys.p256();
    key2 = TestKeys.p256();
    String database = TestStack.createDatabase("auth_test");
    Map<String, String> env1 = new HashMap<>();
    env1.put("JWT_SIGNING_KEY", TestKeys.signingKeySetting(key1));
    env1.put("SERVICE_CLIENTS", CLIENTS);
    env1.put("SERVICE_CLIENT_SECRET", AUTH_SECRET);
    env1.put("REFRESH_TOKEN_SECRET", "refresh-" + UUID.randomUUID());
    old = await(ServiceLauncher.startForTest(new AuthDefinition(), TestStack.serviceEnv(database, env1)));
    Map<String, String> env2 = new HashMap<>(env1);
    // The PEM itself (multi-line) is accepted too; the previous key as one-line base64 SPKI.
    env2.put("JWT_SIGNING_KEY", TestKeys.pem("PRIVATE KEY", key2.getPrivate().getEncoded()));
    env2.put("JWT_KEY_ID", "key-2");
    env2.put("JWT_PREVIOUS_PUBLIC_KEYS", Base64.getEncoder().encodeToString(key1.getPublic().getEncoded()));
    env2.put("TOKEN_MAX_FAILURES", "3");
    current = await(ServiceLauncher.startForTest(new AuthDefinition(), TestStack.serviceEnv(database, env2)));

    // A resource server like users: JwtGuard against the current instance's JWKS.
    Map<String, String> guardEnv = new HashMap<>(TestStack.serviceEnv(database, Map.of()));
    guardEnv.put("JWKS_URL", "http://127.0.0.1:" + current.context().httpPort() + "/auth/.well-known/jwks.json");
    List<Setting<?>> settings = new ArrayList<>(GuardSettings.all());
    settings.addAll(List.of(CommonSettings.REDIS_HOST, CommonSettings.REDIS_USER,
      CommonSettings.REDIS_PASSWORD));
    guard = JwtGuard.create(vertx, Config.load(settings, guardEnv), new SimpleMeterRegistry());
    Router router = Router.router(vertx);
    router.get("/whoami").handler(guard).handler(rc -> {
      Caller c = Caller.of(rc);
      rc.json(new JsonObject().put("sub", c.subject()).put("roles", new JsonArray(List.copyOf(c.roles()))));
    });
    router.route().failureHandler(new FailureHandler());
    guarded = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void stop() {
    for (ServiceLauncher l : new ServiceLauncher[] {current, old}) {
      if (l != null) {
        l.stop().orTimeout(60, TimeUnit.SECONDS).join();
      }
    }
    if (guard != null) {
      await(guard.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  // ---------------------------------------------------------------------------------------------- JWKS

  @Test
  void jwksPublishesCurrentAndPreviousKeys() {
    Http.Response r = Http.get(current.context().httpPort(), "/auth/.well-known/jwks.json");
    assertEquals(200, r.status());
    assertEquals("public, max-age=300", r.headers().firstValue("Cache-Control").orElse(null));
    JsonArray keys = r.json().getJsonArray("keys");
    assertEquals(2, keys.size(), r.body());
    JsonObject first = keys.getJsonObject(0);
    assertEquals(Set.of("kty", "crv", "x", "y", "kid", "alg", "use"), first.fieldNames());
    assertEquals("EC", first.getString("kty"));
    assertEquals("P-256", first.getString("crv"));
    assertEquals("ES256", first.getString("alg"));
    assertEquals("sig", first.getString("use"));
    assertEquals("key-2", first.getString("kid"));
    assertEquals(43, first.getString("x").length());
    assertEquals(43, first.getString("y").length());
    // The previous key has no explicit kid: its thumbprint, the same kid the old instance used.
    String oldKid = Http.get(old.context().httpPort(), "/auth/.well-known/jwks.json").json()
      .getJsonArray("keys").getJsonObject(0).getString("kid");
    assertEquals(oldKid, keys.getJsonObject(1).getString("kid"));
    assertTrue(oldKid.matches("[A-Za-z0-9_-]{16}"), oldKid);
    // Also reachable through the prefix-less path? No: business routes live under /auth only.
    assertEquals(404, Http.get(current.context().httpPort(), "/.well-known/jwks.json").status());
  }

  // ---------------------------------------------------------------------------------------------- grant

  @Test
  void formGrantIssuesAServiceTokenThatJwtGuardAccepts() {
    Http.Response r = token(current, form("grant_type", "client_credentials", "client_id", "webhook", "client_secret", SECRET),
      "application/x-www-form-urlencoded", null, randomIp());
    assertEquals(200, r.status(), r.body());
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
    JsonObject body = r.json();
    assertEquals(Set.of("access_token", "token_type", "expires_in"), body.fieldNames());
    assertEquals("Bearer", body.getString("token_type"));
    assertEquals(900, body.getInteger("expires_in"));
    String token = body.getString("access_token");

    JsonObject header = part(token, 0);
    assertEquals("ES256", header.getString("alg"));
    assertEquals("key-2", header.getString("kid"));
    JsonObject claims = part(token, 1);
    assertEquals("client:webhook", claims.getString("sub"));
    assertEquals("webhook", claims.getString("client_id"));
    // Least privilege: webhook's token carries exactly its configured scopes.
    assertEquals("users:lookup", claims.getString("scope"));
    assertEquals(new JsonArray().add("service"), claims.getJsonArray("roles"));
    assertEquals("paysvc-auth", claims.getString("iss"));
    assertEquals("paysvc", claims.getString("aud"));
    assertEquals(900, claims.getLong("exp") - claims.getLong("iat"));
    assertNotNull(UUID.fromString(claims.getString("jti")));

    JsonObject who = whoami(token);
    assertEquals("client:webhook", who.getString("sub"));
    assertEquals(new JsonArray().add("service"), who.getJsonArray("roles"));
  }

  @Test
  void jsonAndBasicWorkToo() {
    Http.Response json = token(current, new JsonObject().put("grant_type", "client_credentials")
      .put("client_id", "webhook").put("client_secret", SECRET).encode(), "application/json", null, randomIp());
    assertEquals(200, json.status(), json.body());
    assertEquals("client:webhook", whoami(json.json().getString("access_token")).getString("sub"));

    // RFC 6749 §2.3.1: Basic carries form-encoded id and secret; this secret has '%' and '+'.
    String basic = Base64.getEncoder().encodeToString((enc("users") + ":" + enc(OTHER)).getBytes(StandardCharsets.UTF_8));
    Http.Response viaBasic = token(current, "grant_type=client_credentials", "application/x-www-form-urlencoded", basic, randomIp());
    assertEquals(200, viaBasic.status(), viaBasic.body());
    assertEquals("client:users", whoami(viaBasic.json().getString("access_token")).getString("sub"));

    // Form values are decoded exactly once: '%' and '+' survive when sent encoded in the body.
    Http.Response formSpecial = token(current, form("grant_type", "client_credentials", "client_id", "users",
      "client_secret", OTHER), "application/x-www-form-urlencoded", null, randomIp());
    assertEquals(200, formSpecial.status(), formSpecial.body());
  }

  @Test
  void rotation_tokenOfThePreviousKeyStillVerifies() {
    Http.Response r = token(old, form("grant_type", "client_credentials", "client_id", "webhook", "client_secret", SECRET),
      "application/x-www-form-urlencoded", null, randomIp());
    assertEquals(200, r.status(), r.body());
    String token = r.json().getString("access_token");
    assertNotEquals("key-2", part(token, 0).getString("kid"));
    assertEquals("client:webhook", whoami(token).getString("sub"));
  }

  @Test
  void wrongSecretOrUnknownClientIs401() {
    for (String[] creds : new String[][] {{"webhook", "wrong"}, {"nobody", SECRET}}) {
      Http.Response r = token(current, form("grant_type", "client_credentials", "client_id", creds[0], "client_secret", creds[1]),
        "application/x-www-form-urlencoded", null, randomIp());
      assertError(r, 401, "UNAUTHORIZED");
      assertFalse(r.body().contains(creds[1]));
    }
  }

  @Test
  void badRequestsAre400() {
    String ip = randomIp();
    assertError(token(current, form("grant_type", "password", "client_id", "webhook", "client_secret", SECRET),
      "application/x-www-form-urlencoded", null, ip), 400, "VALIDATION_ERROR");
    assertError(token(current, form("client_id", "webhook", "client_secret", SECRET),
      "application/x-www-form-urlencoded", null, ip), 400, "VALIDATION_ERROR");
    assertError(token(current, form("grant_type", "client_credentials", "client_id", "webhook"),
      "application/x-www-form-urlencoded", null, ip), 400, "VALIDATION_ERROR");
    assertError(token(current, "{\"grant_type\":\"client_credentials\",\"client_id\":1,\"client_secret\":\"x\"}",
      "application/json", null, ip), 400, "VALIDATION_ERROR");
    assertError(token(current, "{not json", "application/json", null, ip), 400, "VALIDATION_ERROR");
    String basic = Base64.getEncoder().encodeToString(("webhook:" + SECRET).getBytes(StandardCharsets.UTF_8));
    assertError(token(current, form("grant_type", "client_credentials", "client_secret", SECRET),
      "application/x-www-form-urlencoded", basic, ip), 400, "VALIDATION_ERROR");
    assertError(token(current, "grant_type=client_credentials", "text/plain", null, ip), 415, "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void failedAttemptsAreRateLimitedPerClientIp() {
    String ip = randomIp();
    String wrong = form("grant_type", "client_credentials", "client_id", "webhook", "client_secret", "guess");
    for (int i = 0; i < 3; i++) {
      assertError(token(current, wrong, "application/x-www-form-urlencoded", null, ip), 401, "UNAUTHORIZED");
    }
    Http.Response limited = token(current, form("grant_type", "client_credentials", "client_id", "webhook", "client_secret", SECRET),
      "application/x-www-form-urlencoded", null, ip);
    JsonObject err = assertError(limited, 429, "RATE_LIMITED");
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertEquals(retryAfter, err.getJsonObject("details").getLong("retry_after_seconds"));
    // Another client IP is not affected.
    assertEquals(200, token(current, form("grant_type", "client_credentials", "client_id", "webhook", "client_secret", SECRET),
      "application/x-www-form-urlencoded", null, randomIp()).status());
  }

  // ---------------------------------------------------------------------------------------------- config

  @Test
  void badSigningKeyIsAConfigErrorThatNamesTheSettingWithoutEchoingIt() throws Exception {
    String p384 = TestKeys.signingKeySetting(TestKeys.ec("secp384r1"));
    for (String bad : new String[] {"bm90LWEta2V5LWF0LWFsbA==", p384}) {
      Map<String, String> env = new HashMap<>(TestStack.serviceEnv("auth_unused", Map.of()));
      env.put("JWT_SIGNING_KEY", bad);
      env.put("SERVICE_CLIENTS", CLIENTS);
      env.put("SERVICE_CLIENT_SECRET", AUTH_SECRET);
      env.put("REFRESH_TOKEN_SECRET", "refresh-" + UUID.randomUUID());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = ServiceLauncherAccess.run(new AuthDefinition(), new String[] {"run"}, env,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      String text = err.toString(StandardCharsets.UTF_8);
      assertEquals(2, code, text);
      assertTrue(text.contains("JWT_SIGNING_KEY"), text);
      assertFalse(text.contains(bad), text);
      assertFalse(text.contains(SECRET), text);
    }
  }

  @Test
  void aShortClientSecretOrRefreshKeyStopsAuthAtStartWithoutEchoingIt() {
    String shortSecret = "zz9-short-secret-0123456789abcd"; // 31 characters
    String refresh = "refresh-" + UUID.randomUUID();
    Map<String, String[]> cases = Map.of(
      "SERVICE_CLIENTS", new String[] {"auth:" + AUTH_SECRET + ",webhook:" + shortSecret, refresh},
      "REFRESH_TOKEN_SECRET", new String[] {CLIENTS, "zz9-too-short"});
    cases.forEach((setting, values) -> {
      Map<String, String> env = new HashMap<>(TestStack.serviceEnv("auth_unused", Map.of()));
      env.put("JWT_SIGNING_KEY", TestKeys.signingKeySetting(key1));
      env.put("SERVICE_CLIENTS", values[0]);
      env.put("SERVICE_CLIENT_SECRET", AUTH_SECRET);
      env.put("REFRESH_TOKEN_SECRET", values[1]);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = ServiceLauncherAccess.run(new AuthDefinition(), new String[] {"run"}, env,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      String text = err.toString(StandardCharsets.UTF_8);
      assertEquals(2, code, text);
      assertTrue(text.contains(setting), text);
      assertFalse(text.contains("zz9"), text);
      assertFalse(text.contains(AUTH_SECRET), text);
    });
  }

  // ---------------------------------------------------------------------------------------------- helpers

  JsonObject whoami(String token) {
    Http.Response r = Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + guarded.actualPort() + "/whoami"))
      .header("Authorization", "Bearer " + token).GET());
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static Http.Response token(ServiceLauncher auth, String body, String contentType, String basic, String ip) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + auth.context().httpPort() + "/auth/token"))
      .header("Content-Type", contentType)
      // From loopback, auth trusts the gateway's X-Forwarded-For: each test gets its own rate-limit bucket.
      .header("X-Forwarded-For", ip)
      .POST(HttpRequest.BodyPublishers.ofString(body));
    if (basic != null) {
      b.header("Authorization", "Basic " + basic);
    }
    return Http.send(b);
  }

  static String form(String... kv) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      sb.append(i == 0 ? "" : "&").append(enc(kv[i])).append('=').append(enc(kv[i + 1]));
    }
    return sb.toString();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static JsonObject part(String jwt, int i) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]), StandardCharsets.UTF_8));
  }

  static String randomIp() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(1, 255);
  }
}
