package com.paysvc.webhook.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Instant;
import java.util.UUID;

import static com.paysvc.testing.Await.eventually;
import static com.paysvc.webhook.it.WebhookPlatform.notification;
import static com.paysvc.webhook.it.WebhookPlatform.phone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The payer's phone becomes a user id in the background, through users (with webhook's own token from auth); no
 * other service is asked before the 200. While users is down notifications are accepted and their events wait; they
 * are published, with the user id, once users answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayerResolutionIT extends WebhookIT {

  @Test
  @Order(1)
  void theEventCarriesThePayersUserId() throws Exception {
    String phone = phone();
    String userId = p.userWithPhone(phone);
    String tx = "tx-" + UUID.randomUUID();
    assertEquals(200, p.post(notification(tx, "succeeded", Instant.now()).put("payer_phone", phone)).status());
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 1), "no event");
    assertEquals(userId, p.eventsOf(tx).get(0).getJsonObject("data").getString("user_id"));
    assertEquals(userId, p.get("/webhooks/payments/" + tx, p.admin()).json().getString("user_id"));
    // The next payment of the same payer uses the resolution at once (no look-up): its event and its row.
    String next = "tx-" + UUID.randomUUID();
    assertEquals(200, p.post(notification(next, "succeeded", Instant.now()).put("payer_phone", phone)).status());
    assertTrue(eventually(10_000, () -> p.eventsOf(next).size() == 1), "no event");
    assertEquals(userId, p.eventsOf(next).get(0).getJsonObject("data").getString("user_id"));
    assertEquals(userId, p.get("/webhooks/payments/" + next, p.admin()).json().getString("user_id"));
  }

  @Test
  @Order(2)
  void aPhoneNobodyHasGivesAnEventWithoutUser() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    assertEquals(200, p.post(notification(tx, "pending", Instant.now()).put("payer_phone", phone())).status());
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 1), "no event");
    JsonObject data = p.eventsOf(tx).get(0).getJsonObject("data");
    assertTrue(data.containsKey("user_id"));
    assertNull(data.getValue("user_id"));
  }

  @Test
  @Order(3)
  void whileUsersIsDownNotificationsAreAcceptedAndTheirEventsWaitForTheUserId() throws Exception {
    String phone = phone();
    String userId = p.userWithPhone(phone);
    String tx = "tx-" + UUID.randomUUID();
    p.stopUsers();
    try {
      long t0 = System.nanoTime();
      Http.Response pending = p.post(notification(tx, "pending", Instant.now().minusSeconds(5)).put("payer_phone", phone));
      Http.Response paid = p.post(notification(tx, "succeeded", Instant.now()).put("payer_phone", phone));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(200, pending.status(), pending.body());
      assertEquals(200, paid.status(), paid.body());
      assertTrue(ms < 5_000, "the 200 waited for users: " + ms + " ms"); // (a hanging users: DependenciesIT)
      Thread.sleep(2_000); // the resolver tries (and fails) meanwhile
      assertEquals(0, p.eventsOf(tx).size(), "published before the payer was known");
      JsonObject payment = p.get("/webhooks/payments/" + tx, p.admin()).json();
      assertEquals("succeeded", payment.getString("status"));
      assertEquals(2, payment.getInteger("events_waiting_for_payer"));
    } finally {
      p.startUsers();
    }
    assertTrue(eventually(20_000, () -> p.eventsOf(tx).size() == 2), "the waiting events were not published");
    assertEquals("payment.received", p.eventsOf(tx).get(0).getString("event_type"));
    assertEquals("payment.succeeded", p.eventsOf(tx).get(1).getString("event_type"));
    for (JsonObject e : p.eventsOf(tx)) {
      assertEquals(userId, e.getJsonObject("data").getString("user_id"), e.encode());
    }
    JsonObject payment = p.get("/webhooks/payments/" + tx, p.admin()).json();
    assertEquals(userId, payment.getString("user_id"));
    assertEquals(0, payment.getInteger("events_waiting_for_payer"));
  }
}
