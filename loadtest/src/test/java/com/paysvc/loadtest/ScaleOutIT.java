package com.paysvc.loadtest;

import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of every service, as {@code bin/stack up --instances 2} runs them behind the gateway: a write on one
 * instance is read on the other at once (the cache is invalidated for both), a logout at one auth instance is
 * enforced by both users instances within a second (the revocation view), and instance 1 of every service killed
 * under load costs no request after HAProxy's check interval while every event is published once and applied once
 * (two outbox relays taking turns under their lease, two consumers of auth's queue: {@code bin/stack drill instances}).
 */
class ScaleOutIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int USERS_1 = 8002;
  private static final int USERS_2 = 8012;
  private static final int AUTH_2 = 8011;
  private static final int GATEWAY = 8080;
  private static String admin;

  @BeforeAll
  static void twoOfEach() throws Exception {
    TestStack.stack("up", "--instances", "2");
    admin = login(GATEWAY, TestStack.env("ADMIN_EMAIL"), TestStack.env("ADMIN_PASSWORD")).getString("access_token");
  }

  @AfterAll
  static void backToOne() {
    for (String svc : List.of("auth", "users", "webhook")) {
      TestStack.stack("instance-stop", svc, "2");
    }
  }

  private static HttpResponse<String> send(int port, String method, String path, String token, JsonObject body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject login(int port, String identifier, String password) throws Exception {
    HttpResponse<String> r = send(port, "POST", "/auth/login", null,
      new JsonObject().put("identifier", identifier).put("password", password));
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  @Test
  void aWriteOnOneInstanceIsReadOnTheOtherAtOnce() throws Exception {
    String phone = "+7995" + (1_000_000 + (int) (Math.random() * 8_999_999));
    HttpResponse<String> created = send(USERS_1, "POST", "/accounts/users", admin, new JsonObject()
      .put("profile", new JsonObject().put("name", "before"))
      .put("contacts", new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "phone").put("value", phone))));
    assertEquals(201, created.statusCode(), created.body());
    String id = new JsonObject(created.body()).getString("id");
    String byPhone = "/accounts/users/by-identifier?identifier=" + URLEncoder.encode(phone, StandardCharsets.UTF_8);
    // Both instances have read it (and so cached it, in the Redis they share).
    for (int port : List.of(USERS_1, USERS_2)) {
      assertEquals("before", profileName(send(port, "GET", "/accounts/users/" + id, admin, null)));
      assertEquals("before", profileName(send(port, "GET", byPhone, admin, null)));
    }
    HttpResponse<String> patched = send(USERS_1, "PATCH", "/accounts/users/" + id, admin,
      new JsonObject().put("profile", new JsonObject().put("name", "after")));
    assertEquals(200, patched.statusCode(), patched.body());
    assertEquals("after", profileName(send(USERS_2, "GET", "/accounts/users/" + id, admin, null)), "by id on the other instance");
    assertEquals("after", profileName(send(USERS_2, "GET", byPhone, admin, null)), "by phone on the other instance");
    // And the other way round.
    assertEquals(200, send(USERS_2, "PATCH", "/accounts/users/" + id, admin,
      new JsonObject().put("profile", new JsonObject().put("name", "again"))).statusCode());
    assertEquals("again", profileName(send(USERS_1, "GET", byPhone, admin, null)));
  }

  private static String profileName(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonObject("profile").getString("name");
  }

  @Test
  void aLogoutAtOneAuthInstanceIsEnforcedByEveryUsersInstanceWithinASecond() throws Exception {
    String email = "scale-" + UUID.randomUUID() + "@example.com";
    String password = "scale out " + UUID.randomUUID();
    HttpResponse<String> reg = send(GATEWAY, "POST", "/auth/register", null,
      new JsonObject().put("email", email).put("password", password));
    assertEquals(201, reg.statusCode(), reg.body());
    String id = new JsonObject(reg.body()).getString("id");
    String token = login(GATEWAY, email, password).getString("access_token");
    for (int port : List.of(USERS_1, USERS_2)) {
      assertEquals(200, send(port, "GET", "/accounts/users/" + id, token, null).statusCode());
    }
    assertEquals(204, send(AUTH_2, "POST", "/auth/logout", token, null).statusCode());
    long t0 = System.nanoTime();
    assertTrue(eventually(1_000, () -> {
      try {
        return send(USERS_1, "GET", "/accounts/users/" + id, token, null).statusCode() == 401
          && send(USERS_2, "GET", "/accounts/users/" + id, token, null).statusCode() == 401;
      } catch (Exception e) {
        return false;
      }
    }), "the logged-out token still works on a users instance after 1 s");
    System.out.printf("logout at auth #2 enforced by users #1 and #2 after %.0f ms%n", (System.nanoTime() - t0) / 1e6);
  }

  @Test
  void instanceOneOfEveryServiceKilledUnderLoad(@TempDir Path out) throws Exception {
    Commands.Ran ran = Commands.run(900, "bin/stack", "drill", "instances", "--ci", "--out", out.toString());
    assertEquals(0, ran.exit(), "drill instances missed a target or could not run:\n" + ran.output());
  }
}
