package com.paysvc.users;

import com.paysvc.common.testing.ContractOperations;
import com.paysvc.common.testing.RouteTables;
import com.paysvc.common.testing.ShapeSweep;
import com.paysvc.common.testing.ShapeSweep.Credential;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * No route of users answers a 5xx, or anything its contract does not declare, to any request shape (issue 27 item
 * 6): every operation of users' own contract gets the hostile shapes of {@link ShapeSweep}, each with an admin's
 * token, the token of the user the path names, a service client's token of scope users:lookup only, a garbage token
 * and none. Against users on a fresh database (UsersTestBase).
 */
class RequestShapesIT extends UsersTestBase {
  /**
   * Findings in code other engineers own, expected until their fixes are merged (a pattern of the labels → owner and
   * reproduction). The sweep fails when one of them no longer happens: take it off then.
   */
  static final Map<String, String> KNOWN_FAILURES = Map.ofEntries(
    // users' upload (UploadHandler's BodyHandler): a urlencoded form the upload does not take is decoded, and a broken
    // %-escape in it answers 400 where the contract says 415.
    Map.entry("^uploadUsers POST Content-Type form with a malformed escape ", "upload: a form body is decoded"),
    // http engineer (the trailing slash, item 6): /accounts/users/bulk/upload/ is not an upload path to the common body
    // handling (an exact match of the normalised path): a text/plain body is read into memory and the upload answers
    // 400 FILE_UPLOAD_ERROR instead of 415 before any of it is read.
    Map.entry("^uploadUsers POST trailing slash with Content-Type 'text/plain'", "http: the trailing slash escapes the upload's checks"),
    // users' upload (UploadHandler's BodyHandler; no owner in issue 27 - the lead's call): a multipart body whose last
    // part has no closing boundary never gets an answer (Vert.x's multipart decoder never ends the part, as in
    // eclipse-vertx/vert.x#3134); the request holds one of the instance's upload slots until the idle timeout (120 s).
    Map.entry("^uploadUsers POST multipart no closing boundary ", "upload: an unterminated multipart body hangs"),
    // users' upload (UploadHandler): a body that is not multipart/form-data is 400 FILE_UPLOAD_ERROR where the contract
    // (like every other typed body of the platform) says 415 UNSUPPORTED_MEDIA_TYPE.
    Map.entry("^uploadUsers POST Content-Type (missing|'(text/plain|application/xml|application/octet-stream|garbage/;;;|)') ",
      "upload: a body that is not multipart is 400, not 415"));

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
      .knownFailures(KNOWN_FAILURES)
      .assertNoSurprises(launcher.context().httpPort());
  }
}
