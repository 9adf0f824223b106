package com.paysvc.auth.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static com.paysvc.auth.it.Platform.grantForm;
import static com.paysvc.auth.it.Platform.randomIp;
import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * auth trusts X-Forwarded-For only from TRUSTED_PROXIES: here only a gateway address that is not this test's, so the
 * test's connection is an untrusted peer, and varying the header never buys a new rate-limit bucket. The test connects
 * from a loopback address of its own (limiter keys are shared in Redis with every other test).
 */
class UntrustedPeerIT extends PlatformIT {
  static final int MAX_GRANT_FAILURES = 3;
  final String source = "127." + ThreadLocalRandom.current().nextInt(1, 255) + "." + ThreadLocalRandom.current().nextInt(256)
    + "." + ThreadLocalRandom.current().nextInt(1, 255);
  final Vertx vertx = Vertx.vertx();
  final WebClient client = WebClient.create(vertx, new WebClientOptions().setLocalAddress(source).setKeepAlive(false));

  @Override
  protected Map<String, String> settings() {
    return Map.of("TRUSTED_PROXIES", "192.0.2.10/32", "TOKEN_MAX_FAILURES", Integer.toString(MAX_GRANT_FAILURES));
  }

  @AfterAll
  void closeClient() {
    await(vertx.close());
  }

  HttpResponse<Buffer> grant(String secret, String forwardedFor) {
    return await(client.post(p.authPort(), "127.0.0.1", "/auth/token")
      .putHeader("Content-Type", "application/x-www-form-urlencoded")
      .putHeader("X-Forwarded-For", forwardedFor)
      .sendBuffer(Buffer.buffer(grantForm("webhook", secret))));
  }

  @Test
  void anUntrustedPeersForwardedForIsIgnored() {
    for (int i = 0; i < MAX_GRANT_FAILURES; i++) {
      assertEquals(401, grant("guess", randomIp()).statusCode());
    }
    // Every request claimed another client; all of them are the peer's own bucket, even one naming the gateway.
    HttpResponse<Buffer> limited = grant("guess", randomIp());
    assertEquals(429, limited.statusCode(), limited.bodyAsString());
    assertEquals("RATE_LIMITED", limited.bodyAsJsonObject().getString("error_code"));
    assertEquals(429, grant(p.credentials.webhookSecret, "192.0.2.10, " + randomIp()).statusCode());
  }
}
