package com.paysvc.common.foundation;

import com.paysvc.common.testing.Http;
import com.paysvc.common.testing.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica endpoint itself fails (connections cut and refused, as when a replica dies behind a load balancer
 * that has no fallback): reads fall back to the primary through the breaker, the fallbacks are counted, and once
 * the endpoint heals and the breaker closes, reads return to the replica.
 */
class ReplicaBreakerIT {
  private Vertx vertx;
  private NetServer proxy;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean broken;

  @BeforeEach
  void startProxy() {
    vertx = Vertx.vertx();
    NetClient upstream = vertx.createNetClient();
    proxy = TestStack.await(vertx.createNetServer().connectHandler(client -> {
      if (broken) {
        client.close();
        return;
      }
      client.pause();
      upstream.connect(5433, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          client.close();
          return;
        }
        NetSocket server = ar.result();
        open.add(client);
        open.add(server);
        client.closeHandler(v -> server.close());
        server.closeHandler(v -> client.close());
        client.pipeTo(server);
        server.pipeTo(client);
        client.resume();
      });
    }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stopProxy() {
    TestStack.await(vertx.close());
  }

  private void breakReplica() {
    broken = true;
    open.forEach(NetSocket::close);
    open.clear();
  }

  @Test
  void breakerFallsBackToPrimaryAndReturnsToReplica() throws Exception {
    TestStack.stack("pg-wait-healthy");
    try (RunningService svc = RunningService.start("breaker", Map.of("PG_READ_PORT", Integer.toString(proxy.actualPort()),
      "PG_REPLICA_RESET_MS", "1000", "READY_REQUIRES", "primary"))) {
      assertTrue(TestStack.eventually(20_000, () -> inRecovery(svc)), "reads are served by the replica");

      breakReplica();
      for (int i = 0; i < 50; i++) {
        Http.Response r = Http.get(svc.port, "/test/where");
        assertEquals(200, r.status(), "read while the replica endpoint is broken: " + r.body());
        assertFalse(r.json().getBoolean("in_recovery"), "served by the primary");
      }
      Http.Response ready = Http.get(svc.port, "/health/ready");
      assertEquals(200, ready.status(), ready.body());
      assertTrue(ready.body().contains("\"DOWN\""), "the replica is reported down: " + ready.body());
      String metrics = Http.get(svc.port, "/metrics").body();
      assertTrue(counter(metrics, "replica_error") >= 1, metrics);
      assertTrue(counter(metrics, "breaker_open") >= 1, "the breaker opened and short-circuited reads");
      assertTrue(metrics.contains("paysvc_db_replica_breaker_open 1.0"), "breaker state exported");

      broken = false;
      assertTrue(TestStack.eventually(20_000, () -> inRecovery(svc)), "reads return to the replica once it heals");
      assertTrue(TestStack.eventually(5_000, () -> Http.get(svc.port, "/metrics").body().contains("paysvc_db_replica_breaker_open 0.0")));
    }
  }

  private static double counter(String metrics, String reason) {
    return metrics.lines().filter(l -> l.startsWith("paysvc_db_replica_fallback_total{reason=\"" + reason + "\"}"))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static boolean inRecovery(RunningService svc) {
    Http.Response r = Http.get(svc.port, "/test/where");
    return r.status() == 200 && r.json().getBoolean("in_recovery");
  }
}
