package com.paysvc.webhook.http;

import com.paysvc.common.http.Operations;
import com.paysvc.common.testing.RouteTables;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The route table of webhook against its contract, without a server: every operation is bound with an access rule,
 * and the operations that skip the contract's validation (all of them) are exactly the listed ones.
 */
class WebhookRoutesTest {
  private static Vertx vertx;
  private static Operations ops;

  @BeforeAll
  static void bind() throws Exception {
    vertx = Vertx.vertx();
    ops = new WebhookApi(null, null, null, RoutingContext::next)
      .operations(vertx, RouteTables.contract(vertx, RouteTables.openapi()));
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void theExemptionsFromValidationAreExactlyTheListedOnes() {
    RouteTables.assertExemptions(ops, Set.of("receive2can", "getPayment", "listEvents", "replayEvent"));
  }

  @Test
  void everyOperationOfTheContractIsBoundWithItsAccessRule() {
    assertEquals(new TreeMap<>(Map.of(
      "receive2can", "2can's signature (X-Signature, Ingest)",
      "getPayment", "admin",
      "listEvents", "admin",
      "replayEvent", "admin")), RouteTables.whoMayCall(ops));
  }
}
