package com.paysvc.testing;

import io.vertx.core.json.JsonObject;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The SPEC §3 error answer: {@code {"error_code", "message", "details"}} and nothing else, with the code's status. */
public final class ApiErrors {
  private ApiErrors() {
  }

  /** Asserts the status, the error code and the shape of an answer; returns its body. */
  public static JsonObject assertError(Http.Response r, int status, String code) {
    return assertError(r.status(), r.body(), status, code);
  }

  /** Asserts that an answer of {@code actualStatus} with {@code body} is the error {@code code} with {@code status}. */
  public static JsonObject assertError(int actualStatus, String body, int status, String code) {
    assertEquals(status, actualStatus, () -> "body: " + body);
    JsonObject json = new JsonObject(body);
    assertEquals(code, json.getString("error_code"), body);
    assertEquals(Set.of("error_code", "message", "details"), json.fieldNames(), body);
    return json;
  }
}
