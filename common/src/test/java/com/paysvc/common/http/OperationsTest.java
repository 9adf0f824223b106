package com.paysvc.common.http;

import com.paysvc.common.testing.RawHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How an operation's access rule runs: after the contract's checks (a bad request is a 400 before any 403), before
 * the action (a refused caller never reaches it), and on the answer for a rule that needs the data. One server on an
 * ephemeral loopback port, nothing else.
 */
class OperationsTest {
  private static final JsonObject CONTRACT = new JsonObject("""
    {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
     "paths": {
       "/things": {
         "get": {"operationId": "listThings",
           "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer"}},
             {"name": "tag", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}],
           "responses": {"200": {"description": "things"}}},
         "post": {"operationId": "createThing",
         "requestBody": {"required": true, "content": {"application/json": {"schema": {
           "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
         "responses": {"201": {"description": "created"}}}},
       "/things/{id}": {"get": {"operationId": "getThing",
         "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
         "responses": {"200": {"description": "the thing"}}}},
       "/raw": {"post": {"operationId": "postRaw",
         "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
         "responses": {"200": {"description": "ok"}}}}}}
    """);
  /** Refuses everyone. */
  private static final AccessRule NOBODY = AccessRule.of("nobody", rc -> {
    throw new ApiException(ErrorCode.FORBIDDEN, "nobody may");
  });
  /** Admits everyone, but only answers whose owner is "me". */
  private static final AccessRule OWNER = AccessRule.onAnswer("the owner", rc -> body ->
    "me".equals(new JsonObject(body).getString("owner")) ? Future.succeededFuture(body)
      : Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, "not yours")));

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static int port;
  private static volatile boolean actionRan;

  @BeforeAll
  static void serve() throws Exception {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, CONTRACT).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Operations ops = new Operations(vertx, contract, Map.of("postRaw", "a test: checked by its action"));
    ops.json("createThing", 201, NOBODY, rc -> {
      actionRan = true;
      return Future.succeededFuture(new JsonObject().toBuffer());
    });
    ops.json("getThing", 200, OWNER, rc -> Future.succeededFuture(new JsonObject().put("owner", rc.pathParam("id")).toBuffer()));
    ops.json("postRaw", 200, AccessRule.checkedBy("anyone"), rc -> Future.succeededFuture(rc.body().buffer()));
    ops.json("listThings", 200, AccessRule.checkedBy("anyone"),
      rc -> Future.succeededFuture(new JsonObject().put("page", rc.queryParams().get("page")).toBuffer()));
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false));
    router.route("/*").subRouter(ops.router());
    router.route().failureHandler(new FailureHandler());
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
      .toCompletableFuture().get(30, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  private static HttpResponse<String> send(String method, String path, String json) throws Exception {
    return send(method, path, "application/json", json);
  }

  private static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
      : b.method(method, HttpRequest.BodyPublishers.ofString(body));
    if (body != null && contentType != null) {
      b.header("Content-Type", contentType);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Asserts a 400 VALIDATION_ERROR in the error shape; returns its body. */
  private static JsonObject assertValidationError(HttpResponse<String> r) {
    assertEquals(400, r.statusCode(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals("VALIDATION_ERROR", body.getString("error_code"), r.body());
    assertEquals(Set.of("error_code", "message", "details"), body.fieldNames(), r.body());
    return body;
  }

  @Test
  void aQueryParameterTheOperationDoesNotDeclareIsRefusedByName() throws Exception {
    assertEquals(200, send("GET", "/things?page=2&tag=a&tag=b", null).statusCode());
    assertEquals(200, send("GET", "/things", null).statusCode());
    assertEquals(200, send("GET", "/things?", null).statusCode());
    // A mistyped name must not silently fall back to the default.
    JsonObject typo = assertValidationError(send("GET", "/things?pag=2", null));
    assertTrue(typo.getString("message").contains("'pag'"), typo.encode());
    assertEquals("pag", typo.getJsonObject("details").getString("parameter"));
    assertEquals(List.of("page", "tag"), typo.getJsonObject("details").getJsonArray("allowed").getList());
    // Names are exact: Vert.x's query map would answer "PAGE" for "page".
    assertTrue(assertValidationError(send("GET", "/things?PAGE=2", null)).getString("message").contains("'PAGE'"));
    // An operation without query parameters takes none; an unvalidated one follows the same rule.
    assertTrue(assertValidationError(send("GET", "/things/me?x=1", null)).getString("message").contains("takes none"));
    assertTrue(assertValidationError(send("POST", "/raw?debug", "{}")).getString("message").contains("'debug'"));
    // The query's check runs before the access rule: a 400, not the rule's 403.
    assertValidationError(send("POST", "/things?dry_run=true", "{\"name\": \"x\"}"));
  }

  @Test
  void aParameterGivenTwiceIsRefusedUnlessItIsAnArray() throws Exception {
    JsonObject twice = assertValidationError(send("GET", "/things?page=1&page=2", null));
    assertTrue(twice.getString("message").contains("more than once"), twice.encode());
    assertEquals(200, send("GET", "/things?tag=a&tag=b&tag=c", null).statusCode());
  }

  @Test
  void aMalformedQueryIsA400InTheErrorShape() {
    // No well-behaved client sends these: the bytes go as they are.
    // On a route with a path parameter the router itself decodes the query while matching (its error handler answers).
    for (String target : List.of("/things?page=%", "/things?%zz=1", "/things/me?x=%C3%28", "/things/me?x=%")) {
      RawHttp.Answer a = RawHttp.exchange(port, RawHttp.request("GET", target, List.of(), null), 10_000, false);
      assertEquals(400, a.status(), target + ": " + a);
      JsonObject body = new JsonObject(a.text());
      assertEquals("VALIDATION_ERROR", body.getString("error_code"), target + ": " + a);
      assertEquals(Set.of("error_code", "message", "details"), body.fieldNames(), target + ": " + a);
    }
  }

  @Test
  void aBodyOfATypeTheOperationDoesNotDeclareIsA415() throws Exception {
    HttpResponse<String> text = send("POST", "/things", "text/plain", "{\"name\": \"x\"}");
    assertEquals(415, text.statusCode(), text.body());
    JsonObject body = new JsonObject(text.body());
    assertEquals("UNSUPPORTED_MEDIA_TYPE", body.getString("error_code"));
    assertEquals("send application/json", body.getString("message"));
    assertEquals(415, send("POST", "/things", null, "{\"name\": \"x\"}").statusCode());
    assertEquals(415, send("POST", "/things", "application/x-www-form-urlencoded", "name=x").statusCode());
    // A multipart body without a boundary leaves no body to validate: its type still says what it is.
    assertEquals(415, send("POST", "/things", "multipart/form-data", "{\"name\": \"x\"}").statusCode());
    assertEquals(415, send("POST", "/things", "text/plain", "").statusCode());
    // The declared type with a parameter is that type; a wrong body of it stays a 400.
    assertEquals(403, send("POST", "/things", "application/json; charset=utf-8", "{\"name\": \"x\"}").statusCode());
    assertValidationError(send("POST", "/things", "application/json", "[1]"));
    assertValidationError(send("POST", "/things", "application/json", ""));
  }

  @Test
  void theContractChecksComeFirstThenTheRuleThenTheAction() throws Exception {
    HttpResponse<String> invalid = send("POST", "/things", "{}");
    assertEquals(400, invalid.statusCode(), invalid.body());
    assertEquals("VALIDATION_ERROR", new JsonObject(invalid.body()).getString("error_code"));
    HttpResponse<String> refused = send("POST", "/things", "{\"name\": \"x\"}");
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals("FORBIDDEN", new JsonObject(refused.body()).getString("error_code"));
    assertFalse(actionRan, "a refused caller never reaches the action");
  }

  @Test
  void aRuleOnTheAnswerSeesTheData() throws Exception {
    assertEquals(200, send("GET", "/things/me", null).statusCode());
    HttpResponse<String> other = send("GET", "/things/you", null);
    assertEquals(403, other.statusCode(), other.body());
    assertEquals("not yours", new JsonObject(other.body()).getString("message"));
  }

  @Test
  void theListedOperationsAloneSkipValidation() throws Exception {
    assertEquals(Set.of("postRaw"), ops().routesWithoutValidation());
    // Not an object: the contract would refuse it; the route is exempt.
    assertEquals(200, send("POST", "/raw", "[1]").statusCode());
  }

  @Test
  void bindingMistakesFailAtOnce() {
    Operations ops = ops();
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
      () -> ops.json("deleteThing", 204, NOBODY, rc -> Future.succeededFuture()));
    assertTrue(unknown.getMessage().contains("deleteThing"), unknown.getMessage());
    ops.json("getThing", 200, NOBODY, rc -> Future.succeededFuture());
    assertThrows(IllegalStateException.class, () -> ops.json("getThing", 200, NOBODY, rc -> Future.succeededFuture()));
    assertEquals(Set.of("createThing", "postRaw", "listThings"), ops.unbound());
  }

  private static Operations ops() {
    return new Operations(vertx, contract, Map.of("postRaw", "a test"));
  }
}
