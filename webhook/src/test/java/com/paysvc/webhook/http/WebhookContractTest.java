package com.paysvc.webhook.http;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.ContractStatuses;
import com.paysvc.common.testing.RouteTables;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * webhook's contract declares every status its operations can answer (ContractStatuses), with what webhook knows
 * beyond their shape: which access rules can refuse (from the route table). No limiter; every operation touches the
 * database.
 */
class WebhookContractTest {
  /** 2can's signature is checked by Ingest: a 401, never a 403. */
  private static final Set<String> OPEN_RULES = Set.of(WebhookApi.SIGNED_BY_2CAN.who());

  private static Vertx vertx;
  private static ContractStatuses.Facts facts;
  private static ContractOperations contract;

  @BeforeAll
  static void bind() throws Exception {
    vertx = Vertx.vertx();
    var ops = new WebhookApi(null, null, null, RoutingContext::next)
      .operations(vertx, RouteTables.contract(vertx, RouteTables.openapi()));
    contract = new ContractOperations(RouteTables.openapi());
    facts = new ContractStatuses.Facts(ContractStatuses.refusing(RouteTables.whoMayCall(ops), OPEN_RULES), Set.of(), Set.of());
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void everyStatusAnOperationCanAnswerIsDeclared() {
    ContractStatuses.assertComplete(contract, facts);
  }

  @Test
  void theRuleForUndeclaredQueryParametersIsDocumented() {
    String description = contract.document().getJsonObject("info").getString("description");
    assertTrue(description.contains("query parameter"), description);
  }
}
