package com.paysvc.webhook.store;

import com.paysvc.webhook.service.Notification;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** webhook's stored functions (sql/webhook), one prepared call each. */
public final class PaymentsStore {

  /**
   * What ingest did: stored / duplicate / conflict, the notification's (original) outcome, the payment now, and how
   * many of the payment's events wait for their payer.
   */
  public record Ingested(String outcome, boolean applied, String reason, String paymentStatus, Integer version, int waiting) {
  }

  /** Ingest, one call in one transaction: store, apply, write the event (see V2__payments.sql). */
  public Future<Ingested> ingest(SqlClient c, Notification n, Buffer body, byte[] sha256, String secret, String requestId,
                                 int payerFreshSeconds) {
    Tuple args = Tuple.tuple().addString(n.eventId()).addBuffer(body).addBuffer(Buffer.buffer(sha256)).addString(secret)
      .addString(n.transactionId()).addString(n.status()).addLong(n.amount()).addString(n.currency())
      .addString(n.payerPhone()).addString(n.orderId()).addOffsetDateTime(n.occurredAt()).addString(requestId)
      .addInteger(payerFreshSeconds);
    return c.preparedQuery("SELECT outcome, applied, reason, payment_status, version, waiting FROM webhook.ingest_v1($1, $2, "
        + "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
      .execute(args)
      .map(rows -> {
        Row r = rows.iterator().next();
        return new Ingested(r.getString(0), Boolean.TRUE.equals(r.getBoolean(1)), r.getString(2), r.getString(3), r.getInteger(4),
          r.getInteger(5));
      });
  }

  /** The payment and its history as JSON text, or null. */
  public Future<Buffer> payment(SqlClient c, String transactionId) {
    return json(c.preparedQuery("SELECT webhook.get_payment_v1($1)::text").execute(Tuple.of(transactionId)));
  }

  public Future<Buffer> notifications(SqlClient c, String status, OffsetDateTime from, OffsetDateTime to, int page, int size) {
    return json(c.preparedQuery("SELECT webhook.list_notifications_v1($1, $2, $3, $4, $5)::text")
      .execute(Tuple.tuple().addString(status).addOffsetDateTime(from).addOffsetDateTime(to).addInteger(page).addInteger(size)));
  }

  /** replayed | waiting | not_applied | unknown. */
  public Future<String> replay(SqlClient c, String eventId, String requestId) {
    return c.preparedQuery("SELECT webhook.replay_v1($1, $2)").execute(Tuple.of(eventId, requestId))
      .map(rows -> rows.iterator().next().getString(0));
  }

  public Future<List<String>> claimPayers(SqlClient c, int limit, int claimSeconds) {
    return c.preparedQuery("SELECT * FROM webhook.claim_payers_v1($1, $2)").execute(Tuple.of(limit, claimSeconds))
      .map(rows -> {
        List<String> phones = new ArrayList<>(rows.size());
        rows.forEach(r -> phones.add(r.getString(0)));
        return phones;
      });
  }

  /** Returns the number of deferred events released to the outbox. */
  public Future<Integer> payerResolved(SqlClient c, String phone, UUID userId) {
    return c.preparedQuery("SELECT webhook.payer_resolved_v1($1, $2)").execute(Tuple.of(phone, userId))
      .map(rows -> rows.iterator().next().getInteger(0));
  }

  /** Publishes events that waited longer than {@code maxAgeSeconds} without the user id; returns their number. */
  public Future<Integer> releaseStale(SqlClient c, int maxAgeSeconds) {
    return c.preparedQuery("SELECT webhook.release_stale_deferred_v1($1)").execute(Tuple.of(maxAgeSeconds))
      .map(rows -> rows.iterator().next().getInteger(0));
  }

  public Future<Void> payerFailed(SqlClient c, String phone, String error, int maxDelaySeconds) {
    return c.preparedQuery("SELECT webhook.payer_failed_v1($1, $2, $3)").execute(Tuple.of(phone, error, maxDelaySeconds))
      .mapEmpty();
  }

  private static Future<Buffer> json(Future<io.vertx.sqlclient.RowSet<Row>> rows) {
    return rows.map(r -> {
      String text = r.iterator().next().getString(0);
      return text == null ? null : Buffer.buffer(text);
    });
  }
}
