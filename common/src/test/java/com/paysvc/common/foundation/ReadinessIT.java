package com.paysvc.common.foundation;

import com.paysvc.testing.Http;
import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /health/ready follows a required dependency: 503 while Redis is down, 200 again when it is back. */
class ReadinessIT {

  private static JsonObject check(Http.Response r, String id) {
    return r.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow();
  }

  @Test
  void readinessFollowsRedis() throws Exception {
    try (RunningService svc = RunningService.start("ready", Map.of("READY_REQUIRES", "primary,redis"))) {
      Http.Response up = Http.get(svc.port, "/health/ready");
      assertEquals(200, up.status(), up.body());
      assertEquals("UP", check(up, "redis").getJsonObject("data").getString("status"));
      try {
        TestStack.stack("redis-stop");
        assertTrue(eventually(15_000, () -> Http.get(svc.port, "/health/ready").status() == 503),
          "ready must turn 503 while Redis is down");
        Http.Response down = Http.get(svc.port, "/health/ready");
        JsonObject redis = check(down, "redis");
        assertEquals("DOWN", redis.getString("status"), down.body());
        assertEquals("UP", check(down, "primary").getString("status"), down.body());
        assertEquals(200, Http.get(svc.port, "/health/live").status(), "liveness is not readiness");
      } finally {
        TestStack.stack("redis-start");
      }
      assertTrue(eventually(30_000, () -> Http.get(svc.port, "/health/ready").status() == 200),
        "ready must return to 200 once Redis is back");
    }
  }
}
