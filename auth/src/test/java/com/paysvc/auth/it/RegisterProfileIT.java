package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sign-up passes the profile to users' create, whose bounds are what counts (defaults: 8192 bytes of stored JSON text,
 * depth 4, 64 keys): issue 27's new account with a ~900 KB profile is refused with 413, too deep or too wide with 400,
 * in the error shape, and nothing is left behind; a profile at the bounds signs up. auth passes users' refusal on as
 * that 4xx (not 503), and its own body limit (REGISTER_BODY_MAX_BYTES) refuses a larger body before reading it. Here
 * auth's limit is raised above users' body limit (1 MiB), so that users is the one that refuses the larger bodies too.
 */
class RegisterProfileIT extends PlatformIT {
  static final int AUTH_LIMIT = 4 * 1024 * 1024;

  @Override
  protected Map<String, String> settings() {
    return Map.of("REGISTER_BODY_MAX_BYTES", Integer.toString(AUTH_LIMIT));
  }

  @Test
  void aProfileUsersRefusesAsTooLargeIs413AndCreatesNothing() {
    Platform.Person a = person();
    JsonObject big = a.registration().put("profile", new JsonObject().put("bio", "x".repeat(1_500_000)));
    Http.Response r = p.post("/auth/register", big, null, randomIp());
    assertError(r, 413, "PAYLOAD_TOO_LARGE");
    // Nothing was created: the same identifiers sign up with a small profile.
    Http.Response again = p.post("/auth/register", a.registration(), null, randomIp());
    assertEquals(201, again.status(), again.body());
  }

  @Test
  void aProfileValueUsersRefusesIs400WithUsersMessage() {
    Platform.Person a = person();
    // PostgreSQL's jsonb holds no NUL character: users answers 400, auth passes it on.
    JsonObject nul = a.registration().put("profile", new JsonObject().put("name", "a\u0000b"));
    JsonObject err = assertError(p.post("/auth/register", nul, null, randomIp()), 400, "VALIDATION_ERROR");
    assertTrue(err.getString("message").length() > 0, err.encode());
    assertEquals(201, p.post("/auth/register", a.registration(), null, randomIp()).status());
  }

  @Test
  void aBodyOverAuthsOwnLimitIs413BeforeItIsRead() {
    Platform.Person a = person();
    JsonObject huge = a.registration().put("profile", new JsonObject().put("bio", "y".repeat(AUTH_LIMIT)));
    JsonObject err = assertError(p.post("/auth/register", huge, null, randomIp()), 413, "PAYLOAD_TOO_LARGE");
    assertEquals("the body is larger than " + AUTH_LIMIT + " bytes", err.getString("message"));
  }

  /** {"k": "xxx…"} whose stored jsonb text ({"k": "…"}, with jsonb's space) is exactly {@code bytes} long. */
  private static JsonObject ofStoredSize(int bytes) {
    return new JsonObject().put("k", "x".repeat(bytes - "{\"k\": \"\"}".length()));
  }

  private Http.Response register(Platform.Person who, JsonObject profile) {
    return p.post("/auth/register", who.registration().put("profile", profile));
  }

  @Test
  void aProfileOverTheBoundsIsRefusedAndNothingIsCreated() {
    Platform.Person big = person();
    assertError(register(big, ofStoredSize(900_000)), 413, "PAYLOAD_TOO_LARGE");
    assertEquals(404, p.lookup(big.phone(), true).status());
    Platform.Person deep = person();
    assertError(register(deep, new JsonObject().put("a", new JsonObject().put("b", new JsonObject()
      .put("c", new JsonObject().put("d", new JsonArray()))))), 400, "VALIDATION_ERROR");
    assertEquals(404, p.lookup(deep.phone(), true).status());
    JsonObject wide = new JsonObject();
    for (int i = 0; i < 65; i++) {
      wide.put("k" + i, i);
    }
    Platform.Person many = person();
    assertError(register(many, wide), 400, "VALIDATION_ERROR");
    assertEquals(404, p.lookup(many.phone(), true).status());
  }

  @Test
  void aProfileAtTheBoundsSignsUp() {
    Platform.Person exact = person();
    Http.Response r = register(exact, ofStoredSize(8192));
    assertEquals(201, r.status(), () -> r.body().substring(0, Math.min(300, r.body().length())));
    assertEquals(ofStoredSize(8192), r.json().getJsonObject("profile"));
  }
}
