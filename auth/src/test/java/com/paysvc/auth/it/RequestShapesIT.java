package com.paysvc.auth.it;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.RouteTables;
import com.paysvc.common.testing.ShapeSweep;
import com.paysvc.common.testing.ShapeSweep.Credential;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * No route of auth answers a 5xx, or anything its contract does not declare, to any request shape (issue 27 item
 * 6): every operation of auth's own contract gets the hostile shapes of {@link ShapeSweep}, with an admin's and a plain
 * user's access token, a service client's HTTP Basic credentials (right and wrong), a garbage token and none. Against
 * auth with users behind it (Platform), on fresh databases. Each request comes from a client address of its own
 * (X-Forwarded-For, from a seeded generator), so that the limiters count shapes apart and answer alike every run.
 */
class RequestShapesIT extends PlatformIT {
  @Test
  void noShapeGetsA5xxOrAnUndeclaredStatus() throws Exception {
    String userId = p.register(Platform.person());
    Random addresses = new Random(27);
    new ShapeSweep(new ContractOperations(RouteTables.openapi()))
      .credentials("bearer",
        Credential.bearer("an admin's token", true, p::admin),
        Credential.bearer("a plain user's token", true, () -> p.sign(p.claims(UUID.randomUUID().toString(), "client"))),
        Credential.bearer("a garbage token", false, () -> "x.y.z"))
      .credentials("basic",
        Credential.basic("webhook's client credentials", true, "webhook", p.credentials.webhookSecret),
        Credential.basic("a wrong client secret", false, "webhook", "wrong-secret"))
      .pathValue("user_id", userId)
      .everyRequest(() -> List.<String[]>of(new String[] {"X-Forwarded-For",
        "10." + addresses.nextInt(256) + "." + addresses.nextInt(256) + "." + (1 + addresses.nextInt(254))}))
      .unmatched("/auth/nope", "/auth", "/auth/credentials", "/auth/credentials/" + userId + "/x", "/auth/.well-known/nope")
      .assertNoSurprises(p.authPort());
  }
}
