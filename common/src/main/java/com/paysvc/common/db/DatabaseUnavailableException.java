package com.paysvc.common.db;

/** The database could not run a statement for infrastructure reasons (node down, failover in progress). */
public final class DatabaseUnavailableException extends RuntimeException {
  public DatabaseUnavailableException(Throwable cause) {
    super("database unavailable: " + cause.getMessage(), cause);
  }
}
