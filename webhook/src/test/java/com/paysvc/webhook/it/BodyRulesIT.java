package com.paysvc.webhook.it;

import com.paysvc.testing.RawHttp;
import com.paysvc.webhook.service.Signatures;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.webhook.it.WebhookPlatform.notification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a signed notification body must be: no key twice in any object (parsers that disagree on which copy wins are
 * how {@code {"amount": -5, "amount": 100}} got applied).
 */
class BodyRulesIT extends WebhookIT {

  private static String now() {
    return Long.toString(Instant.now().getEpochSecond());
  }

  /** {@code body} signed with the current secret, posted to {@code target} exactly as written, as {@code contentType}. */
  private RawHttp.Response post(String target, String contentType, byte[] body) {
    String ts = now();
    try (RawHttp c = RawHttp.open(p.port())) {
      c.send(RawHttp.request("POST", target, Map.of("Content-Type", contentType, "X-Timestamp", ts,
        "X-Signature", Signatures.sign(p.secret, ts, body)), body));
      return c.response(15_000);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private long stored(String tx) {
    return p.count("SELECT count(*) FROM webhook.notifications WHERE transaction_id = '" + tx + "'");
  }

  @Test
  void aSignedNotificationWithAKeyTwiceIsRefusedAndNothingIsStored() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    String valid = notification(tx, "succeeded", Instant.now()).encode();
    // The amount twice, as in the issue: -5 first, the real one last (last-wins parsers apply the second).
    byte[] twice = utf8("{\"amount\": -5, " + valid.substring(1));
    // The same value twice is refused too: the rule is about the text, not about what a parser would pick.
    byte[] sameTwice = utf8("{\"amount\": 125000, " + valid.substring(1));
    // Deeper: an object inside the notification with a key twice.
    byte[] nested = utf8(valid.substring(0, valid.length() - 1) + ", \"extra\": {\"tier\": \"a\", \"list\": [{\"k\": 1, \"k\": 2}]}}");
    for (byte[] body : List.of(twice, sameTwice, nested)) {
      RawHttp.Response r = post("/webhooks/2can", "application/json", body);
      JsonObject error = assertError(r.status(), r.body(), 400, "VALIDATION_ERROR");
      assertTrue(error.getString("message").contains("twice"), r.body());
    }
    assertEquals("amount", new JsonObject(post("/webhooks/2can", "application/json", twice).body())
      .getJsonObject("details").getString("key"));
    assertEquals(0, stored(tx), "nothing stored");
    // The same notification once is accepted.
    RawHttp.Response ok = post("/webhooks/2can", "application/json", utf8(valid));
    assertEquals(200, ok.status(), ok.body());
    assertEquals(1, stored(tx));
    Thread.sleep(1000);
    assertEquals(1, p.eventsOf(tx).size(), "one event, of the valid notification");
    assertEquals(125000, p.eventsOf(tx).get(0).getJsonObject("data").getLong("amount"));
  }
}
