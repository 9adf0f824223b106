package com.paysvc.common.testing;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The contract checker on small contracts: what each shape implies, and the error schema. */
class ContractStatusesTest {
  private static final String ERROR = "{\"description\": \"e\", \"content\": {\"application/json\": {\"schema\": "
    + "{\"$ref\": \"#/components/schemas/Error\"}}}}";
  private static final String RATE_LIMITED = "{\"description\": \"r\", \"headers\": {\"Retry-After\": {\"schema\": {\"type\": "
    + "\"integer\"}}}, \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/Error\"}}}}";

  private static ContractOperations contract(String paths) {
    return new ContractOperations(new JsonObject("""
      {"openapi": "3.1.0", "info": {"title": "t", "version": "1", "description": "a query parameter not listed: 400"},
       "security": [{"bearer": []}],
       "paths": %s,
       "components": {
         "parameters": {"Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
         "responses": {"Error": %s, "RateLimited": %s},
         "schemas": {"Error": {"type": "object"}}}}
      """.formatted(paths, ERROR, RATE_LIMITED)));
  }

  private static final ContractStatuses.Facts NONE = new ContractStatuses.Facts(Set.of(), Set.of(), Set.of());

  @Test
  void aGuardedOperationWithAPathParameterAndABodyNeedsEachStatusItImplies() {
    ContractOperations c = contract("""
      {"/things/{id}": {"parameters": [{"$ref": "#/components/parameters/Id"}],
        "put": {"operationId": "putThing",
          "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
          "responses": {"200": {"description": "ok"}}}}}
      """);
    assertEquals(List.of(
      "putThing: 401 missing: it has a security scheme [bearer]",
      "putThing: 400 missing: an undeclared query parameter is refused",
      "putThing: 404 missing: it has a path parameter",
      "putThing: 413 missing: it has a request body (limited)",
      "putThing: 415 missing: it has a request body (typed)",
      "putThing: 503 missing: it touches a dependency"), ContractStatuses.problems(c, NONE));
  }

  @Test
  void refusalsAndLimitersAreWhatTheServiceSays() {
    ContractOperations c = contract("""
      {"/open": {"get": {"operationId": "open", "security": [{}],
        "responses": {"200": {"description": "ok"}, "400": {"$ref": "#/components/responses/Error"}}}},
       "/login": {"post": {"operationId": "login", "security": [{}],
        "responses": {"200": {"description": "ok"}, "400": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}}}}}
      """);
    assertEquals(List.of(
      "login: 403 missing: its access rule can refuse",
      "login: 429 does not declare its Retry-After header"),
      ContractStatuses.problems(c, new ContractStatuses.Facts(Set.of("login"), Set.of("login"), Set.of("open"))));
  }

  @Test
  void errorsAnswerTheSharedErrorSchemaAndStatusesAreThePlatformsOwn() {
    ContractOperations c = contract("""
      {"/x": {"get": {"operationId": "x", "security": [],
        "responses": {"202": {"description": "accepted"}, "400": {"description": "bad"},
          "418": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}}}}}
      """);
    assertEquals(List.of(
      "x: 202 is not a status of the platform [200, 201, 204, 400, 401, 403, 404, 409, 413, 415, 429, 503]",
      "x: 418 is not a status of the platform [200, 201, 204, 400, 401, 403, 404, 409, 413, 415, 429, 503]",
      "x: 400 does not answer the error schema #/components/schemas/Error"), ContractStatuses.problems(c, NONE));
  }

  @Test
  void theOpsRoutesNeedOnlyTheirSuccessAndNamesMustExist() {
    ContractOperations c = contract("""
      {"/health/live": {"get": {"operationId": "live", "security": [], "responses": {"200": {"description": "alive"}}}}}
      """);
    assertEquals(List.of("nope: named by the service but not in the contract"),
      ContractStatuses.problems(c, new ContractStatuses.Facts(Set.of("nope"), Set.of(), Set.of())));
  }

  @Test
  void aCompleteOperationPassesAndTheRefusingRulesComeFromTheRouteTable() {
    ContractOperations c = contract("""
      {"/things/{id}": {"parameters": [{"$ref": "#/components/parameters/Id"}],
        "get": {"operationId": "getThing",
          "responses": {"200": {"description": "ok"}, "400": {"$ref": "#/components/responses/Error"},
            "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}}}}}
      """);
    Set<String> refusing = ContractStatuses.refusing(Map.of("getThing", "admin", "listThings", "anyone"), Set.of("anyone"));
    assertEquals(Set.of("getThing"), refusing);
    ContractStatuses.assertComplete(c, new ContractStatuses.Facts(refusing, Set.of(), Set.of()));
  }

  @Test
  void theContractStatesTheRuleForQueryParameters() {
    ContractOperations c = new ContractOperations(new JsonObject("""
      {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
      """));
    assertEquals(List.of("info.description: does not state the rule for query parameters an operation does not list"),
      ContractStatuses.problems(c, NONE));
  }

  @Test
  void aStatusThatIsNotANumberIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> contract("""
      {"/x": {"get": {"operationId": "x", "responses": {"default": {"description": "anything"}}}}}
      """));
  }
}
