package com.paysvc.webhook.http;

import com.paysvc.common.http.Operations;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
    OpenAPIContract contract = OpenAPIContract.from(vertx, "openapi.yaml").toCompletionStage().toCompletableFuture()
      .get(30, TimeUnit.SECONDS);
    ops = new WebhookApi(null, null, null, RoutingContext::next).operations(vertx, contract, Router.router(vertx));
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void theExemptionsFromValidationAreExactlyTheListedOnes() {
    assertEquals(Set.of("receive2can", "getPayment", "listEvents", "replayEvent"), ops.unvalidated().keySet());
    ops.unvalidated().forEach((op, reason) -> assertFalse(reason.isBlank(), op + " needs its reason"));
    assertEquals(ops.unvalidated().keySet(), ops.routesWithoutValidation());
  }

  @Test
  void everyOperationOfTheContractIsBoundWithItsAccessRule() {
    // live, ready, metrics: the ops routes (OpsRoutes), open to probes and the scraper.
    assertEquals(Set.of("live", "ready", "metrics"), ops.unbound());
    Map<String, String> who = new TreeMap<>();
    ops.rules().forEach((op, rule) -> who.put(op, rule.who()));
    assertEquals(new TreeMap<>(Map.of(
      "receive2can", "2can's signature (X-Signature, Ingest)",
      "getPayment", "admin",
      "listEvents", "admin",
      "replayEvent", "admin")), who);
  }
}
