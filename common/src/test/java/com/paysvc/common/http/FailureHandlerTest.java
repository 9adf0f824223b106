package com.paysvc.common.http;

import com.paysvc.common.db.DatabaseUnavailableException;
import com.paysvc.testing.Http;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Optional;
import java.util.stream.Stream;

import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.PgErrors.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every kind of failure a route can end with → status, error code, message and the SPEC §3 body
 * {@code {"error_code","message","details"}}, through a real HTTP server on an ephemeral port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureHandlerTest {
  private final Vertx vertx = Vertx.vertx();
  private HttpServer server;
  /** What the route fails with for the next request: a Throwable, or an Integer (a status without a failure). */
  private volatile Object next;

  @BeforeAll
  void start() {
    Router router = Router.router(vertx);
    router.get("/fail").handler(rc -> {
      if (next instanceof Integer status) {
        rc.fail(status);
      } else {
        rc.fail((Throwable) next);
      }
    });
    router.route().failureHandler(new FailureHandler());
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void stop() {
    await(vertx.close());
  }

  /** name, failure (a Throwable or a status) → status, error code, message to the client. */
  static Stream<Arguments> failures() {
    return Stream.of(
      // Answers of the code: as they are.
      arguments("ApiException", ApiException.notFound("user"), 404, "NOT_FOUND", "user not found"),
      arguments("ApiException validation", ApiException.validation("size must be at most 100"), 400, "VALIDATION_ERROR",
        "size must be at most 100"),
      arguments("ApiException conflict", new ApiException(ErrorCode.CONTACT_TYPE_CONFLICT, "in use"), 409,
        "CONTACT_TYPE_CONFLICT", "in use"),
      arguments("ApiException upload", new ApiException(ErrorCode.FILE_UPLOAD_ERROR, "not a CSV"), 400, "FILE_UPLOAD_ERROR",
        "not a CSV"),
      arguments("ApiException second login", new ApiException(ErrorCode.INVALID_SECOND_LOGIN, "looks like a phone"), 400,
        "INVALID_SECOND_LOGIN", "looks like a phone"),
      // The contract's validator.
      arguments("ValidatorException", new ValidatorException("The value of query parameter size is invalid",
        ValidatorErrorType.INVALID_VALUE), 400, "VALIDATION_ERROR", "The value of query parameter size is invalid"),
      // Statuses from Vert.x Web's handlers (body limit, auth, routing) and rc.fail(status).
      arguments("HttpException 400 with a payload", new HttpException(400, "missing boundary"), 400, "VALIDATION_ERROR",
        "missing boundary"),
      arguments("HttpException 400", new HttpException(400), 400, "VALIDATION_ERROR", "bad request"),
      arguments("HttpException 401", new HttpException(401, "ignored"), 401, "UNAUTHORIZED", "authentication required"),
      arguments("HttpException 403", new HttpException(403), 403, "FORBIDDEN", "forbidden"),
      arguments("HttpException 404", new HttpException(404), 404, "NOT_FOUND", "not found"),
      arguments("HttpException 405", new HttpException(405), 405, "METHOD_NOT_ALLOWED", "method not allowed"),
      arguments("HttpException 413", new HttpException(413), 413, "PAYLOAD_TOO_LARGE", "request body too large"),
      arguments("HttpException 415", new HttpException(415), 415, "UNSUPPORTED_MEDIA_TYPE", "unsupported content type"),
      arguments("HttpException 429", new HttpException(429), 429, "RATE_LIMITED", "too many requests"),
      arguments("HttpException 503", new HttpException(503), 503, "DEPENDENCY_UNAVAILABLE",
        "a dependency is unavailable, retry shortly"),
      arguments("HttpException 418, another 4xx", new HttpException(418, "short and stout"), 400, "VALIDATION_ERROR",
        "short and stout"),
      arguments("HttpException 500", new HttpException(500, "secret detail"), 500, "INTERNAL_ERROR", "internal error"),
      arguments("status 404", 404, 404, "NOT_FOUND", "not found"),
      arguments("status 401", 401, 401, "UNAUTHORIZED", "authentication required"),
      arguments("status 500", 500, 500, "INTERNAL_ERROR", "internal error"),
      // Bodies and data that do not fit.
      arguments("DecodeException", new DecodeException("Unexpected character"), 400, "VALIDATION_ERROR",
        "request body is not valid JSON"),
      arguments("PgException class 22", of("22001", "value too long for type character varying(64)"), 400,
        "VALIDATION_ERROR", "a value of the request is not acceptable"),
      arguments("PgException 22P02", of("22P02", "invalid input syntax for type uuid"), 400, "VALIDATION_ERROR",
        "a value of the request is not acceptable"),
      // The database unavailable.
      arguments("DatabaseUnavailableException", new DatabaseUnavailableException(of("08006", "connection failure")), 503,
        "DATABASE_ERROR", "the database is unavailable, retry shortly"),
      arguments("ClosedConnectionException", ClosedConnectionException.INSTANCE, 503, "DATABASE_ERROR",
        "the database is unavailable, retry shortly"),
      arguments("PgException 08006", of("08006", "connection failure"), 503, "DATABASE_ERROR",
        "the database is unavailable, retry shortly"),
      arguments("PgException 57P01", of("57P01", "terminating connection due to administrator command"), 503,
        "DATABASE_ERROR", "the database is unavailable, retry shortly"),
      arguments("PgException 25006", of("25006", "cannot execute UPDATE in a read-only transaction"), 503,
        "DATABASE_ERROR", "the database is unavailable, retry shortly"),
      arguments("PgException 40001", of("40001", "could not serialize access"), 503, "DATABASE_ERROR",
        "the database is unavailable, retry shortly"),
      // Peers behind a breaker.
      arguments("breaker open", OpenCircuitException.INSTANCE, 503, "DEPENDENCY_UNAVAILABLE",
        "a dependency is unavailable, retry shortly"),
      arguments("breaker timeout", io.vertx.circuitbreaker.TimeoutException.INSTANCE, 503, "DEPENDENCY_UNAVAILABLE",
        "a dependency is unavailable, retry shortly"),
      // Bugs and unmapped SQL: never their text.
      arguments("PgException 23505 unmapped", of("23505", "duplicate key value violates unique constraint \"t_pkey\""),
        500, "INTERNAL_ERROR", "internal error"),
      arguments("PgException 42883", of("42883", "function accounts.nope(text) does not exist"), 500, "INTERNAL_ERROR",
        "internal error"),
      arguments("RuntimeException", new IllegalStateException("SELECT secret FROM t"), 500, "INTERNAL_ERROR",
        "internal error"),
      arguments("NullPointerException", new NullPointerException(), 500, "INTERNAL_ERROR", "internal error"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void eachFailureIsOneErrorShape(String name, Object failure, int status, String code, String message) {
    next = failure;
    Http.Response r = Http.get(server.actualPort(), "/fail");
    JsonObject body = assertError(r, status, code);
    assertEquals(message, body.getString("message"));
    assertEquals(new JsonObject(), body.getJsonObject("details"));
    assertEquals(Optional.of("application/json"), r.headers().firstValue("Content-Type"));
    assertFalse(r.headers().firstValue("Retry-After").isPresent());
    assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), r.body());
  }

  @Test
  void detailsAreKeptAndARateLimitSaysWhenToRetry() {
    next = new ApiException(ErrorCode.RATE_LIMITED, "too many failed logins",
      new JsonObject().put("retry_after_seconds", 42));
    Http.Response r = Http.get(server.actualPort(), "/fail");
    JsonObject body = assertError(r, 429, "RATE_LIMITED");
    assertEquals(new JsonObject().put("retry_after_seconds", 42), body.getJsonObject("details"));
    assertEquals(Optional.of("42"), r.headers().firstValue("Retry-After"));

    next = new ApiException(ErrorCode.VALIDATION_ERROR, "bad rows", new JsonObject().put("rows", 3));
    body = assertError(Http.get(server.actualPort(), "/fail"), 400, "VALIDATION_ERROR");
    assertEquals(new JsonObject().put("rows", 3), body.getJsonObject("details"));
  }
}
