package com.paysvc.users;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.RouteTables;
import com.paysvc.common.testing.ShapeSweep;
import com.paysvc.common.testing.ShapeSweep.Credential;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;


/**
 * No route of users answers a 5xx, or anything its contract does not declare, to any request shape (issue 27 item
 * 6): every operation of users' own contract gets the hostile shapes of {@link ShapeSweep}, each with an admin's
 * token, the token of the user the path names, a service client's token of scope users:lookup only, a garbage token
 * and none. Against users on a fresh database (UsersTestBase).
 */
class RequestShapesIT extends UsersTestBase {
  @Test
  void noShapeGetsA5xxOrAnUndeclaredStatus() throws Exception {
    JsonObject user = createUser(randomPhone(), null, null);
    String id = user.getString("id");
    // A real admin: writes admitted by the admin role check the membership in the database (Access.confirmAdmin).
    String adminId = realAdmin();
    new ShapeSweep(new ContractOperations(RouteTables.openapi()))
      .credentials("bearer",
        Credential.bearer("an admin's token", true, () -> tokens.token(adminId, "admin")),
        Credential.bearer("the user's own token", true, () -> tokens.token(id, "client")),
        Credential.bearer("a users:lookup service token", true, () -> tokens.service("webhook", "users:lookup")),
        Credential.bearer("a garbage token", false, () -> "x.y.z"))
      .pathValue("user_id", id)
      .body("createUser", new JsonObject().put("profile", new JsonObject().put("name", "shape"))
        .put("contacts", new JsonArray().add(new JsonObject().put("type", "second_login").put("value", "shape_" + randomToken())))
        .put("groups", new JsonArray().add("client")))
      .body("addContact", new JsonObject().put("user_id", id).put("type", "email").put("value", randomToken() + "@example.com"))
      .unmatched("/accounts/nope", "/accounts/users/" + id + "/extra", "/accounts", "/accounts/contacts",
        "/accounts/users/bulk/nope")
      .assertNoSurprises(launcher.context().httpPort());
  }
}
