package com.paysvc.common.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

import java.util.UUID;

/**
 * Transactional outbox: an event is written in the same transaction as the business change and published by the
 * relay only after that transaction committed.
 */
public interface Outbox {

  /**
   * Appends an event inside the caller's open transaction on {@code conn}. {@code aggregateId} orders events of
   * one aggregate (e.g. a user id); {@code correlationId} is the request id. Returns the event id.
   */
  Future<UUID> append(SqlConnection conn, String eventType, String aggregateId, JsonObject data, String correlationId);

  /** Tells the relay that committed events are waiting (call after the transaction committed). */
  void wake();
}
