package com.paysvc.common.foundation;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica node stops: every read keeps succeeding (served by the primary), readiness stays 200; when the node
 * returns, reads go back to it without restarting the service. (HAProxy's read port already routes new connections
 * to the primary here; the breaker's own fallback is proven in {@link ReplicaBreakerIT}.)
 */
class ReplicaFallbackIT {

  @Test
  void readsSurviveAReplicaOutageAndReturnToTheReplica() throws Exception {
    TestStack.stack("pg-wait-healthy");
    // Short lifetime: connections the read endpoint parked on the primary are recycled soon after the replica returns.
    try (RunningService svc = RunningService.start("replica", Map.of("PG_MAX_LIFETIME_SECONDS", "10",
      "PG_REPLICA_RESET_MS", "1000", "READY_REQUIRES", "primary"))) {
      assertTrue(eventually(20_000, () -> inRecovery(svc)), "reads are served by the replica");

      String replica = TestStack.stack("pg-replica");
      int reads = 0;
      try {
        TestStack.stack("pg-stop", replica);
        long until = System.currentTimeMillis() + 6_000;
        while (System.currentTimeMillis() < until) {
          Http.Response r = Http.get(svc.port, "/test/where");
          assertEquals(200, r.status(), "read during replica outage: " + r.body());
          assertFalse(r.json().getBoolean("in_recovery"), "served by the primary while the replica is down");
          reads++;
        }
        Http.Response ready = Http.get(svc.port, "/health/ready");
        assertEquals(200, ready.status(), "the replica is optional: " + ready.body());
        assertTrue(ready.body().contains("\"replica\""), ready.body());
      } finally {
        TestStack.stack("pg-start", replica);
      }
      assertTrue(reads > 10, "reads kept flowing: " + reads);
      TestStack.stack("pg-wait-healthy");
      assertTrue(eventually(60_000, () -> inRecovery(svc)), "reads return to the replica");
    }
  }

  private static boolean inRecovery(RunningService svc) {
    Http.Response r = Http.get(svc.port, "/test/where");
    return r.status() == 200 && r.json().getBoolean("in_recovery");
  }
}
