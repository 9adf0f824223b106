package com.paysvc.webhook.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestKeys;
import com.paysvc.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.eventually;
import static com.paysvc.webhook.it.WebhookPlatform.notification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin routes: a payment and its history, the received notifications, replaying an event; admins only. */
class AdminIT extends WebhookIT {

  @Test
  void aPaymentWithItsHistory() {
    String tx = "tx-" + UUID.randomUUID();
    JsonObject pending = notification(tx, "pending", Instant.parse("2026-06-01T12:00:00Z"));
    JsonObject paid = notification(tx, "succeeded", Instant.parse("2026-06-01T12:01:00Z"));
    JsonObject late = notification(tx, "pending", Instant.parse("2026-06-01T11:59:00Z"));
    for (JsonObject n : new JsonObject[] {pending, paid, late}) {
      assertEquals(200, p.post(n).status());
    }
    Http.Response r = p.get("/webhooks/payments/" + tx, p.admin());
    assertEquals(200, r.status(), r.body());
    JsonObject payment = r.json();
    assertEquals("succeeded", payment.getString("status"));
    assertEquals(125000, payment.getLong("amount"));
    assertEquals("RUB", payment.getString("currency"));
    assertEquals(2, payment.getInteger("version"));
    JsonArray history = payment.getJsonArray("history");
    assertEquals(3, history.size());
    // In the order things happened at 2can, the late pending first: kept, not applied.
    assertEquals(late.getString("event_id"), history.getJsonObject(0).getString("event_id"));
    assertEquals("not_a_transition", history.getJsonObject(0).getString("reason"));
    assertError(p.get("/webhooks/payments/no-such-" + UUID.randomUUID(), p.admin()), 404, "NOT_FOUND");
  }

