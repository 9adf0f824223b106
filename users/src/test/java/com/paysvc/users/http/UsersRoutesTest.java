package com.paysvc.users.http;

import com.paysvc.common.http.Operations;
import com.paysvc.common.testing.RouteTables;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    UsersApi api = new UsersApi(null, null, null, new UploadHandler(vertx, null, null, uploads.toString(), 1, 60),
      RoutingContext::next, null);
    ops = api.operations(vertx, RouteTables.contract(vertx, RouteTables.openapi()));
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void theExemptionsFromValidationAreExactlyTheListedOnes() {
    RouteTables.assertExemptions(ops, Set.of("uploadUsers", "getUserByIdentifier", "getUser"));
  }

  @Test
  void everyOperationOfTheContractIsBoundWithItsAccessRule() {
    String reader = "admin or scope users:read";
    String writer = "admin or scope users:write";
    Map<String, String> expected = new TreeMap<>(Map.ofEntries(
      Map.entry("createUser", "admin or scope users:create/users:write"),
      Map.entry("listUsers", reader),
      Map.entry("getUserByIdentifier", "include_inactive=true: admin or scope users:read; else admin or scope "
        + "users:read; scope users:lookup: id and is_active; or the user itself (its own identifiers; anyone else's: 404)"),
      Map.entry("getUser", reader + ", or the user itself"),
      Map.entry("updateUser", "deactivation: admin or scope users:deactivate/users:write; else " + writer),
      Map.entry("bulkCreateUsers", writer),
      Map.entry("uploadUsers", writer),
      Map.entry("addContact", writer),
      Map.entry("listUserContacts", reader + ", or the user itself"),
      Map.entry("getContact", reader + ", or the user itself (its own contacts; anyone else's: 404)"),
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
    assertEquals(expected, RouteTables.whoMayCall(ops));
  }
}
