package com.paysvc.common.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The calls to the outbox/inbox stored functions ({@code sql/events}). */
final class OutboxStore {
  private OutboxStore() {
  }

  /** An outbox row the relay publishes: its position and the envelope. */
  record Pending(long id, String aggregateId, Event event) {
  }

  static Future<UUID> append(SqlClient conn, String eventType, String aggregateId, String producer,
                             String correlationId, JsonObject data) {
    return conn.preparedQuery("SELECT events.outbox_append_v1($1, $2, $3, $4, $5::jsonb) AS event_id")
      .execute(Tuple.of(eventType, aggregateId, producer, correlationId, data))
      .map(rows -> rows.iterator().next().getUUID("event_id"));
  }

  static Future<List<Pending>> claim(SqlClient conn, String owner, int leaseMs, int limit) {
    return conn.preparedQuery("SELECT * FROM events.outbox_claim_v1($1, $2, $3)")
      .execute(Tuple.of(owner, leaseMs, limit))
      .map(rows -> {
        List<Pending> list = new ArrayList<>(rows.size());
        for (Row r : rows) {
          OffsetDateTime at = r.getOffsetDateTime("occurred_at");
          Object data = r.getValue("data");
          Event e = new Event(r.getUUID("event_id"), r.getString("event_type"), at.toInstant(), r.getString("producer"),
            r.getString("correlation_id"), data instanceof JsonObject j ? j : new JsonObject());
          list.add(new Pending(r.getLong("id"), r.getString("aggregate_id"), e));
        }
        return list;
      });
  }

  static Future<Integer> markSent(SqlClient conn, List<Long> ids) {
    return conn.preparedQuery("SELECT events.outbox_mark_sent_v1($1) AS n")
      .execute(Tuple.of(ids.toArray(new Long[0])))
      .map(rows -> rows.iterator().next().getInteger("n"));
  }

  static Future<Void> release(SqlClient conn, String owner) {
    return conn.preparedQuery("SELECT events.outbox_release_v1($1)").execute(Tuple.of(owner)).mapEmpty();
  }

  static Future<Long> backlog(SqlClient conn) {
    return conn.query("SELECT events.outbox_backlog_v1() AS n").execute()
      .map(rows -> rows.iterator().next().getLong("n"));
  }

  static Future<Integer> prune(SqlClient conn, long retentionMs, int limit) {
    return conn.preparedQuery("SELECT events.outbox_prune_v1($1, $2) AS n").execute(Tuple.of(retentionMs, limit))
      .map(rows -> rows.iterator().next().getInteger("n"));
  }

  static Future<Integer> pruneInbox(SqlClient conn, long retentionMs, int limit) {
    return conn.preparedQuery("SELECT events.inbox_prune_v1($1, $2) AS n").execute(Tuple.of(retentionMs, limit))
      .map(rows -> rows.iterator().next().getInteger("n"));
  }

  /** true = first time this event is applied here; false = a duplicate, skip the changes. */
  static Future<Boolean> recordProcessed(SqlClient conn, Event event) {
    return conn.preparedQuery("SELECT events.inbox_record_v1($1, $2) AS first")
      .execute(Tuple.of(event.id(), event.type()))
      .map(rows -> rows.iterator().next().getBoolean("first"));
  }
}
