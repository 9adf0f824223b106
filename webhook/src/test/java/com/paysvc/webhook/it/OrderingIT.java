package com.paysvc.webhook.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static com.paysvc.testing.Await.eventually;
import static com.paysvc.webhook.it.WebhookPlatform.notification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state machine, every pair: notification A arrives, then B, B having happened after A ("later") or before it
 * ("earlier", a late delivery). pending → succeeded | failed, succeeded → refunded; a status is not replaced by one
 * that happened before it; failed and refunded are final; a refund that arrives before its success waits for it and
 * applies only if it happened after it. Every applied status, and only those, gives one event, in order.
 */
class OrderingIT extends WebhookIT {

  @ParameterizedTest(name = "{0} then {1} ({2}) -> {3}")
  @CsvSource(nullValues = "none", value = {
    // first,     second,    second is, final,     first applied, second applied
    "pending,     pending,   later,     pending,   true,  false",
    "pending,     pending,   earlier,   pending,   true,  false",
    "pending,     succeeded, later,     succeeded, true,  true",
    "pending,     succeeded, earlier,   pending,   true,  false",
    "pending,     failed,    later,     failed,    true,  true",
    "pending,     failed,    earlier,   pending,   true,  false",
    "pending,     refunded,  later,     pending,   true,  false",
    "pending,     refunded,  earlier,   pending,   true,  false",
    "succeeded,   pending,   later,     succeeded, true,  false",
    "succeeded,   pending,   earlier,   succeeded, true,  false",
    "succeeded,   succeeded, later,     succeeded, true,  false",
    "succeeded,   succeeded, earlier,   succeeded, true,  false",
    "succeeded,   failed,    later,     succeeded, true,  false",
    "succeeded,   failed,    earlier,   succeeded, true,  false",
    "succeeded,   refunded,  later,     refunded,  true,  true",
    "succeeded,   refunded,  earlier,   succeeded, true,  false",
    "failed,      pending,   later,     failed,    true,  false",
    "failed,      pending,   earlier,   failed,    true,  false",
    "failed,      succeeded, later,     failed,    true,  false",
    "failed,      succeeded, earlier,   failed,    true,  false",
    "failed,      failed,    later,     failed,    true,  false",
    "failed,      failed,    earlier,   failed,    true,  false",
    "failed,      refunded,  later,     failed,    true,  false",
    "failed,      refunded,  earlier,   failed,    true,  false",
    "refunded,    pending,   later,     pending,   false, true",
    "refunded,    pending,   earlier,   pending,   false, true",
    // the refund waited for the success; it applies only if it happened after it
    "refunded,    succeeded, earlier,   refunded,  true,  true",
    "refunded,    succeeded, later,     succeeded, false, true",
    "refunded,    failed,    later,     failed,    false, true",
    "refunded,    failed,    earlier,   failed,    false, true",
    "refunded,    refunded,  later,     none,      false, false",
    "refunded,    refunded,  earlier,   none,      false, false",
  })
  void everyPairOfStatuses(String first, String second, String relation, String expected, boolean firstApplied,
                           boolean secondApplied) throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    Instant t1 = Instant.parse("2026-06-01T12:00:00Z");
    Instant t2 = relation.equals("later") ? t1.plusSeconds(30) : t1.minusSeconds(30);
    JsonObject a = notification(tx, first, t1);
    JsonObject b = notification(tx, second, t2);
    assertEquals(200, p.post(a).status());
    Http.Response rb = p.post(b);
    assertEquals(200, rb.status(), rb.body());

    JsonObject payment = p.get("/webhooks/payments/" + tx, p.admin()).json();
    assertEquals(expected, payment.getString("status"), payment.encode());
    JsonArray history = payment.getJsonArray("history");
    assertEquals(2, history.size());
    assertEquals(firstApplied, applied(history, a.getString("event_id")), "first: " + history.encode());
    assertEquals(secondApplied, applied(history, b.getString("event_id")), "second: " + history.encode());
    for (Object o : history) {
      JsonObject h = (JsonObject) o;
      assertEquals(h.getBoolean("applied"), h.getValue("reason") == null, "a reason exactly for what did not apply: " + h);
    }

