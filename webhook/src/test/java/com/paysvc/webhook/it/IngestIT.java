package com.paysvc.webhook.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import com.paysvc.webhook.service.Signatures;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.eventually;
import static com.paysvc.webhook.it.WebhookPlatform.notification;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /webhooks/2can: what is accepted (once), what is refused (and not stored), in which order it is checked. */
class IngestIT extends WebhookIT {

  private String now() {
    return Long.toString(Instant.now().getEpochSecond());
  }

  @Test
  void aValidNotificationIsStoredByteForByteAndPublishedExactlyOnce() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    // Odd but valid JSON formatting: the raw bytes are what is signed and kept, not a re-serialisation.
    byte[] body = ("{ \"event_id\" : \"evt-" + UUID.randomUUID() + "\", \"transaction_id\":\"" + tx + "\",\n"
      + "  \"status\":\"succeeded\", \"amount\": 125000, \"currency\":\"RUB\", \"occurred_at\":\"" + Instant.now() + "\","
      + " \"extra\": {\"kept\": true} }").getBytes(StandardCharsets.UTF_8);
    Http.Response r = p.post(body, p.secret, now());
    assertEquals(200, r.status(), r.body());
    JsonObject receipt = r.json();
    assertEquals(false, receipt.getBoolean("duplicate"));
    assertEquals(true, receipt.getBoolean("applied"));
    assertEquals("succeeded", receipt.getString("payment_status"));
    String eventId = new JsonObject(new String(body, StandardCharsets.UTF_8)).getString("event_id");
    try (var c = TestStack.superuser(p.webhookDatabase);
         var s = c.prepareStatement("SELECT body, secret FROM webhook.notifications WHERE event_id = ?")) {
      s.setString(1, eventId);
      try (var rs = s.executeQuery()) {
        assertTrue(rs.next());
        assertArrayEquals(body, rs.getBytes(1), "the raw body, byte for byte");
        assertEquals("current", rs.getString(2));
      }
    }
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 1));
    Thread.sleep(500);
    List<JsonObject> events = p.eventsOf(tx);
    assertEquals(1, events.size(), "exactly one event");
    JsonObject e = events.get(0);
    assertEquals("payment.succeeded", e.getString("event_type"));
    assertEquals("webhook", e.getString("producer"));
    JsonObject data = e.getJsonObject("data");
    assertEquals(125000, data.getLong("amount"));
    assertEquals("RUB", data.getString("currency"));
    assertEquals("succeeded", data.getString("status"));
    assertEquals(eventId, data.getString("event_id"));
    assertTrue(data.containsKey("user_id"));
  }

  @Test
  void tenConcurrentCopiesGiveOneRowAndOneEvent() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    byte[] body = notification(tx, "pending", Instant.now()).encode().getBytes(StandardCharsets.UTF_8);
    String ts = now();
    ExecutorService pool = Executors.newFixedThreadPool(10);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Http.Response>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        calls.add(pool.submit(() -> {
          go.await();
          return p.post(body, p.secret, ts);
        }));
      }
      go.countDown();
      int fresh = 0;
      for (Future<Http.Response> f : calls) {
        Http.Response r = f.get();
        assertEquals(200, r.status(), r.body());
        assertEquals(true, r.json().getBoolean("applied"), "a duplicate answers the original outcome");
        if (!r.json().getBoolean("duplicate")) {
          fresh++;
        }
      }
      assertEquals(1, fresh, "one copy was stored, nine were duplicates");
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, p.count("SELECT count(*) FROM webhook.notifications WHERE transaction_id = '" + tx + "'"));
    assertTrue(eventually(10_000, () -> p.eventsOf(tx).size() == 1));
    Thread.sleep(1000);
    assertEquals(1, p.eventsOf(tx).size(), "one event");
  }

  @Test
  void theSameEventIdWithAnotherBodyIs409AndChangesNothing() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    JsonObject first = notification(tx, "pending", Instant.now());
    assertEquals(200, p.post(first).status());
    JsonObject other = first.copy().put("status", "succeeded");
    assertError(p.post(other), 409, "CONFLICT");
    assertTrue(Http.get(p.port(), "/metrics").body().lines().anyMatch(l -> l.startsWith("paysvc_webhook_rejected_total{")
      && l.contains("reason=\"conflict\"") && !l.endsWith(" 0.0")), "a conflict is counted");
    assertEquals(1, p.count("SELECT count(*) FROM webhook.notifications WHERE transaction_id = '" + tx + "'"));
    assertEquals(1, p.count("SELECT count(*) FROM webhook.payments WHERE transaction_id = '" + tx + "' AND status = 'pending'"));
    // The same body again (2can retrying) is a plain duplicate.
    Http.Response again = p.post(first);
    assertEquals(200, again.status());
    assertEquals(true, again.json().getBoolean("duplicate"));
  }

  @Test
  void refusedRequestsGetTheirStatusInTheErrorShapeAndNothingIsStored() {
    String tx = "tx-" + UUID.randomUUID();
    byte[] body = notification(tx, "succeeded", Instant.now()).encode().getBytes(StandardCharsets.UTF_8);
    String ts = now();
    String good = Signatures.sign(p.secret, ts, body);
    // A minute beyond the 300 s tolerance: the cases run one after another, and a second passing between this line
    // and the request made a timestamp 301 s ahead an accepted one (CI saw 200 for "future timestamp").
    long stale = Instant.now().getEpochSecond() - 360;
    long future = Instant.now().getEpochSecond() + 360;
    Map<String, Http.Response> cases = new LinkedHashMap<>();
    cases.put("no headers", p.send(body, null, null));
    cases.put("no signature", p.send(body, ts, null));
    cases.put("no timestamp", p.send(body, null, good));
    cases.put("bad signature", p.send(body, ts, "00".repeat(32)));
    cases.put("not hex", p.send(body, ts, "zz"));
    cases.put("unknown secret", p.post(body, "not-the-secret-0123456789abcdef0123", ts));
    cases.put("timestamp not a number", p.send(body, "yesterday", good));
    cases.put("stale timestamp", p.post(body, p.secret, Long.toString(stale)));
    cases.put("future timestamp", p.post(body, p.secret, Long.toString(future)));
    byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("125000", "925000").getBytes(StandardCharsets.UTF_8);
    cases.put("tampered body", p.send(tampered, ts, good));
    // Signed over a re-serialisation (different bytes, same JSON): not what was sent.
    byte[] reformatted = new JsonObject(new String(body, StandardCharsets.UTF_8)).encodePrettily().getBytes(StandardCharsets.UTF_8);
    cases.put("signature of another serialisation", p.send(reformatted, ts, good));
    cases.put("signature of another timestamp", p.send(body, Long.toString(Long.parseLong(ts) - 1), good));
    for (Map.Entry<String, Http.Response> c : cases.entrySet()) {
      assertEquals(401, c.getValue().status(), c.getKey() + ": " + c.getValue().body());
      assertError(c.getValue(), 401, "UNAUTHORIZED");
    }

    Map<String, byte[]> malformed = new LinkedHashMap<>();
    malformed.put("not JSON", "{not json".getBytes(StandardCharsets.UTF_8));
    malformed.put("an array", "[1,2]".getBytes(StandardCharsets.UTF_8));
    malformed.put("empty", new byte[0]);
    malformed.put("non-integer amount", notification(tx, "succeeded", Instant.now()).put("amount", 12.5).encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("amount written 1.0", "{\"event_id\":\"e-x\",\"transaction_id\":\"t\",\"status\":\"pending\",\"amount\":1.0,\"currency\":\"RUB\",\"occurred_at\":\"2026-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8));
    malformed.put("negative amount", notification(tx, "succeeded", Instant.now()).put("amount", -1).encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("huge amount", notification(tx, "succeeded", Instant.now()).put("amount", new java.math.BigInteger("99999999999999999999")).encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("amount as text", notification(tx, "succeeded", Instant.now()).put("amount", "100").encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("unknown status", notification(tx, "chargeback", Instant.now()).encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("bad currency", notification(tx, "succeeded", Instant.now()).put("currency", "rub").encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("bad occurred_at", notification(tx, "succeeded", Instant.now()).put("occurred_at", "yesterday").encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("no event_id", notification(tx, "succeeded", Instant.now()).put("event_id", (Object) null).encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("bad phone", notification(tx, "succeeded", Instant.now()).put("payer_phone", "8-999").encode().getBytes(StandardCharsets.UTF_8));
    // JSON Schema's pattern finds rather than matches: a trailing newline would pass "^[A-Z]{3}$".
    malformed.put("currency with a newline", notification(tx, "succeeded", Instant.now()).put("currency", "RUB\n").encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("phone with a newline", notification(tx, "succeeded", Instant.now()).put("payer_phone", "+79991234567\n").encode().getBytes(StandardCharsets.UTF_8));
    malformed.put("NUL in event_id", notification(tx, "succeeded", Instant.now()).put("event_id", "e\u0000x").encode().getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> m : malformed.entrySet()) {
      Http.Response r = p.post(m.getValue(), p.secret, now());
      assertEquals(400, r.status(), m.getKey() + ": " + r.body());
      assertError(r, 400, "VALIDATION_ERROR");
    }
    // Over the 64 KiB limit (refused from Content-Length, before the body is read), also far over the common 1 MiB.
    byte[] big = notification(tx, "succeeded", Instant.now()).put("padding", "x".repeat(70_000)).encode().getBytes(StandardCharsets.UTF_8);
    assertError(p.post(big, p.secret, now()), 413, "PAYLOAD_TOO_LARGE");
    byte[] huge = notification(tx, "succeeded", Instant.now()).put("padding", "x".repeat(2_000_000)).encode().getBytes(StandardCharsets.UTF_8);
    assertError(p.post(huge, p.secret, now()), 413, "PAYLOAD_TOO_LARGE");
    // Not JSON: refused before the body is read (no form decoder runs on an unauthenticated body).
    Http.Response form = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + p.port() + "/webhooks/2can"))
      .header("Content-Type", "application/x-www-form-urlencoded").header("X-Timestamp", ts).header("X-Signature", good)
      .POST(java.net.http.HttpRequest.BodyPublishers.ofString("a=1&b=2")));
    assertError(form, 415, "UNSUPPORTED_MEDIA_TYPE");

    assertEquals(0, p.count("SELECT count(*) FROM webhook.notifications WHERE transaction_id = '" + tx + "'"), "nothing stored");
    String metrics = Http.get(p.port(), "/metrics").body();
    Set<String> reasons = new HashSet<>();
    metrics.lines().filter(l -> l.startsWith("paysvc_webhook_rejected_total{") && !l.endsWith(" 0.0"))
      .forEach(l -> reasons.add(l.replaceAll(".*reason=\"([a-z_]+)\".*", "$1")));
    assertTrue(reasons.containsAll(Set.of("missing_headers", "bad_signature", "stale_timestamp", "future_timestamp",
      "bad_timestamp", "malformed")), reasons.toString());
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("paysvc_http_body_refused_total{") && l.contains("reason=\"too_large\"")
      && !l.endsWith(" 0.0")), "oversized bodies are counted");
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("paysvc_http_body_refused_total{") && l.contains("reason=\"not_json\"")
      && !l.endsWith(" 0.0")), "non-JSON bodies are counted");
  }

  @Test
  void optionalFieldsMayBeNull() {
    JsonObject n = notification("tx-" + UUID.randomUUID(), "pending", Instant.now()).put("payer_phone", (Object) null)
      .put("order_id", (Object) null);
    Http.Response r = p.post(n);
    assertEquals(200, r.status(), r.body());
  }

  @Test
  void duringARotationThePreviousSecretIsAcceptedAndRecorded() throws Exception {
    String tx = "tx-" + UUID.randomUUID();
    JsonObject n = notification(tx, "pending", Instant.now());
    Http.Response r = p.post(n.encode().getBytes(StandardCharsets.UTF_8), p.previousSecret, now());
    assertEquals(200, r.status(), r.body());
    assertEquals(1, p.count("SELECT count(*) FROM webhook.notifications WHERE event_id = '" + n.getString("event_id")
      + "' AND secret = 'previous'"));
  }
}
