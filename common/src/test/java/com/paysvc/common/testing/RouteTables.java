package com.paysvc.common.testing;

import com.paysvc.common.http.Operations;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Checks of a service's route table ({@link Operations}) against its contract, for each service's RoutesTest. */
public final class RouteTables {
  /** The ops routes (OpsRoutes: health and metrics, open to probes and the scraper): in every contract, bound by none. */
  public static final Set<String> OPS_ROUTES = Set.of("live", "ready", "metrics");

  private RouteTables() {
  }

  /** The service's openapi.yaml (on the test's classpath) as JSON, as the launcher reads it. */
  @SuppressWarnings("unchecked")
  public static JsonObject openapi() throws IOException {
    try (InputStream in = RouteTables.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      return new JsonObject((Map<String, Object>) new org.yaml.snakeyaml.Yaml().load(new String(in.readAllBytes(),
        StandardCharsets.UTF_8)));
    }
  }

  public static OpenAPIContract contract(Vertx vertx, JsonObject doc) throws Exception {
    return OpenAPIContract.from(vertx, doc).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The listed exemptions are {@code expected}, each gives its reason, and no other route skips validation. */
  public static void assertExemptions(Operations ops, Set<String> expected) {
    assertEquals(expected, ops.unvalidated().keySet());
    ops.unvalidated().forEach((op, reason) -> assertFalse(reason.isBlank(), op + " needs its reason"));
    assertEquals(expected, ops.routesWithoutValidation());
  }

  /** operationId → who may call it, after checking that every operation but the ops routes is bound. */
  public static Map<String, String> whoMayCall(Operations ops) {
    assertEquals(OPS_ROUTES, ops.unbound());
    Map<String, String> who = new TreeMap<>();
    ops.rules().forEach((op, rule) -> who.put(op, rule.who()));
    return who;
  }
}
