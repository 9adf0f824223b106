package com.paysvc.common.db;

import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static com.paysvc.testing.PgErrors.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Which failures are infrastructure (breakers, fallbacks, 503) and which may simply be run again. */
class DbErrorsTest {

  /** failure → infrastructure?, read-only node?, a conflict to retry? */
  static Stream<Arguments> failures() {
    return Stream.of(
      arguments("08006 connection failure", of("08006", "connection failure"), true, false, false),
      arguments("08001 cannot connect", of("08001", "could not connect"), true, false, false),
      arguments("53300 too many connections", of("53300", "too many connections"), true, false, false),
      arguments("57P01 admin shutdown", of("57P01", "terminating connection"), true, false, false),
      arguments("57P03 cannot connect now", of("57P03", "the database system is starting up"), true, false, false),
      arguments("58030 io error", of("58030", "could not read"), true, false, false),
      arguments("XX000 internal", of("XX000", "internal error"), true, false, false),
      arguments("25006 read-only", of("25006", "read-only transaction"), true, true, false),
      arguments("40001 serialization", of("40001", "could not serialize access"), true, false, true),
      arguments("40P01 deadlock", of("40P01", "deadlock detected"), true, false, true),
      arguments("no SQLSTATE", of(null, "?"), true, false, false),
      arguments("23505 unique", of("23505", "duplicate key"), false, false, false),
      arguments("P0002 raised", of("P0002", "user not found"), false, false, false),
      arguments("22P02 bad value", of("22P02", "invalid input syntax"), false, false, false),
      arguments("deadlock wrapped by Db", new DatabaseUnavailableException(of("40P01", "deadlock detected")), true, false, true),
      arguments("connection refused", new ConnectException("Connection refused"), true, false, false),
      arguments("closed connection", ClosedConnectionException.INSTANCE, true, false, false),
      arguments("io", new IOException("reset"), true, false, false),
      arguments("timeout", new TimeoutException(), true, false, false),
      arguments("breaker open", OpenCircuitException.INSTANCE, true, false, false),
      arguments("breaker timeout", io.vertx.circuitbreaker.TimeoutException.INSTANCE, true, false, false),
      arguments("Vert.x", new VertxException("pool closed"), true, false, false),
      arguments("cause is infrastructure", new IllegalStateException(new ConnectException("refused")), true, false, false),
      arguments("a bug", new IllegalStateException("bug"), false, false, false),
      arguments("nothing", null, false, false, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void classifies(String name, Throwable failure, boolean infrastructure, boolean readOnly, boolean retryable) {
    assertEquals(infrastructure, DbErrors.isInfrastructure(failure), "infrastructure");
    assertEquals(readOnly, DbErrors.isReadOnly(failure), "read-only");
    assertEquals(retryable, DbErrors.isRetryableConflict(failure), "retryable conflict");
  }
}
