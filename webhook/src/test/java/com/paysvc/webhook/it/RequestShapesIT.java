package com.paysvc.webhook.it;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.RouteTables;
import com.paysvc.common.testing.ShapeSweep;
import com.paysvc.common.testing.ShapeSweep.Credential;
import com.paysvc.webhook.service.Signatures;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * No route of webhook answers a 5xx, or anything its contract does not declare, to any request shape (issue 27 item
 * 6): every operation of webhook's own contract gets the hostile shapes of {@link ShapeSweep}, each with a valid
 * signature or an admin's token, a plain user's token, a forged or garbage one and none. Against webhook with auth and
 * users behind it (WebhookPlatform), on fresh databases.
 */
class RequestShapesIT extends WebhookIT {
  @Test
  void noShapeGetsA5xxOrAnUndeclaredStatus() throws Exception {
    new ShapeSweep(new ContractOperations(RouteTables.openapi()))
      .credentials("hmac",
        new Credential("a valid signature", true, body -> {
          String ts = Long.toString(Instant.now().getEpochSecond());
          return List.of(new String[] {"X-Timestamp", ts}, new String[] {"X-Signature", Signatures.sign(p.secret, ts, body)});
        }),
        new Credential("a forged signature", false, body -> List.of(
          new String[] {"X-Timestamp", Long.toString(Instant.now().getEpochSecond())},
          new String[] {"X-Signature", "0".repeat(64)})))
      .credentials("bearer",
        Credential.bearer("an admin's token", true, p::admin),
        Credential.bearer("a plain user's token", true, () -> p.token(UUID.randomUUID().toString(), new JsonArray().add("client"))),
        Credential.bearer("a garbage token", false, () -> "x.y.z"))
      .unmatched("/webhooks/nope", "/webhooks/payments", "/webhooks/events/evt-1", "/webhooks/2can/x", "/webhooks")
      .assertNoSurprises(p.port());
  }
}
