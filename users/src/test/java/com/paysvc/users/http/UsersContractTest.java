package com.paysvc.users.http;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.ContractStatuses;
import com.paysvc.common.testing.RouteTables;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

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

  @Test
  void everyStatusAnOperationCanAnswerIsDeclared(@TempDir Path uploads) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      var ops = new UsersApi(null, null, null, new UploadHandler(vertx, null, null, uploads.toString(), 1, 60), RoutingContext::next, null)
        .operations(vertx, RouteTables.contract(vertx, RouteTables.openapi()));
      ContractStatuses.assertComplete(new ContractOperations(RouteTables.openapi()), new ContractStatuses.Facts(
        ContractStatuses.refusing(RouteTables.whoMayCall(ops), OPEN_RULES), LIMITED, Set.of()));
    } finally {
      vertx.close();
    }
  }
}
