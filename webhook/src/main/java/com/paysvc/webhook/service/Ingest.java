package com.paysvc.webhook.service;

import com.paysvc.common.db.Db;
import com.paysvc.common.db.DbErrors;
import com.paysvc.common.events.Outbox;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.webhook.store.PaymentsStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code POST /webhooks/2can}, in this order: size → signature headers, freshness and HMAC over the raw bytes →
 * only then parse and validate → one stored-function call that stores the notification, applies it and writes its
 * event, in one transaction. The answer (200) is sent only after that commit, so an acknowledged notification is
 * never lost; no other service is called before it. Refusals are counted by reason and never stored.
 */
public final class Ingest {
  private static final Logger log = LoggerFactory.getLogger(Ingest.class);

  /** Why a notification was refused. */
  public enum Rejection { TOO_LARGE, MISSING_HEADERS, BAD_TIMESTAMP, STALE_TIMESTAMP, FUTURE_TIMESTAMP, BAD_SIGNATURE,
    MALFORMED, CONFLICT }

  private final Vertx vertx;
  private final Db db;
  private final PaymentsStore store;
  private final Outbox outbox;
  private final Signatures signatures;
  private final Notification.Reader reader;
  private final int maxBodyBytes;
  private final int payerFreshSeconds;
  private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
  private final Counter stored;
  private final Counter duplicates;

  public Ingest(Vertx vertx, Db db, PaymentsStore store, Outbox outbox, Signatures signatures, Notification.Reader reader,
                int maxBodyBytes, int payerFreshSeconds, MeterRegistry registry) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.outbox = outbox;
    this.signatures = signatures;
    this.reader = reader;
    this.maxBodyBytes = maxBodyBytes;
    this.payerFreshSeconds = payerFreshSeconds;
    for (Rejection r : Rejection.values()) {
      rejected.put(r, Counter.builder("paysvc_webhook_rejected").tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
        .description("notifications refused, by reason").register(registry));
    }
    this.stored = Counter.builder("paysvc_webhook_received").tag("outcome", "stored")
      .description("notifications accepted").register(registry);
    this.duplicates = Counter.builder("paysvc_webhook_received").tag("outcome", "duplicate")
      .description("notifications accepted").register(registry);
  }

  /** The 200 body: the notification's outcome (for a duplicate, the original one). */
  public Future<JsonObject> receive(Buffer body, String timestamp, String signature, String requestId) {
    if (body.length() > maxBodyBytes) {
      return refuse(Rejection.TOO_LARGE, new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
        "a notification is at most " + maxBodyBytes + " bytes"));
    }
    String secret;
    try {
      secret = signatures.verify(timestamp, signature, body);
    } catch (Signatures.Refused r) {
      return refuse(Rejection.valueOf(r.reason().name()), r.toApi());
    }
    Notification n;
    try {
      n = reader.read(body);
    } catch (ApiException e) {
      return refuse(Rejection.MALFORMED, e);
    }
    byte[] digest = sha256(body);
    return store(n, body, digest, secret, requestId, true)
      .compose(result -> switch (result.outcome()) {
        case "stored" -> {
          stored.increment();
          // Hints only: the relay and the resolver sweep anyway.
          outbox.wake();
          if (result.waiting() > 0) {
            vertx.eventBus().send(PayerResolver.WAKE_ADDRESS, null);
          }
          yield Future.succeededFuture(answer(n, result, false));
        }
        case "duplicate" -> {
          duplicates.increment();
          yield Future.succeededFuture(answer(n, result, true));
        }
        default -> {
          log.warn("notification {} sent again with a different body: refused (signature was valid: check 2can)", n.eventId());
          yield refuse(Rejection.CONFLICT, new ApiException(ErrorCode.CONFLICT,
            "event_id " + n.eventId() + " was already received with a different body"));
        }
      });
  }

  /**
   * The ingest call; a deadlock or serialization failure (a payment and its payer locked by the resolver at the same
   * moment) is tried once more: the call is idempotent, a repeat of a stored notification is a duplicate.
   */
  private Future<PaymentsStore.Ingested> store(Notification n, Buffer body, byte[] digest, String secret, String requestId,
                                               boolean retry) {
    return db.write(c -> store.ingest(c, n, body, digest, secret, requestId, payerFreshSeconds))
      .recover(err -> retry && DbErrors.isRetryableConflict(err)
        ? store(n, body, digest, secret, requestId, false) : Future.failedFuture(err));
  }

  private static JsonObject answer(Notification n, PaymentsStore.Ingested r, boolean duplicate) {
    return new JsonObject().put("event_id", n.eventId()).put("transaction_id", n.transactionId())
      .put("duplicate", duplicate).put("applied", r.applied()).put("reason", r.reason())
      .put("payment_status", r.paymentStatus()).put("version", r.version());
  }

  private <T> Future<T> refuse(Rejection why, ApiException answer) {
    rejected.get(why).increment();
    return Future.failedFuture(answer);
  }

  private static byte[] sha256(Buffer body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body.getBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
