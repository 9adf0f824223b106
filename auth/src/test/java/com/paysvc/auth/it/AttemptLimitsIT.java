package com.paysvc.auth.it;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static com.paysvc.auth.it.Platform.grantForm;
import static com.paysvc.auth.it.Platform.person;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.ApiErrors.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-IP limits of sign-ups and client-credentials grants count increment-first: a parallel burst from one client
 * bucket gets exactly the limit through, never more (a check followed by a separate record let the whole burst pass
 * the check before any of it was recorded).
 */
class AttemptLimitsIT extends PlatformIT {
  static final int MAX_GRANT_FAILURES = 3;
  static final int MAX_SIGN_UPS = 3;

  @Override
  protected Map<String, String> settings() {
    return Map.of("TOKEN_MAX_FAILURES", Integer.toString(MAX_GRANT_FAILURES),
      "REGISTER_MAX_PER_IP", Integer.toString(MAX_SIGN_UPS));
  }

  @Test
  void aParallelBurstOfWrongClientSecretsFromOneIpChecksExactlyTheLimit() throws Exception {
    String ip = randomIp();
    int n = 30;
    List<Http.Response> answers = Platform.concurrently(n, n, i -> p.grant(grantForm("webhook", "guess-" + i), ip));
    int checked = 0;
    for (Http.Response r : answers) {
      if (r.status() == 401) {
        assertError(r, 401, "UNAUTHORIZED");
        checked++;
      } else {
        JsonObject err = assertError(r, 429, "RATE_LIMITED");
        long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(retryAfter, err.getJsonObject("details").getLong("retry_after_seconds"));
      }
    }
    assertEquals(MAX_GRANT_FAILURES, checked, "exactly the limit got its secret compared");
    // The bucket is spent, even for the right secret; another client bucket is not affected.
    assertError(p.grant(grantForm("webhook", p.credentials.webhookSecret), ip), 429, "RATE_LIMITED");
    assertEquals(200, p.grant(grantForm("webhook", p.credentials.webhookSecret), randomIp()).status());
  }

  @Test
  void aClientBehindTheGatewayCannotPickItsBucketWithATrustedLookingHop() {
    // auth trusts loopback (the gateway natively). A client on the gateway's host writes a fresh address into its own
    // header; the gateway appends the client's real (loopback) address. Only that last hop counts, so the fresh
    // addresses never buy a fresh bucket. (A loopback address of this test's own: limiter keys are shared in Redis.)
    String gatewaysPeer = "127." + ThreadLocalRandom.current().nextInt(1, 255) + "." + ThreadLocalRandom.current().nextInt(256)
      + "." + ThreadLocalRandom.current().nextInt(1, 255);
    for (int i = 0; i < MAX_GRANT_FAILURES; i++) {
      assertError(p.grant(grantForm("webhook", "guess"), randomIp() + ", " + gatewaysPeer), 401, "UNAUTHORIZED");
    }
    assertError(p.grant(grantForm("webhook", "guess"), randomIp() + ", " + gatewaysPeer), 429, "RATE_LIMITED");
    assertError(p.grant(grantForm("webhook", "guess"), randomIp() + "," + gatewaysPeer), 429, "RATE_LIMITED");
  }

  @Test
  void aRightSecretGivesItsAttemptBack() {
    String ip = randomIp();
    for (int i = 0; i < MAX_GRANT_FAILURES - 1; i++) {
      assertError(p.grant(grantForm("webhook", "guess"), ip), 401, "UNAUTHORIZED");
    }
    // Many successes in between: only failures use up the bucket.
    for (int i = 0; i < 5; i++) {
      assertEquals(200, p.grant(grantForm("webhook", p.credentials.webhookSecret), ip).status());
    }
    assertError(p.grant(grantForm("webhook", "guess"), ip), 401, "UNAUTHORIZED");
    assertError(p.grant(grantForm("webhook", "guess"), ip), 429, "RATE_LIMITED");
  }

  @Test
  void aParallelBurstOfSignUpsFromOneIpCreatesExactlyTheLimit() throws Exception {
    String ip = randomIp();
    int n = 12;
    List<Http.Response> answers = Platform.concurrently(n, n,
      i -> p.post("/auth/register", person().registration(), null, ip));
    int created = 0;
    for (Http.Response r : answers) {
      if (r.status() == 201) {
        created++;
      } else {
        assertError(r, 429, "RATE_LIMITED");
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
      }
    }
    assertEquals(MAX_SIGN_UPS, created, "exactly the limit of sign-ups went through");
    assertEquals(201, p.post("/auth/register", person().registration(), null, randomIp()).status());
  }
}
