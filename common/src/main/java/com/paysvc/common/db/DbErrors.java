package com.paysvc.common.db;

import io.vertx.pgclient.PgException;

import java.net.ConnectException;
import java.util.Set;

/**
 * Tells infrastructure failures (node down, connection lost, read-only after demotion, recovery conflict) from
 * business errors raised by our stored functions or constraints. Only the former trip breakers, trigger
 * fallbacks and map to 503; the latter are answers.
 */
public final class DbErrors {
  /** SQLSTATE of a write sent to a node that is (now) read-only, e.g. a demoted primary. */
  public static final String READ_ONLY_TRANSACTION = "25006";
  public static final String SERIALIZATION_FAILURE = "40001";
  public static final String DEADLOCK_DETECTED = "40P01";

  // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention
  // (admin shutdown, cannot connect now), 58 system error, XX internal error.
  private static final Set<String> INFRA_CLASSES = Set.of("08", "53", "57", "58", "XX");
  // 40001 on a standby is "canceling statement due to conflict with recovery": retrying elsewhere is right.
  private static final Set<String> INFRA_STATES = Set.of(READ_ONLY_TRANSACTION, SERIALIZATION_FAILURE, DEADLOCK_DETECTED);

  private DbErrors() {
  }

  public static boolean isInfrastructure(Throwable t) {
    if (t == null) {
      return false;
    }
    if (t instanceof PgException pg) {
      String state = pg.getSqlState();
      return state == null || INFRA_STATES.contains(state)
        || (state.length() == 5 && INFRA_CLASSES.contains(state.substring(0, 2)));
    }
    // Connection refused/closed, pool wait timeouts, breaker timeouts: anything not from the server's SQL layer.
    return t instanceof ConnectException
      || t instanceof io.vertx.core.VertxException
      || t instanceof java.io.IOException
      || t instanceof java.util.concurrent.TimeoutException
      || t instanceof io.vertx.circuitbreaker.TimeoutException
      || t instanceof io.vertx.circuitbreaker.OpenCircuitException
      || (t.getCause() != null && t.getCause() != t && isInfrastructure(t.getCause()));
  }

  public static boolean isReadOnly(Throwable t) {
    return t instanceof PgException pg && READ_ONLY_TRANSACTION.equals(pg.getSqlState());
  }

  /**
   * A deadlock or a serialization failure, also as the cause of a {@link DatabaseUnavailableException} (Db wraps
   * them, being infrastructure to a replica read): the transaction may simply be run again.
   */
  public static boolean isRetryableConflict(Throwable t) {
    String state = sqlState(t instanceof DatabaseUnavailableException ? t.getCause() : t);
    return DEADLOCK_DETECTED.equals(state) || SERIALIZATION_FAILURE.equals(state);
  }

  public static String sqlState(Throwable t) {
    return t instanceof PgException pg ? pg.getSqlState() : null;
  }
}
