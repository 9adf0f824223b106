package com.paysvc.common.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Handles one event inside a transaction on the service's primary database; the event id is recorded as processed
 * in the same transaction, so the handler's changes are applied exactly once however often the event is delivered.
 */
@FunctionalInterface
public interface TxEventHandler {
  Future<?> handle(SqlConnection conn, Event event);
}
