package com.paysvc.common.foundation;

import com.paysvc.testing.Http;
import com.paysvc.testing.TcpProxy;
import com.paysvc.testing.TestStack;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica endpoint itself fails (connections cut and refused, as when a replica dies behind a load balancer
 * that has no fallback): reads fall back to the primary through the breaker, the fallbacks are counted, and once
 * the endpoint heals and the breaker closes, reads return to the replica.
 */
class ReplicaBreakerIT {

  @Test
  void breakerFallsBackToPrimaryAndReturnsToReplica() throws Exception {
    TestStack.stack("pg-wait-healthy");
    try (TcpProxy proxy = new TcpProxy(5433);
         RunningService svc = RunningService.start("breaker", Map.of("PG_READ_PORT", Integer.toString(proxy.port()),
      "PG_REPLICA_RESET_MS", "1000", "READY_REQUIRES", "primary"))) {
      assertTrue(eventually(20_000, () -> inRecovery(svc)), "reads are served by the replica");

      proxy.breakAll();
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

      proxy.heal();
      assertTrue(eventually(20_000, () -> inRecovery(svc)), "reads return to the replica once it heals");
      assertTrue(eventually(5_000, () -> Http.get(svc.port, "/metrics").body().contains("paysvc_db_replica_breaker_open 0.0")));
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
