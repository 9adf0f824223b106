package com.paysvc.auth.http;

import com.paysvc.auth.AuthDefinition;
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
 * The route table of auth against its contract, without a server: every operation is bound with an access rule, and
 * the operations that skip the contract's validation are exactly the listed ones.
 */
class AuthRoutesTest {
  private static Vertx vertx;
  private static Operations ops;

  @BeforeAll
  static void bind() throws Exception {
    vertx = Vertx.vertx();
    ops = new AuthApi(null, null, null, null, null, RoutingContext::next, null)
      .operations(vertx, RouteTables.contract(vertx, AuthDefinition.forValidator(RouteTables.openapi())));
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void theExemptionsFromValidationAreExactlyTheListedOnes() {
    RouteTables.assertExemptions(ops, Set.of("token"));
  }

  @Test
  void everyOperationOfTheContractIsBoundWithItsAccessRule() {
    String token = "a valid access token";
    assertEquals(new TreeMap<>(Map.of(
      "jwks", "anyone",
      "token", "anyone",
      "register", "anyone",
      "login", "anyone",
      "refresh", "anyone",
      "logout", token,
      "me", token,
      "setCredentials", token + ": the user itself with its old password, or an admin (Credentials.set)")), RouteTables.whoMayCall(ops));
  }
}