    // One event per applied status, in the order they were applied.
    List<String> appliedTypes = new ArrayList<>();
    if (first.equals("refunded") && second.equals("succeeded") && firstApplied) {
      appliedTypes.add("payment.succeeded");
      appliedTypes.add("payment.refunded");
    } else {
      if (firstApplied) {
        appliedTypes.add(type(first));
      }
      if (secondApplied) {
        appliedTypes.add(type(second));
      }
    }
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() >= appliedTypes.size()));
    Thread.sleep(300);
    List<String> types = p.eventsOf(tx).stream().map(e -> e.getString("event_type")).toList();
    assertEquals(appliedTypes, types);
    List<Integer> versions = p.eventsOf(tx).stream().map(e -> e.getJsonObject("data").getInteger("version")).toList();
    for (int i = 0; i < versions.size(); i++) {
      assertEquals(i + 1, versions.get(i), "versions count the applied changes: " + versions);
    }
  }

  /** Two refunds wait; the success comes: the later refund applies, the other one is then the same status. */
  @org.junit.jupiter.api.Test
  void twoWaitingRefundsAndThenTheSuccess() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    Instant t = Instant.parse("2026-06-01T12:00:00Z");
    JsonObject r1 = notification(tx, "refunded", t.plusSeconds(5));
    JsonObject r2 = notification(tx, "refunded", t.plusSeconds(6));
    JsonObject s = notification(tx, "succeeded", t.plusSeconds(4));
    for (JsonObject n : new JsonObject[] {r1, r2, s}) {
      assertEquals(200, p.post(n).status());
    }
    JsonObject payment = p.get("/webhooks/payments/" + tx, p.admin()).json();
    assertEquals("refunded", payment.getString("status"));
    assertEquals(125000, payment.getLong("amount"), "the payment keeps the amount that was paid");
    JsonArray history = payment.getJsonArray("history");
    assertTrue(applied(history, s.getString("event_id")));
    assertTrue(applied(history, r2.getString("event_id")));
    assertEquals("same_status", history.stream().map(o -> (JsonObject) o)
      .filter(h -> r1.getString("event_id").equals(h.getString("event_id"))).findFirst().orElseThrow().getString("reason"));
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 2));
    Thread.sleep(300);
    assertEquals(List.of("payment.succeeded", "payment.refunded"), p.eventsOf(tx).stream().map(e -> e.getString("event_type")).toList());
  }

  /** Two notifications of one payment at the same moment: applied one after the other, as their times say. */
  @org.junit.jupiter.api.Test
  void concurrentNotificationsOfOnePayment() throws Exception {
    for (int round = 0; round < 5; round++) {
      String tx = "tx-" + UUID.randomUUID();
      Instant t = Instant.parse("2026-06-01T12:00:00Z");
      JsonObject pending = notification(tx, "pending", t);
      JsonObject paid = notification(tx, "succeeded", t.plusSeconds(1));
      java.util.concurrent.CompletableFuture<Http.Response> a = java.util.concurrent.CompletableFuture.supplyAsync(() -> p.post(pending));
      java.util.concurrent.CompletableFuture<Http.Response> b = java.util.concurrent.CompletableFuture.supplyAsync(() -> p.post(paid));
      assertEquals(200, a.get().status());
      assertEquals(200, b.get().status());
      JsonObject payment = p.get("/webhooks/payments/" + tx, p.admin()).json();
      assertEquals("succeeded", payment.getString("status"), payment.encode());
    }
  }

  private static boolean applied(JsonArray history, String eventId) {
    return history.stream().map(o -> (JsonObject) o).filter(h -> eventId.equals(h.getString("event_id")))
      .findFirst().orElseThrow().getBoolean("applied");
  }

  private static String type(String status) {
    return status.equals("pending") ? "payment.received" : "payment." + status;
  }
}
