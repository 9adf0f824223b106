package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /auth/register passes users' refusal of a profile on as that 4xx in the error shape (not 503), creates nothing, and
 * leaves the identifiers free; auth's own body limit (REGISTER_BODY_MAX_BYTES) refuses a larger body before reading it.
 * Here auth's limit is raised above users' body limit (1 MiB), so users is the one that refuses: what users' own
 * profile bound answers (413 / 400) takes the same path.
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
}
