package com.paysvc.auth.users;

import com.paysvc.common.client.PeerClient;
import com.paysvc.common.client.ServiceToken;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * What auth makes of users' refusals of a create (a sign-up's first step), against a stub users: the caller's mistakes
 * (400, 409, 413: a profile over users' bound) keep their status, code, message and details; what says something about
 * auth itself (401, 403, 415, 429) is 503.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsersClientTest {
  private final Vertx vertx = Vertx.vertx();
  private HttpServer stub;
  private UsersClient users;
  /** The stub's next answer: status and body. */
  private volatile int status;
  private volatile String body;

  @BeforeAll
  void start() {
    stub = await(vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> req.response()
      .setStatusCode(status).putHeader("Content-Type", "application/json").end(body))).listen(0, "127.0.0.1"));
    ServiceToken token = new ServiceToken(() -> Future.succeededFuture(new ServiceToken.Grant("t", 900)));
    users = new UsersClient(new PeerClient(vertx, WebClient.create(vertx), "users", "http://127.0.0.1:" + stub.actualPort(),
      token, 2000, new SimpleMeterRegistry()));
  }

  @AfterAll
  void stop() {
    await(vertx.close());
  }

  static String error(String code, String message, JsonObject details) {
    return new JsonObject().put("error_code", code).put("message", message).put("details", details).encode();
  }

  /** users' status and body → auth's error code, message and details. */
  static Stream<Arguments> refusals() {
    JsonObject limit = new JsonObject().put("max_bytes", 8192);
    return Stream.of(
      arguments(413, error("PAYLOAD_TOO_LARGE", "profile is larger than 8192 bytes", limit), ErrorCode.PAYLOAD_TOO_LARGE,
        "profile is larger than 8192 bytes", limit),
      arguments(413, "<html>too large</html>", ErrorCode.PAYLOAD_TOO_LARGE, "rejected by users", new JsonObject()),
      arguments(400, error("VALIDATION_ERROR", "profile is nested deeper than 4", new JsonObject()), ErrorCode.VALIDATION_ERROR,
        "profile is nested deeper than 4", new JsonObject()),
      arguments(400, error("INVALID_SECOND_LOGIN", "looks like a phone", new JsonObject()), ErrorCode.INVALID_SECOND_LOGIN,
        "looks like a phone", new JsonObject()),
      arguments(409, error("CONTACT_TYPE_CONFLICT", "taken", new JsonObject()), ErrorCode.CONTACT_TYPE_CONFLICT, "taken",
        new JsonObject()),
      // A code whose status differs from users' status: the status decides.
      arguments(413, error("VALIDATION_ERROR", "odd", new JsonObject()), ErrorCode.PAYLOAD_TOO_LARGE, "odd", new JsonObject()),
      arguments(401, error("UNAUTHORIZED", "no token", new JsonObject()), ErrorCode.DEPENDENCY_UNAVAILABLE,
        "users is unavailable", new JsonObject()),
      arguments(403, error("FORBIDDEN", "scope", new JsonObject()), ErrorCode.DEPENDENCY_UNAVAILABLE, "users is unavailable",
        new JsonObject()),
      arguments(429, error("RATE_LIMITED", "slow down", new JsonObject()), ErrorCode.DEPENDENCY_UNAVAILABLE,
        "users is unavailable", new JsonObject()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("refusals")
  void aRefusedCreateIsPassedOnOrUnavailable(int status, String body, ErrorCode code, String message, JsonObject details) {
    this.status = status;
    this.body = body;
    JsonArray contacts = new JsonArray().add(new JsonObject().put("type", "email").put("value", "a@example.com"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
      () -> await(users.create(new JsonObject().put("k", "v"), contacts, null, "rid"), 10));
    ApiException api = assertInstanceOf(ApiException.class, e.getCause());
    assertEquals(code, api.code());
    assertEquals(message, api.getMessage());
    assertEquals(details, api.details());
  }
}
