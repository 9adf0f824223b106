package com.paysvc.webhook.http;

import com.paysvc.common.db.Db;
import com.paysvc.common.http.AccessRule;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.Operations;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.security.Caller;
import com.paysvc.webhook.service.Ingest;
import com.paysvc.webhook.store.PaymentsStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/** webhook's routes, bound to the operations of openapi.yaml. */
public final class WebhookApi {
  private static final Set<String> STATUSES = Set.of("pending", "succeeded", "failed", "refunded");
  private static final int MAX_ID = 128;

  private final Ingest ingest;
  private final Db db;
  private final PaymentsStore store;
  /** Authentication: the JWT guard. */
  private final Handler<RoutingContext> guard;

  public WebhookApi(Ingest ingest, Db db, PaymentsStore store, Handler<RoutingContext> guard) {
    this.ingest = ingest;
    this.db = db;
    this.store = store;
    this.guard = guard;
  }

  /**
   * The operations whose requests the contract does not validate, and what checks them instead (the only place that
   * turns validation off; WebhookRoutesTest asserts the list).
   */
  static final Map<String, String> UNVALIDATED = Map.of(
    "receive2can", "parsed and checked against the contract's schema (Notification.Reader) only after its signature "
      + "verified: parsing first would let anyone make the service parse arbitrary bodies",
    "getPayment", "transaction_id checked by hand (id), before any database call",
    "listEvents", "checked by hand (status, instant, whole): vertx-openapi 5.0.8 decodes query values twice (a '+' of a "
      + "timestamp offset would become a space)",
    "replayEvent", "event_id checked by hand (id), before any database call");

  /** 2can: the HMAC signature of the body (no bearer token), verified by Ingest before anything else. */
  static final AccessRule SIGNED_BY_2CAN = AccessRule.checkedBy("2can's signature (X-Signature, Ingest)");
  /** A valid access token of a person in group admin. */
  static final AccessRule ADMIN = AccessRule.of("admin", rc -> {
    if (!Caller.of(rc).isAdmin()) {
      throw new ApiException(ErrorCode.FORBIDDEN, "requires the admin role");
    }
  });

  public Router router(Vertx vertx, OpenAPIContract contract) {
    return operations(vertx, contract).router();
  }

  /**
   * The route table: every operation of the contract with what it answers, who may call it and its action. The admin
   * area's guard goes in front of the contract's router.
   */
  Operations operations(Vertx vertx, OpenAPIContract contract) {
    Operations ops = new Operations(vertx, contract, UNVALIDATED);
    ops.json("receive2can", 200, SIGNED_BY_2CAN, rc -> ingest.receive(rc.body().buffer() == null ? Buffer.buffer() : rc.body().buffer(),
      rc.request().getHeader("X-Timestamp"), rc.request().getHeader("X-Signature"), RequestId.of(rc)).map(JsonObject::toBuffer));

    // The admin area: a valid access token of an admin is checked before routing, so that others get 401/403 for any
    // path under it, including one the contract does not have; each operation states its rule again.
    Handler<RoutingContext> adminOnly = rc -> {
      ADMIN.admitWithoutAnswer(rc);
      rc.next();
    };
    ops.ahead().get("/webhooks/payments/*").handler(guard).handler(adminOnly);
    ops.ahead().get("/webhooks/events").handler(guard).handler(adminOnly);
    ops.ahead().post("/webhooks/events/*").handler(guard).handler(adminOnly);

    // Input is checked before a database call is made (reads of the primary: an admin sees what was just stored).
    ops.json("getPayment", 200, ADMIN, rc -> {
      String tx = id(rc.pathParam("transaction_id"), "transaction_id");
      return db.readPrimary(c -> store.payment(c, tx))
        .compose(b -> b == null ? Future.failedFuture(ApiException.notFound("payment")) : Future.succeededFuture(b));
    });
    ops.json("listEvents", 200, ADMIN, rc -> {
      String status = rc.queryParams().get("status");
      if (status != null && !STATUSES.contains(status)) {
        throw ApiException.validation("status must be one of " + STATUSES);
      }
      OffsetDateTime from = instant(rc, "from");
      OffsetDateTime to = instant(rc, "to");
      int page = whole(rc, "page", 1, 1, 1_000_000);
      int size = whole(rc, "size", 20, 1, 100);
      return db.readPrimary(c -> store.notifications(c, status, from, to, page, size));
    });
    ops.json("replayEvent", 200, ADMIN, rc -> {
      String eventId = id(rc.pathParam("event_id"), "event_id");
      return db.write(c -> store.replay(c, eventId, RequestId.of(rc))).compose(outcome -> switch (outcome) {
        case "replayed" -> Future.succeededFuture(new JsonObject().put("event_id", eventId).put("replayed", true).toBuffer());
        case "not_applied" -> Future.failedFuture(new ApiException(ErrorCode.CONFLICT,
          "notification " + eventId + " was not applied: it has no event to replay"));
        case "waiting" -> Future.failedFuture(new ApiException(ErrorCode.CONFLICT,
          "the event of notification " + eventId + " still waits for its payer: it was not published yet"));
        default -> Future.failedFuture(ApiException.notFound("notification"));
      });
    });
    return ops;
  }

  private static String id(String value, String name) {
    if (value == null || value.isEmpty() || value.length() > MAX_ID || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw ApiException.validation(name + " must be 1 to " + MAX_ID + " characters, none of them control characters");
    }
    return value;
  }

  private static OffsetDateTime instant(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      // A '+' of the offset arrives as a space when the client did not encode it.
      return OffsetDateTime.parse(v.replace(' ', '+'));
    } catch (DateTimeParseException e) {
      throw ApiException.validation(name + " must be an RFC 3339 date-time, e.g. 2026-12-01T00:00:00Z");
    }
  }

  private static int whole(RoutingContext rc, String name, int dflt, int min, int max) {
    String v = rc.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.validation(name + " must be a whole number from " + min + " to " + max);
    }
  }
}
