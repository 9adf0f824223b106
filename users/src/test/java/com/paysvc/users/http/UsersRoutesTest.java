package com.paysvc.users.http;

import com.paysvc.common.http.Operations;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The route table of users against its contract, without a server: every operation is bound with an access rule, and
 * the operations that skip the contract's validation are exactly the listed ones.
 */
class UsersRoutesTest {
  private static Vertx vertx;
  private static Operations ops;

  @BeforeAll
  static void bind(@TempDir Path uploads) throws Exception {
    vertx = Vertx.vertx();
    OpenAPIContract contract = OpenAPIContract.from(vertx, "openapi.yaml").toCompletionStage().toCompletableFuture()
      .get(30, TimeUnit.SECONDS);
    UsersApi api = new UsersApi(null, null, null, new UploadHandler(vertx, null, null, uploads.toString(), 1),
      RoutingContext::next);
    ops = api.operations(vertx, contract, Router.router(vertx));
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void theExemptionsFromValidationAreExactlyTheListedOnes() {
    assertEquals(Set.of("uploadUsers", "getUserByIdentifier", "getUser"), ops.unvalidated().keySet());
    ops.unvalidated().forEach((op, reason) -> assertFalse(reason.isBlank(), op + " needs its reason"));
    assertEquals(ops.unvalidated().keySet(), ops.routesWithoutValidation());
  }

  @Test
  void everyOperationOfTheContractIsBoundWithItsAccessRule() {
    // live, ready, metrics: the ops routes (OpsRoutes), open to probes and the scraper.
    assertEquals(Set.of("live", "ready", "metrics"), ops.unbound());
    Map<String, String> who = new TreeMap<>();
    ops.rules().forEach((op, rule) -> who.put(op, rule.who()));
    String reader = "admin or scope users:read";
    String writer = "admin or scope users:write";
    Map<String, String> expected = new TreeMap<>(Map.ofEntries(
      Map.entry("createUser", "admin or scope users:create/users:write"),
      Map.entry("listUsers", reader),
      Map.entry("getUserByIdentifier", "include_inactive=true: admin or scope users:read; else admin or scope "
        + "users:lookup/users:read, or the owner (id)"),
      Map.entry("getUser", reader + ", or the user itself"),
      Map.entry("updateUser", "deactivation: admin or scope users:deactivate/users:write; else " + writer),
      Map.entry("bulkCreateUsers", writer),
      Map.entry("uploadUsers", writer),
      Map.entry("addContact", writer),
      Map.entry("listUserContacts", reader + ", or the user itself"),
      Map.entry("getContact", reader + ", or the owner (user_id)"),
      Map.entry("updateContact", writer),
      Map.entry("deleteContact", "admin or scope users:deactivate/users:write"),
      Map.entry("listMemberships", reader + ", or the user itself"),
      Map.entry("getMembership", reader + ", or the user itself"),
      Map.entry("addMembership", writer),
      Map.entry("deleteMembership", writer),
      Map.entry("listUserGroups", "any caller"),
      Map.entry("createUserGroup", writer),
      Map.entry("updateUserGroup", writer),
      Map.entry("deleteUserGroup", writer),
      Map.entry("listContactTypes", "any caller"),
      Map.entry("createContactType", writer),
      Map.entry("updateContactType", writer),
      Map.entry("deleteContactType", writer)));
    assertEquals(expected, who);
  }
}
