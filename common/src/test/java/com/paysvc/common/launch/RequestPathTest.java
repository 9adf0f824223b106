package com.paysvc.common.launch;

import com.paysvc.testing.RawHttp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The request path every service gets from HttpVerticle, through a real HTTP server and raw connections: each route's
 * body rules under every spelling the router maps to it. Needs nothing running ({@link GatedService} has no
 * dependencies).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestPathTest {
  @TempDir
  static Path tmp;
  private GatedService service;
  private ServiceLauncher launcher;
  private int port;

  @BeforeAll
  void start() {
    service = new GatedService(Set.of(), tmp);
    launcher = start(service, Map.of("HTTP_INSTANCES", "2", "EVENT_LOOPS", "2"));
    port = launcher.context().httpPort();
  }

  @AfterAll
  void stop() {
    if (launcher != null) {
      launcher.stop().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  static ServiceLauncher start(GatedService service, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(Map.of("HTTP_PORT", "0", "HTTP_HOST", "127.0.0.1", "SHUTDOWN_GRACE_SECONDS", "1"));
    all.putAll(env);
    return await(ServiceLauncher.startForTest(service, all));
  }

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      h.put(pairs[i], pairs[i + 1]);
    }
    return h;
  }

  private static byte[] bytes(int n) {
    return "x".repeat(n).getBytes(StandardCharsets.US_ASCII);
  }

  private RawHttp.Response exchange(String method, String target, Map<String, String> headers, byte[] body) {
    try (RawHttp c = RawHttp.open(port)) {
      c.send(RawHttp.request(method, target, headers, body));
      return c.response(10_000);
    }
  }

  private static void assertError(RawHttp.Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals(code, body.getString("error_code"), r.body());
    assertEquals(Set.of("error_code", "message", "details"), body.fieldNames(), r.body());
  }

  // Body rules under every spelling of a route --------------------------------------------------------------------

  /** Spellings Vert.x's router maps to the route /gate/raw (checked below: a valid body reaches it). */
  static final List<String> RAW_SPELLINGS = List.of("/gate/raw", "/gate/raw/", "//gate/raw", "/gate//raw",
    "/gate/./raw", "/gate/x/../raw", "/gate/%72aw", "/%67ate/raw", "/gate/raw/.");

  @Test
  void everySpellingThatReachesARouteGetsItsBodyRules() {
    Map<String, String> json = headers("Content-Type", "application/json");
    for (String target : RAW_SPELLINGS) {
      RawHttp.Response ok = exchange("POST", target, json, "{\"a\":1}".getBytes(StandardCharsets.US_ASCII));
      assertEquals(200, ok.status(), target + " reaches the route: " + ok.body());
      assertEquals(7, new JsonObject(ok.body()).getInteger("bytes"), target);
      assertError(exchange("POST", target, headers("Content-Type", "text/plain"), bytes(10)), 415, "UNSUPPORTED_MEDIA_TYPE");
      assertError(exchange("POST", target, json, bytes(GatedService.RAW_LIMIT + 1)), 413, "PAYLOAD_TOO_LARGE");
    }
    // Case matters to the router: not the route (nor under the prefix), so nothing is read.
    assertError(exchange("POST", "/GATE/raw", json, bytes(10)), 404, "NOT_FOUND");
  }

  @Test
  void theUploadPathKeepsItsOwnBodyHandlerUnderEverySpelling() {
    String boundary = "XyZ";
    byte[] file = bytes(2 * 1024 * 1024);
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
      + "Content-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[head.length + file.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(file, 0, body, head.length, file.length);
    System.arraycopy(tail, 0, body, head.length + file.length, tail.length);
    Map<String, String> multipart = headers("Content-Type", "multipart/form-data; boundary=" + boundary);
    // 2 MiB: over the common limit, under the route's own 4 MiB (spooled to disk, not held).
    for (String path : List.of("/gate/upload", "/gate/upload/", "//gate/upload", "/gate/./upload")) {
      RawHttp.Response r = exchange("POST", path, multipart, body);
      assertEquals(200, r.status(), path + ": " + r.body());
      assertEquals(new JsonObject().put("files", 1).put("size", file.length), new JsonObject(r.body()), path);
    }
  }
}
