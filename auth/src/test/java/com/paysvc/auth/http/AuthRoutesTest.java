package com.paysvc.auth.http;

import com.paysvc.auth.AuthDefinition;
import com.paysvc.common.http.Operations;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The route table of auth against its contract, without a server: every operation is bound with an access rule, and
 * the operations that skip the contract's validation are exactly the listed ones.
 */
class AuthRoutesTest {
  private static Vertx vertx;
  private static Operations ops;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void bind() throws Exception {
    vertx = Vertx.vertx();
    JsonObject doc;
    try (InputStream in = AuthRoutesTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      doc = new JsonObject((Map<String, Object>) new org.yaml.snakeyaml.Yaml().load(new String(in.readAllBytes(),
        StandardCharsets.UTF_8)));
    }
    OpenAPIContract contract = OpenAPIContract.from(vertx, AuthDefinition.forValidator(doc)).toCompletionStage()
      .toCompletableFuture().get(30, TimeUnit.SECONDS);
    AuthApi api = new AuthApi(null, null, null, null, null, RoutingContext::next, null);
    ops = api.operations(vertx, contract, Router.router(vertx));
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void theExemptionsFromValidationAreExactlyTheListedOnes() {
    assertEquals(Set.of("token"), ops.unvalidated().keySet());
    ops.unvalidated().forEach((op, reason) -> assertFalse(reason.isBlank(), op + " needs its reason"));
    assertEquals(ops.unvalidated().keySet(), ops.routesWithoutValidation());
  }

  @Test
  void everyOperationOfTheContractIsBoundWithItsAccessRule() {
    // live, ready, metrics: the ops routes (OpsRoutes), open to probes and the scraper.
    assertEquals(Set.of("live", "ready", "metrics"), ops.unbound());
    Map<String, String> who = new TreeMap<>();
    ops.rules().forEach((op, rule) -> who.put(op, rule.who()));
    String token = "a valid access token";
    assertEquals(new TreeMap<>(Map.of(
      "jwks", "anyone",
      "token", "anyone",
      "register", "anyone",
      "login", "anyone",
      "refresh", "anyone",
      "logout", token,
      "me", token,
      "setCredentials", token + ": the user itself with its old password, or an admin (Credentials.set)")), who);
  }
}