  @Test
  void badAdminRequestsLeaveThePoolAlone() {
    // More bad requests than the primary pool has connections (10): each is refused before any database call.
    for (int i = 0; i < 25; i++) {
      assertError(p.get("/webhooks/events?size=101", p.admin()), 400, "VALIDATION_ERROR");
      assertError(p.get("/webhooks/payments/" + "x".repeat(200), p.admin()), 400, "VALIDATION_ERROR");
    }
    assertError(p.get("/webhooks/payments/%00", p.admin()), 400, "VALIDATION_ERROR");
    long t0 = System.nanoTime();
    Http.Response r = p.post(notification("tx-" + UUID.randomUUID(), "pending", Instant.now()));
    assertEquals(200, r.status(), r.body());
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000, "ingest waited for a connection");
  }

  @Test
  void onlyAdminsMayReadOrReplay() {
    String tx = "tx-" + UUID.randomUUID();
    assertEquals(200, p.post(notification(tx, "pending", Instant.now())).status());
    assertError(p.get("/webhooks/payments/" + tx, null), 401, "UNAUTHORIZED");
    assertError(p.get("/webhooks/payments/" + tx, "not-a-token"), 401, "UNAUTHORIZED");
    assertError(p.get("/webhooks/events", null), 401, "UNAUTHORIZED");
    assertError(p.postAdmin("/webhooks/events/x/replay", null), 401, "UNAUTHORIZED");
    // A token of another issuer's key, and a plain user's and a service's token of auth's own key: refused.
    String foreign = TestTokens.signWith(TestKeys.p256(), WebhookPlatform.KID, new JsonObject().put("sub", "x"));
    assertError(p.get("/webhooks/payments/" + tx, foreign), 401, "UNAUTHORIZED");
    String person = p.token(UUID.randomUUID().toString(), new JsonArray().add("client"));
    String service = p.token("client:webhook", new JsonArray().add("service"));
    for (String notAdmin : new String[] {person, service}) {
      assertError(p.get("/webhooks/payments/" + tx, notAdmin), 403, "FORBIDDEN");
      assertError(p.get("/webhooks/events", notAdmin), 403, "FORBIDDEN");
      assertError(p.postAdmin("/webhooks/events/x/replay", notAdmin), 403, "FORBIDDEN");
    }
  }

  @Test
  void theReceivedNotificationsFilteredAndPaged() {
    Instant from = Instant.now().minusSeconds(1);
    String tx = "tx-" + UUID.randomUUID();
    assertEquals(200, p.post(notification(tx, "pending", Instant.now())).status());
    assertEquals(200, p.post(notification(tx, "failed", Instant.now())).status());
    String q = "/webhooks/events?status=failed&from=" + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8) + "&size=100";
    JsonObject page = p.get(q, p.admin()).json();
    assertTrue(page.getJsonArray("items").stream().map(o -> (JsonObject) o)
      .anyMatch(i -> tx.equals(i.getString("transaction_id")) && "failed".equals(i.getString("status"))), page.encode());
    assertTrue(page.getJsonArray("items").stream().map(o -> (JsonObject) o).allMatch(i -> "failed".equals(i.getString("status"))));
    JsonObject one = p.get("/webhooks/events?size=1&page=1", p.admin()).json();
    assertEquals(1, one.getJsonArray("items").size());
    assertTrue(one.getLong("total") >= 2);
    // A '+' offset, encoded or not, is read as such.
    assertEquals(200, p.get("/webhooks/events?from=2026-01-01T00:00:00%2B03:00", p.admin()).status());
    assertEquals(200, p.get("/webhooks/events?from=2026-01-01T00:00:00+03:00", p.admin()).status());
    for (String bad : new String[] {"status=chargeback", "from=yesterday", "size=101", "size=0", "page=x"}) {
      assertError(p.get("/webhooks/events?" + bad, p.admin()), 400, "VALIDATION_ERROR");
    }
  }

  @Test
  void aReplayAfterThePaymentMovedOnCarriesTheVersionItProduced() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    JsonObject pending = notification(tx, "pending", Instant.parse("2026-06-01T12:00:00Z"));
    JsonObject paid = notification(tx, "succeeded", Instant.parse("2026-06-01T12:01:00Z"));
    assertEquals(200, p.post(pending).status());
    assertEquals(200, p.post(paid).status());
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 2));
    assertEquals(200, p.postAdmin("/webhooks/events/" + pending.getString("event_id") + "/replay", p.admin()).status());
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 3));
    JsonObject replay = p.eventsOf(tx).get(2);
    assertEquals("payment.received", replay.getString("event_type"));
    assertEquals(1, replay.getJsonObject("data").getInteger("version"), "the version the pending produced, not the current 2");
    assertEquals("pending", replay.getJsonObject("data").getString("status"));
    assertEquals(p.eventsOf(tx).get(0).getString("event_id"), replay.getString("event_id"));
  }

  @Test
  void anAppliedNotificationsEventCanBeReplayed() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    JsonObject n = notification(tx, "succeeded", Instant.now());
    assertEquals(200, p.post(n).status());
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 1));
    Http.Response r = p.postAdmin("/webhooks/events/" + n.getString("event_id") + "/replay", p.admin());
    assertEquals(200, r.status(), r.body());
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 2));
    JsonObject original = p.eventsOf(tx).get(0);
    JsonObject replay = p.eventsOf(tx).get(1);
    assertEquals("payment.succeeded", replay.getString("event_type"));
    assertEquals(n.getString("event_id"), replay.getJsonObject("data").getString("event_id"), "the same notification");
    assertEquals(original.getJsonObject("data").getInteger("version"), replay.getJsonObject("data").getInteger("version"));
    assertEquals(original.getString("event_id"), replay.getString("event_id"),
      "the same envelope id: a consumer that applied it skips it");
    // A notification that did not apply has no event; an unknown one is 404.
    JsonObject ignored = notification(tx, "pending", Instant.now());
    assertEquals(200, p.post(ignored).status());
    assertError(p.postAdmin("/webhooks/events/" + ignored.getString("event_id") + "/replay", p.admin()), 409, "CONFLICT");
    assertError(p.postAdmin("/webhooks/events/nope-" + UUID.randomUUID() + "/replay", p.admin()), 404, "NOT_FOUND");
  }
}
