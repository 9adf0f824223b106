package com.paysvc.webhook.it;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static com.paysvc.webhook.it.WebhookPlatform.notification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Patroni switchover in the middle of a stream of notifications: some are refused while the primary moves (2can
 * retries those), but every one that was answered 200 is in the database afterwards, on the new primary.
 */
class SwitchoverIT extends WebhookIT {

  @Test
  void everyAcknowledgedNotificationSurvivesASwitchover() throws Exception {
    TestStack.stack("pg-wait-healthy");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<Integer, AtomicInteger> refused = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> senders = new ArrayList<>();
    String before = TestStack.stack("pg-leader");
    try {
      for (int i = 0; i < 4; i++) {
        senders.add(pool.submit(() -> {
          while (running.get()) {
            JsonObject n = notification("tx-" + UUID.randomUUID(), "succeeded", Instant.now());
            Http.Response r;
            try {
              r = p.post(n);
            } catch (RuntimeException e) {
              refused.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
              continue;
            }
            if (r.status() == 200) {
              acknowledged.add(n.getString("event_id"));
            } else {
              refused.computeIfAbsent(r.status(), k -> new AtomicInteger()).incrementAndGet();
            }
          }
          return null;
        }));
      }
      Thread.sleep(1500);
      TestStack.stack("pg-switchover");
      Thread.sleep(3000);
    } finally {
      running.set(false);
      for (Future<?> f : senders) {
        f.get();
      }
      pool.shutdown();
    }
    String after = TestStack.stack("pg-leader");
    assertNotEquals(before, after, "the leader moved");
    System.out.printf("switchover %s -> %s under load: %d acknowledged, refused %s%n", before, after, acknowledged.size(), refused);
    assertTrue(acknowledged.size() > 20, "the stream ran: " + acknowledged.size());
    for (Integer status : refused.keySet()) {
      assertTrue(status == 503, "only 503 (nothing stored) while the primary moves, got " + refused);
    }
    TestStack.stack("pg-wait-healthy");
    // Every 200 is on the new primary.
    int missing = 0;
    try (Connection c = TestStack.superuser(p.webhookDatabase);
         PreparedStatement s = c.prepareStatement("SELECT count(*) FROM webhook.notifications WHERE event_id = ANY (?)")) {
      s.setArray(1, c.createArrayOf("text", acknowledged.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        missing = acknowledged.size() - rs.getInt(1);
      }
    }
    assertEquals(0, missing, "acknowledged notifications lost in the switchover");
  }
}
