package com.paysvc.users;

import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** auth's JWKS unreachable before any key set was loaded: requests fail with 503, without a fetch each. */
class JwksUnavailableIT extends UsersTestBase {
  private final AtomicInteger fetches = new AtomicInteger();

  @Override
  protected Map<String, String> extraEnv() {
    HttpServer jwks = await(vertx.createHttpServer().requestHandler(r -> {
      fetches.incrementAndGet();
      r.response().setStatusCode(503).end();
    }).listen(0, "127.0.0.1"));
    return Map.of("JWKS_URL", "http://127.0.0.1:" + jwks.actualPort() + "/jwks.json");
  }

  @Test
  void aBurstOfRequestsDoesNotFetchTheJwksForEachOne() {
    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertError(get("/accounts/user-groups", admin), 503, "DEPENDENCY_UNAVAILABLE");
    }
    // At most one fetch per second (the tests set JWKS_REFRESH_MIN_SECONDS=0: this floor holds regardless).
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertTrue(fetches.get() <= seconds + 2, "JWKS fetched " + fetches.get() + " times for 20 requests in ~" + seconds + " s");
  }
}
