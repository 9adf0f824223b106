package com.paysvc.webhook.it;

import com.paysvc.testing.RawConnection;
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
 * What a signed notification body must be, whatever its spelling: no key twice in any object (parsers that disagree
 * on which copy wins are how {@code {"amount": -5, "amount": 100}} got applied), and the route's own rules (JSON only,
 * 64 KiB) under every request target the router maps to {@code POST /webhooks/2can} ({@code /webhooks/2can/} escaped
 * them).
 */
class BodyRulesIT extends WebhookIT {

  private static String now() {
    return Long.toString(Instant.now().getEpochSecond());
  }

  /** {@code body} signed with the current secret, posted to {@code target} exactly as written, as {@code contentType}. */
  private RawConnection.Response post(String target, String contentType, byte[] body) {
    String ts = now();
    try (RawConnection c = RawConnection.open(p.port())) {
      c.send(RawConnection.request("POST", target, Map.of("Content-Type", contentType, "X-Timestamp", ts,
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
      RawConnection.Response r = post("/webhooks/2can", "application/json", body);
      JsonObject error = assertError(r.status(), r.body(), 400, "VALIDATION_ERROR");
      assertTrue(error.getString("message").contains("twice"), r.body());
    }
    assertEquals("amount", new JsonObject(post("/webhooks/2can", "application/json", twice).body())
      .getJsonObject("details").getString("key"));
    assertEquals(0, stored(tx), "nothing stored");
    // The same notification once is accepted.
    RawConnection.Response ok = post("/webhooks/2can", "application/json", utf8(valid));
    assertEquals(200, ok.status(), ok.body());
    assertEquals(1, stored(tx));
    Thread.sleep(1000);
    assertEquals(1, p.eventsOf(tx).size(), "one event, of the valid notification");
    assertEquals(125000, p.eventsOf(tx).get(0).getJsonObject("data").getLong("amount"));
  }

  /** Request targets Vert.x's router maps to the route /webhooks/2can. */
  private static final List<String> SPELLINGS = List.of("/webhooks/2can", "/webhooks/2can/", "//webhooks/2can",
    "/webhooks//2can", "/webhooks/./2can", "/webhooks/x/../2can", "/webhooks/%32can", "/%77ebhooks/2can");

  @Test
  void everySpellingOfTheRouteGetsItsContentTypeAndSizeRules() {
    for (String target : SPELLINGS) {
      String tx = "tx-" + UUID.randomUUID();
      byte[] valid = utf8(notification(tx, "pending", Instant.now()).encode());
      RawConnection.Response text = post(target, "text/plain", valid);
      assertError(text.status(), text.body(), 415, "UNSUPPORTED_MEDIA_TYPE");
      RawConnection.Response form = post(target, "application/x-www-form-urlencoded", valid);
      assertError(form.status(), form.body(), 415, "UNSUPPORTED_MEDIA_TYPE");
      // Over 64 KiB, signed and otherwise valid: refused from its Content-Length.
      byte[] big = utf8(notification(tx, "pending", Instant.now()).put("padding", "x".repeat(70_000)).encode());
      RawConnection.Response tooBig = post(target, "application/json", big);
      assertError(tooBig.status(), tooBig.body(), 413, "PAYLOAD_TOO_LARGE");
      assertEquals(0, stored(tx), target + ": nothing stored");
      // The same target with a valid body reaches the route: the rules above were the route's.
      RawConnection.Response ok = post(target, "application/json", valid);
      assertEquals(200, ok.status(), target + ": " + ok.body());
      assertEquals(1, stored(tx), target);
    }
  }
}
