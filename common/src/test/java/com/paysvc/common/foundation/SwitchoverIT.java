package com.paysvc.common.foundation;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Patroni switchover moves the primary: writes work again on the new leader without restarting the service. */
class SwitchoverIT {

  @Test
  void writesRecoverAfterSwitchoverWithoutRestart() throws Exception {
    TestStack.stack("pg-wait-healthy");
    try (RunningService svc = RunningService.start("switchover", Map.of("READY_REQUIRES", "primary"))) {
      // Warm the pool: these connections point at the old leader and must not poison later writes.
      for (int i = 0; i < 20; i++) {
        assertEquals(200, Http.post(svc.port, "/test/write", "application/json", "{}").status());
      }
      String before = TestStack.stack("pg-leader");
      long start = System.currentTimeMillis();
      TestStack.stack("pg-switchover");
      String after = TestStack.stack("pg-leader");
      assertNotEquals(before, after, "the leader moved");

      assertTrue(eventually(30_000, () -> Http.post(svc.port, "/test/write", "application/json", "{}").status() == 200),
        "writes succeed again");
      System.out.printf("switchover %s -> %s: writes back after %d ms%n", before, after, System.currentTimeMillis() - start);
      for (int i = 0; i < 50; i++) {
        Http.Response r = Http.post(svc.port, "/test/write", "application/json", "{}");
        assertEquals(200, r.status(), "every write after recovery succeeds: " + r.body());
      }
      TestStack.stack("pg-wait-healthy");
    }
  }
}
