package com.paysvc.webhook.http;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.ContractStatuses;
import com.paysvc.common.testing.RouteTables;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.Test;

import java.util.Set;

/**
 * webhook's contract declares every status its operations can answer (ContractStatuses), with what webhook knows
 * beyond their shape: which access rules can refuse (from the route table). No limiter; every operation touches the
 * database.
 */
class WebhookContractTest {
  /** 2can's signature is checked by Ingest: a 401, never a 403. */
  private static final Set<String> OPEN_RULES = Set.of(WebhookApi.SIGNED_BY_2CAN.who());

  @Test
  void everyStatusAnOperationCanAnswerIsDeclared() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      var ops = new WebhookApi(null, null, null, RoutingContext::next)
        .operations(vertx, RouteTables.contract(vertx, RouteTables.openapi()));
      ContractStatuses.assertComplete(new ContractOperations(RouteTables.openapi()), new ContractStatuses.Facts(
        ContractStatuses.refusing(RouteTables.whoMayCall(ops), OPEN_RULES), Set.of(), Set.of()));
    } finally {
      vertx.close();
    }
  }
}
