package com.paysvc.common.db;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.VertxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.stream.Stream;

import static com.paysvc.testing.PgErrors.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The generic SQLSTATE → SPEC §3 mapping, and how a service's own rules go ahead of it. */
class SqlFailuresTest {
  private static final SqlFailures GENERIC = SqlFailures.generic();

  /** SQLSTATE, constraint, Postgres' message → error code, HTTP status, message to the client. */
  static Stream<Arguments> generic() {
    return Stream.of(
      arguments("P0002", null, "user not found", ErrorCode.NOT_FOUND, 404, "user not found"),
      arguments("23505", "t_name_key", "duplicate key value violates unique constraint \"t_name_key\"",
        ErrorCode.CONFLICT, 409, "an entry with these values already exists"),
      arguments("23503", "t_ref_fkey", "update or delete on table \"t\" violates foreign key constraint",
        ErrorCode.CONFLICT, 409, "still in use: remove what refers to it first"),
      arguments("23514", "t_x_check", "new row for relation \"t\" violates check constraint \"t_x_check\"",
        ErrorCode.VALIDATION_ERROR, 400, "invalid value"),
      arguments("22P02", null, "invalid input syntax for type uuid: \"x\"", ErrorCode.VALIDATION_ERROR, 400, "invalid value"),
      arguments("22001", null, "value too long for type character varying(3)", ErrorCode.VALIDATION_ERROR, 400, "invalid value"),
      arguments("22023", null, "invalid parameter value", ErrorCode.VALIDATION_ERROR, 400, "invalid value"),
      arguments("22003", null, "integer out of range", ErrorCode.VALIDATION_ERROR, 400, "invalid value"),
      arguments("22P05", null, "unsupported Unicode escape sequence", ErrorCode.VALIDATION_ERROR, 400, "invalid value"),
      arguments("22021", null, "invalid byte sequence for encoding \"UTF8\": 0x00", ErrorCode.VALIDATION_ERROR, 400,
        "invalid value"));
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("generic")
  void aBusinessErrorOfPostgresBecomesItsApiError(String sqlState, String constraint, String pgMessage, ErrorCode code,
                                                 int status, String message) {
    ApiException api = assertInstanceOf(ApiException.class, GENERIC.toApi(of(sqlState, pgMessage, constraint)));
    assertEquals(code, api.code());
    assertEquals(status, api.code().status());
    assertEquals(message, api.getMessage());
  }

  /** What the mapping does not know passes through: infrastructure (503 in FailureHandler), anything else (500). */
  static Stream<Arguments> passedThrough() {
    return Stream.of(
      arguments(of("40001", "could not serialize access due to concurrent update")),
      arguments(of("40P01", "deadlock detected")),
      arguments(of("25006", "cannot execute INSERT in a read-only transaction")),
      arguments(of("08006", "connection failure")),
      arguments(of("57P01", "terminating connection due to administrator command")),
      arguments(of("42883", "function accounts.nope(text) does not exist")),
      arguments(of("UV001", "a SQLSTATE of a service's own, unknown to the generic part")),
      arguments(of(null, "no SQLSTATE")),
      arguments(new DatabaseUnavailableException(of("23505", "wrapped: not a business answer"))),
      arguments(new IOException("connection reset")),
      arguments(new VertxException("pool closed")));
  }

  @ParameterizedTest
  @MethodSource("passedThrough")
  void anythingElseIsLeftAsItIs(Throwable failure) {
    assertSame(failure, GENERIC.toApi(failure));
  }

  @Test
  void aServicesRulesGoAheadOfTheGenericOnes() {
    SqlFailures service = SqlFailures.generic()
      .raised("XY001", ErrorCode.FORBIDDEN)
      .state(SqlFailures.UNIQUE_VIOLATION, ErrorCode.CONFLICT, "taken")
      .constraint("t_value_uq", ErrorCode.CONTACT_TYPE_CONFLICT, "this value is in use");
    assertApi(service.toApi(of("XY001", "only an admin may do this")), ErrorCode.FORBIDDEN, "only an admin may do this");
    assertApi(service.toApi(of("23505", "duplicate key", "t_name_key")), ErrorCode.CONFLICT, "taken");
    assertApi(service.toApi(of("23505", "duplicate key", "t_value_uq")), ErrorCode.CONTACT_TYPE_CONFLICT, "this value is in use");
    assertApi(service.toApi(of("23503", "violates foreign key", "t_ref_fkey")), ErrorCode.CONFLICT,
      "still in use: remove what refers to it first");
    // The generic mapping itself is unchanged (each rule makes a new mapping).
    assertApi(GENERIC.toApi(of("23505", "duplicate key", "t_value_uq")), ErrorCode.CONFLICT,
      "an entry with these values already exists");
    Throwable unknown = of("XY001", "raised");
    assertSame(unknown, GENERIC.toApi(unknown));
  }

  @Test
  void translateFailsTheFutureWithTheApiError() {
    Throwable cause = GENERIC.translate(of("P0002", "contact not found")).cause();
    assertApi(cause, ErrorCode.NOT_FOUND, "contact not found");
  }

  private static void assertApi(Throwable t, ErrorCode code, String message) {
    ApiException api = assertInstanceOf(ApiException.class, t);
    assertEquals(code, api.code());
    assertEquals(message, api.getMessage());
  }
}
