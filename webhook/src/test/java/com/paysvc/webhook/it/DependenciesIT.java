package com.paysvc.webhook.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static com.paysvc.testing.Await.eventually;
import static com.paysvc.webhook.it.WebhookPlatform.notification;
import static com.paysvc.webhook.it.WebhookPlatform.phone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * users or auth hanging or down: notifications are answered at once (nothing waits for another service before the
 * 200), events wait for their payer, and after PAYER_WAIT_MAX_SECONDS they are published without the user id rather
 * than held back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DependenciesIT extends WebhookIT {

  @Override
  protected Map<String, String> settings() {
    // Long enough for auth's restart in the first test on a busy machine (at 6 s the event once left without its user
    // before auth was back), short enough for the third test to see the limit.
    return Map.of("PAYER_WAIT_MAX_SECONDS", "15");
  }

  @Test
  @Order(1)
  void whileAuthIsDownThePayerWaitsAndIsResolvedWhenAuthIsBack() throws Exception {
    // The first look-up needs webhook's token: auth is down before webhook ever had one.
    String phone = phone();
    String userId = p.userWithPhone(phone);
    String tx = "tx-" + UUID.randomUUID();
    p.stopAuth();
    try {
      assertEquals(200, p.post(notification(tx, "succeeded", Instant.now()).put("payer_phone", phone)).status());
      Thread.sleep(1500);
      assertEquals(0, p.eventsOf(tx).size());
    } finally {
      p.startAuth();
    }
    assertTrue(eventually(20_000, () -> p.eventsOf(tx).size() == 1), "not published after auth came back");
    assertEquals(userId, p.eventsOf(tx).get(0).getJsonObject("data").getString("user_id"));
  }

  @Test
  @Order(2)
  void aHangingUsersDoesNotDelayTheAnswer() throws Exception {
    String phone = phone();
    String tx = "tx-" + UUID.randomUUID();
    p.usersProxy.stall();
    try {
      long t0 = System.nanoTime();
      Http.Response r = p.post(notification(tx, "pending", Instant.now()).put("payer_phone", phone));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(200, r.status(), r.body());
      // users would take its 2 s timeout (and more) to answer nothing: the 200 did not wait for it.
      assertTrue(ms < 1_000, "the answer took " + ms + " ms while users hangs");
      assertEquals(1, r.json().getInteger("version"));
    } finally {
      p.usersProxy.resume();
    }
    assertTrue(eventually(20_000, () -> p.eventsOf(tx).size() == 1), "not published after users answered");
  }

  @Test
  @Order(3)
  void eventsThatWaitedTooLongArePublishedWithoutTheUser() throws Exception {
    String phone = phone();
    String userId = p.userWithPhone(phone);
    String tx = "tx-" + UUID.randomUUID();
    p.stopUsers();
    try {
      assertEquals(200, p.post(notification(tx, "succeeded", Instant.now()).put("payer_phone", phone)).status());
      assertTrue(eventually(30_000, () -> p.eventsOf(tx).size() == 1), "held back longer than 15 s");
      JsonObject data = p.eventsOf(tx).get(0).getJsonObject("data");
      assertNull(data.getValue("user_id"));
      assertEquals(true, data.getBoolean("payer_unresolved"));
    } finally {
      p.startUsers();
    }
    // The payer is still resolved afterwards: the payment gets its user (no second event).
    assertTrue(eventually(20_000, () ->
      userId.equals(p.get("/webhooks/payments/" + tx, p.admin()).json().getString("user_id"))));
    assertEquals(1, p.eventsOf(tx).size());
  }
}
