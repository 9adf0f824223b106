package com.paysvc.testing;

import io.vertx.pgclient.PgException;

/** Postgres errors as the client reports them, built by hand: the error mapping is tested without a server. */
public final class PgErrors {
  private PgErrors() {
  }

  /** An ERROR with {@code sqlState} and {@code message} (e.g. a stored function's RAISE). */
  public static PgException of(String sqlState, String message) {
    return of(sqlState, message, null);
  }

  /** An ERROR with {@code sqlState} and {@code message} that names {@code constraint} (a constraint violation). */
  public static PgException of(String sqlState, String message, String constraint) {
    return new PgException(message, "ERROR", sqlState, null, null, null, null, null, null, null, null, null,
      null, null, null, null, constraint);
  }
}
