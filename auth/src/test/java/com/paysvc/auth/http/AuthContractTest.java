package com.paysvc.auth.http;

import com.paysvc.auth.AuthDefinition;
import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.ContractStatuses;
import com.paysvc.common.testing.RouteTables;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.Test;

import java.util.Set;

/**
 * auth's contract declares every status its operations can answer (ContractStatuses), with what auth knows beyond
 * their shape: which access rules can refuse (from the route table), which operations a limiter guards, and the one
 * operation that touches no dependency.
 */
class AuthContractTest {
  /** Rules that admit every caller who gets past the guard (or checks a credential itself: a 401, not a 403). */
  private static final Set<String> OPEN_RULES = Set.of("anyone", "a valid access token");
  /**
   * The failed-login limiter (login; setCredentials checks an old password with it), the sign-up and grant limiters
   * (register, token) and the password hashing pool's bound (every operation that hashes).
   */
  private static final Set<String> LIMITED = Set.of("login", "register", "token", "setCredentials");
  /** The published keys are in memory. */
  private static final Set<String> NO_DEPENDENCY = Set.of("jwks");

  @Test
  void everyStatusAnOperationCanAnswerIsDeclared() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      var ops = new AuthApi(null, null, null, null, null, RoutingContext::next, null)
        .operations(vertx, RouteTables.contract(vertx, AuthDefinition.forValidator(RouteTables.openapi())));
      ContractStatuses.assertComplete(new ContractOperations(RouteTables.openapi()), new ContractStatuses.Facts(
        ContractStatuses.refusing(RouteTables.whoMayCall(ops), OPEN_RULES), LIMITED, NO_DEPENDENCY));
    } finally {
      vertx.close();
    }
  }
}
