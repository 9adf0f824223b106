package com.paysvc.webhook.http;

import com.paysvc.common.db.Db;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.Endpoint;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.security.Caller;
import com.paysvc.common.security.JwtGuard;
import com.paysvc.webhook.service.Ingest;
import com.paysvc.webhook.store.PaymentsStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.function.Function;

/** webhook's routes, bound to the operations of openapi.yaml. */
public final class WebhookApi {
  private static final Set<String> STATUSES = Set.of("pending", "succeeded", "failed", "refunded");
  private static final int MAX_ID = 128;

  private final Ingest ingest;
  private final Db db;
  private final PaymentsStore store;
  private final JwtGuard guard;

  public WebhookApi(Ingest ingest, Db db, PaymentsStore store, JwtGuard guard) {
    this.ingest = ingest;
    this.db = db;
    this.store = store;
    this.guard = guard;
  }

  public Router router(Vertx vertx, OpenAPIContract contract) {
    RouterBuilder rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    rb.getRoutes().forEach(r -> r.setDoSecurity(false));
    // Every route checks its own input: the notification only after its signature verified (parsing first would
    // let anyone make the service parse arbitrary bodies), the admin routes because vertx-openapi 5.0.8 decodes query
    // values twice (a '+' of a timestamp offset would become a space).
    rb.getRoutes().forEach(r -> r.setDoValidation(false));

    // 2can, authenticated by the HMAC signature of the body (no bearer token).
    on(rb, "receive2can", rc -> ingest.receive(rc.body().buffer() == null ? Buffer.buffer() : rc.body().buffer(),
      rc.request().getHeader("X-Timestamp"), rc.request().getHeader("X-Signature"), RequestId.of(rc)).map(JsonObject::toBuffer));

    // Admins only: a valid access token of a person in group admin.
    Router outer = Router.router(vertx);
    Handler<RoutingContext> adminOnly = rc -> {
      if (!Caller.of(rc).isAdmin()) {
        rc.fail(new ApiException(ErrorCode.FORBIDDEN, "requires the admin role"));
        return;
      }
      rc.next();
    };
    outer.get("/webhooks/payments/*").handler(guard).handler(adminOnly);
    outer.get("/webhooks/events").handler(guard).handler(adminOnly);
    outer.post("/webhooks/events/*").handler(guard).handler(adminOnly);

    // Input is checked before a database call is made (reads of the primary: an admin sees what was just stored).
    on(rb, "getPayment", rc -> {
      String tx = id(rc.pathParam("transaction_id"), "transaction_id");
      return db.readPrimary(c -> store.payment(c, tx))
        .compose(b -> b == null ? Future.failedFuture(ApiException.notFound("payment")) : Future.succeededFuture(b));
    });
    on(rb, "listEvents", rc -> {
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
    on(rb, "replayEvent", rc -> {
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
    outer.route("/*").subRouter(rb.createRouter());
    return outer;
  }

  private static void on(RouterBuilder rb, String operationId, Function<RoutingContext, Future<Buffer>> action) {
    rb.getRoute(operationId).addHandler(Endpoint.json(action, 200));
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
