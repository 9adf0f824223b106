package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sign-up passes the profile to users' create, whose bounds are what counts (defaults: 8192 bytes of stored JSON text,
 * depth 4, 64 keys): issue 27's new account with a ~900 KB profile is refused with 413, too deep or too wide with 400,
 * in the error shape, and nothing is left behind; a profile at the bounds signs up.
 */
class RegisterProfileIT extends PlatformIT {
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
