package com.paysvc.common.http;

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
       "/things": {"post": {"operationId": "createThing",
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
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
    b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
      : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
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
    assertEquals(Set.of("createThing", "postRaw"), ops.unbound());
  }

  private static Operations ops() {
    return new Operations(vertx, contract, Map.of("postRaw", "a test"));
  }
}
