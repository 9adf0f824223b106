package com.paysvc.common.foundation;

import com.paysvc.testing.Http;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every service gets from common: error shape, request id, body limit, health, metrics, docs. */
class HttpPlumbingIT {
  private static RunningService svc;

  @BeforeAll
  static void start() {
    svc = RunningService.start("plumbing", Map.of("HTTP_BODY_LIMIT_KB", "4"));
  }

  @AfterAll
  static void stop() {
    if (svc != null) {
      svc.close();
    }
  }

  private static void assertErrorShape(Http.Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    JsonObject body = r.json();
    assertEquals(code, body.getString("error_code"), r.body());
    assertTrue(body.containsKey("message") && body.getValue("details") instanceof JsonObject, r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
  }

  @Test
  void unknownRouteIs404InTheErrorShape() {
    assertErrorShape(Http.get(svc.port, "/nope"), 404, "NOT_FOUND");
  }

  @Test
  void malformedJsonIs400() {
    assertErrorShape(Http.post(svc.port, "/test/echo", "application/json", "{not json"), 400, "VALIDATION_ERROR");
  }

  @Test
  void aJsonKeyTwiceIs400AtAnyDepth() {
    for (String body : new String[] {"{\"a\": 1, \"a\": 2}", "{\"x\": [{\"b\": {\"c\": 1, \"d\": 0, \"c\": 1}}]}"}) {
      Http.Response r = Http.post(svc.port, "/test/echo", "application/json", body);
      assertErrorShape(r, 400, "VALIDATION_ERROR");
      assertTrue(r.json().getString("message").contains("twice"), r.body());
    }
    assertEquals(200, Http.post(svc.port, "/test/echo", "application/json", "{\"a\": {\"a\": 1}}").status());
  }

  @Test
  void noResponseMayBeStored() {
    assertEquals("no-store", Http.post(svc.port, "/test/echo", "application/json", "{}").headers()
      .firstValue("Cache-Control").orElse(null));
    assertEquals("no-store", Http.get(svc.port, "/test/teapot").headers().firstValue("Cache-Control").orElse(null));
  }

  @Test
  void readinessThroughTheGatewayIsTheStatusAlone() {
    for (String prefix : new String[] {"", "/test"}) {
      Http.Response r = Http.send(HttpRequest.newBuilder(Http.uri(svc.port, prefix + "/health/ready"))
        .header("X-Forwarded-For", "203.0.113.9"));
      assertEquals(200, r.status(), r.body());
      assertEquals(new JsonObject().put("status", "UP"), r.json());
    }
  }

  @Test
  void malformedPathEscapeIs400InTheErrorShape() throws Exception {
    // java.net.URI refuses such a path, so the request goes out as raw bytes.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", svc.port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /test/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String raw = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(raw.startsWith("HTTP/1.1 400"), raw);
      assertTrue(raw.contains("\"error_code\":\"VALIDATION_ERROR\"") && raw.contains("\"details\""), raw);
    }
  }

  @Test
  void oversizedBodyIs413() {
    String big = "{\"a\":\"" + "x".repeat(8 * 1024) + "\"}";
    assertErrorShape(Http.post(svc.port, "/test/echo", "application/json", big), 413, "PAYLOAD_TOO_LARGE");
    // A multipart body outside an upload path is not read at all (ServiceDefinition.formPaths): the route answers
    // without it (an operation of a contract that takes JSON would say 415).
    Http.Response multipart = Http.post(svc.port, "/test/echo", "multipart/form-data; boundary=x", big);
    assertEquals(200, multipart.status(), multipart.body());
    assertEquals("null", multipart.body());
  }

  @Test
  void unexpectedFailureIs500WithoutInternals() {
    Http.Response r = Http.get(svc.port, "/test/boom");
    assertErrorShape(r, 500, "INTERNAL_ERROR");
    assertFalse(r.body().contains("secret internal detail"), r.body());
    assertFalse(r.body().contains("IllegalStateException"), r.body());
  }

  @Test
  void apiExceptionKeepsItsCodeAndMessage() {
    Http.Response r = Http.get(svc.port, "/test/teapot");
    assertErrorShape(r, 400, "VALIDATION_ERROR");
    assertEquals("bad teapot", r.json().getString("message"));
  }

  @Test
  void requestIdIsEchoedOrGenerated() {
    Http.Response given = Http.send(HttpRequest.newBuilder(Http.uri(svc.port, "/health/live")).header("X-Request-Id", "abc-123"));
    assertEquals("abc-123", given.headers().firstValue("X-Request-Id").orElseThrow());
    Http.Response generated = Http.get(svc.port, "/health/live");
    assertEquals(36, generated.headers().firstValue("X-Request-Id").orElseThrow().length());
    Http.Response hostile = Http.send(HttpRequest.newBuilder(Http.uri(svc.port, "/health/live")).header("X-Request-Id", "a b<script>"));
    assertFalse(hostile.headers().firstValue("X-Request-Id").orElseThrow().contains("<"));
  }

  @Test
  void healthAndDocsAnswerAtTheRootAndUnderThePrefixMetricsOnlyAtTheRoot() {
    for (String prefix : new String[] {"", "/test"}) {
      assertEquals(200, Http.get(svc.port, prefix + "/health/live").status());
      Http.Response ready = Http.get(svc.port, prefix + "/health/ready");
      assertEquals(200, ready.status(), ready.body());
      assertTrue(ready.body().contains("\"primary\"") && ready.body().contains("latency_ms"), ready.body());
      Http.Response metrics = Http.get(svc.port, prefix + "/metrics");
      if (prefix.isEmpty()) {
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("paysvc_db_replica_fallback_total"), "fallback counter exported");
        assertTrue(metrics.body().contains("vertx_http_server_requests"), "HTTP metrics exported");
      } else {
        // Metrics stay off the gateway's paths, also in the spellings Vert.x normalises to them.
        for (String path : new String[] {"/metrics", "//metrics", "/./metrics", "/%6detrics", "/x/../metrics"}) {
          assertEquals(404, Http.get(svc.port, prefix + path).status(), prefix + path);
        }
      }
      Http.Response docs = Http.get(svc.port, prefix + "/docs");
      assertEquals(200, docs.status());
      assertTrue(docs.body().contains("swagger-ui"), docs.body());
      assertEquals(200, Http.get(svc.port, prefix + "/docs/openapi.yaml").status());
      assertEquals(200, Http.get(svc.port, prefix + "/docs/ui/swagger-ui-bundle.js").status());
    }
  }

  @Test
  void readsAndWritesReachTheDatabaseThroughStoredFunctions() {
    Http.Response w = Http.post(svc.port, "/test/write", "application/json", "{}");
    assertEquals(200, w.status(), w.body());
    Http.Response r = Http.get(svc.port, "/test/where");
    assertEquals(200, r.status(), r.body());
  }
}
