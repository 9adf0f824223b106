package com.paysvc.common.events;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;

import java.util.UUID;

/** {@link Outbox} on the service's own database; {@link #wake()} pokes the relay through the local event bus. */
final class PgOutbox implements Outbox {
  static final String WAKE_ADDRESS = "paysvc.events.outbox.wake";

  private final Vertx vertx;
  private final String producer;

  PgOutbox(Vertx vertx, String producer) {
    this.vertx = vertx;
    this.producer = producer;
  }

  @Override
  public Future<UUID> append(SqlConnection conn, String eventType, String aggregateId, JsonObject data,
                             String correlationId) {
    return OutboxStore.append(conn, eventType, aggregateId, producer, correlationId, data);
  }

  @Override
  public void wake() {
    // A hint only: the periodic sweep publishes the event anyway if the relay misses this.
    vertx.eventBus().send(WAKE_ADDRESS, null);
  }
}
