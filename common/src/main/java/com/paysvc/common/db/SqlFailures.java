package com.paysvc.common.db;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQLSTATE → SPEC §3 error, for what Postgres refuses in a request's data. {@link #generic()} is the part every
 * service shares (no data found, unique, foreign key and check violations, values that do not fit); a service adds
 * its own: the SQLSTATEs its stored functions raise ({@link #raised}) and its named constraints
 * ({@link #constraint}). The messages of a service's own RAISEs are written for clients; constraint and data errors
 * get fixed texts, so no SQL reaches the client. Anything else passes through unchanged: infrastructure failures
 * ({@link DbErrors#isInfrastructure}) become 503 in FailureHandler, the rest 500.
 * <p>
 * Immutable: each method returns a new mapping; a service builds its own once, in a constant.
 */
public final class SqlFailures {
  public static final String NO_DATA_FOUND = "P0002";
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String FOREIGN_KEY_VIOLATION = "23503";
  public static final String CHECK_VIOLATION = "23514";
  /**
   * Data exceptions of a value that does not fit: 22P02 invalid text representation (a bad uuid, number, json),
   * 22001 too long, 22023 invalid parameter value, 22003 out of range, and 22P05/22021: a NUL character (\u0000) in a
   * JSON string or a text value, which Postgres cannot store.
   */
  public static final List<String> INVALID_VALUES = List.of("22P02", "22001", "22023", "22003", "22P05", "22021");

  private static final String INVALID_VALUE = "invalid value";

  /** {@code message} null: the message of the RAISE. */
  private record Rule(ErrorCode code, String message) {
    ApiException apply(PgException pg) {
      return new ApiException(code, message != null ? message : pg.getErrorMessage());
    }
  }

  private final Map<String, Rule> byState;
  private final Map<String, Rule> byConstraint;

  private SqlFailures(Map<String, Rule> byState, Map<String, Rule> byConstraint) {
    this.byState = Map.copyOf(byState);
    this.byConstraint = Map.copyOf(byConstraint);
  }

  /** What every service shares. */
  public static SqlFailures generic() {
    Map<String, Rule> states = new HashMap<>();
    // RAISE ... USING ERRCODE = 'P0002' in a stored function names what is missing ("user not found").
    states.put(NO_DATA_FOUND, new Rule(ErrorCode.NOT_FOUND, null));
    states.put(UNIQUE_VIOLATION, new Rule(ErrorCode.CONFLICT, "an entry with these values already exists"));
    states.put(FOREIGN_KEY_VIOLATION, new Rule(ErrorCode.CONFLICT, "still in use: remove what refers to it first"));
    states.put(CHECK_VIOLATION, new Rule(ErrorCode.VALIDATION_ERROR, INVALID_VALUE));
    for (String state : INVALID_VALUES) {
      states.put(state, new Rule(ErrorCode.VALIDATION_ERROR, INVALID_VALUE));
    }
    return new SqlFailures(states, Map.of());
  }

  /** A SQLSTATE the service's stored functions raise: {@code code}, with the RAISE's message (written for clients). */
  public SqlFailures raised(String sqlState, ErrorCode code) {
    return withState(sqlState, new Rule(code, null));
  }

  /** A SQLSTATE answered with {@code code} and a fixed {@code message} (also: another text for a generic one). */
  public SqlFailures state(String sqlState, ErrorCode code, String message) {
    return withState(sqlState, new Rule(code, message));
  }

  /** A violation of the constraint (or unique index) {@code name}: ahead of the rule of its SQLSTATE. */
  public SqlFailures constraint(String name, ErrorCode code, String message) {
    Map<String, Rule> constraints = new HashMap<>(byConstraint);
    constraints.put(name, new Rule(code, message));
    return new SqlFailures(byState, constraints);
  }

  private SqlFailures withState(String sqlState, Rule rule) {
    Map<String, Rule> states = new HashMap<>(byState);
    states.put(sqlState, rule);
    return new SqlFailures(states, byConstraint);
  }

  /** For {@code .recover(...)}: the failure as an API error where it is one, else unchanged. */
  public <T> Future<T> translate(Throwable err) {
    return Future.failedFuture(toApi(err));
  }

  /** The API error of a Postgres error this mapping knows; any other failure as it is. */
  public Throwable toApi(Throwable err) {
    if (!(err instanceof PgException pg) || pg.getSqlState() == null) {
      return err;
    }
    Rule rule = pg.getConstraint() != null ? byConstraint.get(pg.getConstraint()) : null;
    if (rule == null) {
      rule = byState.get(pg.getSqlState());
    }
    return rule != null ? rule.apply(pg) : err;
  }
}
