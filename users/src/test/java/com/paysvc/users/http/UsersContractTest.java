package com.paysvc.users.http;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.ContractStatuses;
import com.paysvc.common.testing.RouteTables;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * users' contract declares every status its operations can answer (ContractStatuses), with what users knows beyond
 * their shape: which access rules can refuse (from the route table) and which operation a limiter guards. Every
 * operation touches a dependency (the database, and the revocation state behind the guard).
 */
class UsersContractTest {
  /** The dictionaries are readable by every authenticated caller. */
  private static final Set<String> OPEN_RULES = Set.of("any caller");
  /** The upload's slots (429 when every one is taken). */
  private static final Set<String> LIMITED = Set.of("uploadUsers");

  private static Vertx vertx;
  private static ContractStatuses.Facts facts;
  private static ContractOperations contract;

  @BeforeAll
  static void bind(@TempDir Path uploads) throws Exception {
    vertx = Vertx.vertx();
    UsersApi api = new UsersApi(null, null, null, new UploadHandler(vertx, null, null, uploads.toString(), 1),
      RoutingContext::next);
    var ops = api.operations(vertx, RouteTables.contract(vertx, RouteTables.openapi()));
    contract = new ContractOperations(RouteTables.openapi());
    facts = new ContractStatuses.Facts(ContractStatuses.refusing(RouteTables.whoMayCall(ops), OPEN_RULES), LIMITED, Set.of());
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
