package com.paysvc.auth.it;

import com.paysvc.common.config.Topology;
import com.paysvc.testing.Http;
import com.paysvc.testing.TcpProxy;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Supplier;

import static com.paysvc.auth.it.Platform.grantForm;
import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limiters' one failure policy: when the security-state Redis is down or hangs, auth cannot count attempts, so
 * it refuses them — 503 DEPENDENCY_UNAVAILABLE with Retry-After — for logins, sign-ups and client-credentials grants
 * alike, and never checks a secret it cannot count. auth reaches Redis through a proxy this test breaks and stalls;
 * the shared Redis itself is never touched.
 */
class LimiterOutageIT extends PlatformIT {
  final TcpProxy redis = new TcpProxy(Topology.integer("REDIS_PORT"));

  @Override
  protected Map<String, String> settings() {
    return Map.of("REDIS_PORT", Integer.toString(redis.port()));
  }

  @AfterAll
  void closeProxy() {
    redis.heal();
    redis.resume();
    redis.close();
  }

  @Test
  void whileRedisIsDownOrHangsEveryLimitedRouteIs503WithRetryAfter() throws Exception {
    Platform.Person a = person();
    p.register(a);
    assertEquals(200, p.post("/auth/login", a.login(a.email()), null, randomIp()).status());

    redis.breakAll();
    try {
      refusedForNow();
    } finally {
      redis.heal();
    }
    assertTrue(eventually(10_000, () -> p.post("/auth/login", a.login(a.email()), null, randomIp()).status() == 200),
      "logins work again once Redis answers");

    redis.stall();
    try {
      refusedForNow();
    } finally {
      redis.resume();
    }
    assertTrue(eventually(10_000, () -> p.grant(grantForm("webhook", p.credentials.webhookSecret), randomIp()).status() == 200));
  }

  /** Login (the right password), sign-up and grant (the right secret): each refused at once, in the error shape. */
  private void refusedForNow() {
    Platform.Person a = person();
    for (Supplier<Http.Response> call : java.util.List.<Supplier<Http.Response>>of(
      () -> p.grant(grantForm("webhook", p.credentials.webhookSecret), randomIp()),
      () -> p.post("/auth/register", a.registration(), null, randomIp()),
      () -> p.post("/auth/login", new JsonObject().put("identifier", "+79990000000").put("password", "whatever"), null,
        randomIp()))) {
      long t0 = System.nanoTime();
      Http.Response r = call.get();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      JsonObject err = assertError(r, 503, "DEPENDENCY_UNAVAILABLE");
      assertEquals("5", r.headers().firstValue("Retry-After").orElse(null), r.headers().toString());
      assertEquals(5, err.getJsonObject("details").getInteger("retry_after_seconds"));
      assertTrue(ms < 3000, "answered in " + ms + " ms");
    }
  }
}
