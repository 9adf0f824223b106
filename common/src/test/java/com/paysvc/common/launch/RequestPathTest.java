package com.paysvc.common.launch;

import com.paysvc.common.config.ConfigException;
import com.paysvc.common.http.UnreadBody;
import com.paysvc.testing.RawConnection;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request path every service gets from HttpVerticle, through a real HTTP server and raw connections: the guard
 * before the body, the body budget shared by the event loops, each route's body rules under every spelling the
 * router maps to it, and the headers. Needs nothing running ({@link GatedService} has no dependencies).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestPathTest {
  private static final long MIB = 1024 * 1024;
  @TempDir
  static Path tmp;
  private GatedService service;
  private ServiceLauncher launcher;
  private int port;

  @BeforeAll
  void start() {
    service = new GatedService(Set.of(), tmp);
    // A budget of exactly one body of the common limit (1 MiB), shared by two event loops.
    launcher = start(service, Map.of("HTTP_BODY_BUDGET_MB", "1", "HTTP_INSTANCES", "2", "EVENT_LOOPS", "2"));
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

  private long inUse() {
    return launcher.context().bodyBudget().inUse();
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

  private RawConnection.Response exchange(String method, String target, Map<String, String> headers, byte[] body) {
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.request(method, target, headers, body));
      return c.response(10_000);
    }
  }

  private static void assertError(RawConnection.Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals(code, body.getString("error_code"), r.body());
    assertEquals(Set.of("error_code", "message", "details"), body.fieldNames(), r.body());
  }

  // Identity before the body ---------------------------------------------------------------------------------------

  @Test
  void anAnonymousBodyIsRefusedBeforeItIsSentAndItsConnectionEnds() throws Exception {
    try (RawConnection c = RawConnection.open(port)) {
      // 1 MiB declared, 10 KB sent: the answer comes now, not after the body.
      c.send(RawConnection.head("POST", "/gate/echo", headers("Content-Type", "application/json",
        "Content-Length", Long.toString(MIB))));
      c.send(bytes(10_000));
      RawConnection.Response r = c.response(3_000);
      assertError(r, 401, "UNAUTHORIZED");
      assertEquals("close", r.header("Connection"));
      assertEquals(0, inUse(), "nothing of the budget was taken");
      // The rest never comes: the connection is cut after the linger time.
      assertTrue(c.closedWithin(UnreadBody.LINGER_MS + 3_000), "connection closed");
    }
    // A client that does send the whole body gets the same answer, then the connection ends.
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.request("POST", "/gate/echo", headers("Content-Type", "application/json"), bytes(200_000)));
      assertError(c.response(3_000), 401, "UNAUTHORIZED");
      assertTrue(c.closedWithin(UnreadBody.LINGER_MS + 3_000));
    }
  }

  @Test
  void aBodyWaitsUnreadWhileTheGuardChecksAndNothingOfItIsLost() {
    int before = service.verifications.get();
    // The "slow" token passes after 300 ms; the whole body was sent at once meanwhile.
    RawConnection.Response r = exchange("POST", "/gate/echo", headers("Authorization", "Bearer slow", "Content-Type",
      "application/json"), bytes(300_000));
    assertEquals(200, r.status(), r.body());
    assertEquals(new JsonObject().put("bytes", 300_000).put("caller", "slow"), new JsonObject(r.body()));
    // The service's router runs the guard again in front of its route: a no-op for a known caller.
    assertEquals(before + 1, service.verifications.get());
  }

  @Test
  void everythingUnderThePrefixIsGuardedButThePublicPaths() {
    assertError(exchange("GET", "/gate/hello", headers(), new byte[0]), 401, "UNAUTHORIZED");
    assertEquals(200, exchange("GET", "/gate/hello", headers("Authorization", "Bearer good"), new byte[0]).status());
    // A path no route has, with a body: still the guard's first.
    assertError(exchange("POST", "/gate/nothing-here", headers("Content-Type", "application/json"), bytes(10)),
      401, "UNAUTHORIZED");
    RawConnection.Response open = exchange("POST", "/gate/public", headers("Content-Type", "application/json"), bytes(1000));
    assertEquals(200, open.status(), open.body());
    assertEquals(1000, new JsonObject(open.body()).getInteger("bytes"));
    // Outside the prefix there is no route with a body: nothing is read, whoever asks.
    assertError(exchange("POST", "/elsewhere", headers("Content-Type", "application/json"), bytes(1000)), 404, "NOT_FOUND");
    // A bodiless refusal keeps its connection.
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.head("GET", "/gate/hello", headers()));
      assertEquals(401, c.response(3_000).status());
      c.send(RawConnection.head("GET", "/gate/hello", headers("Authorization", "Bearer good")));
      assertEquals(200, c.response(3_000).status());
    }
  }

  @Test
  void theUploadPathKeepsItsOwnBodyHandlerBehindTheGuard() {
    String boundary = "XyZ";
    byte[] file = bytes(2 * 1024 * 1024);
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
      + "Content-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[head.length + file.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(file, 0, body, head.length, file.length);
    System.arraycopy(tail, 0, body, head.length + file.length, tail.length);
    Map<String, String> multipart = headers("Authorization", "Bearer good", "Content-Type",
      "multipart/form-data; boundary=" + boundary);
    // 2 MiB: over the common limit and the budget, under the route's own 4 MiB (spooled to disk, not held).
    for (String path : List.of("/gate/upload", "/gate/upload/", "//gate/upload", "/gate/./upload")) {
      RawConnection.Response r = exchange("POST", path, multipart, body);
      assertEquals(200, r.status(), path + ": " + r.body());
      assertEquals(new JsonObject().put("files", 1).put("size", file.length), new JsonObject(r.body()), path);
    }
    Map<String, String> anonymous = new HashMap<>(multipart);
    anonymous.remove("Authorization");
    assertError(exchange("POST", "/gate/upload", anonymous, body), 401, "UNAUTHORIZED");
  }

  // The body budget --------------------------------------------------------------------------------------------------

  @Test
  void bodiesBeyondTheBudgetAreRefusedUnreadUntilTheBodiesInFlightEnd() throws Exception {
    assertTrue(eventually(5_000, () -> inUse() == 0));
    Map<String, String> json = headers("Authorization", "Bearer good", "Content-Type", "application/json");
    try (RawConnection holder = RawConnection.open(port)) {
      Map<String, String> declared = new LinkedHashMap<>(json);
      declared.put("Content-Length", "700000");
      holder.send(RawConnection.head("POST", "/gate/echo", declared));
      holder.send(bytes(1000));
      assertTrue(eventually(5_000, () -> inUse() == 700_000), "the declared length is reserved: " + inUse());

      // Another 400 KB does not fit in 1 MiB beside it, on whichever event loop it lands: 503, Retry-After, unread.
      for (int i = 0; i < 4; i++) {
        try (RawConnection refused = RawConnection.open(port)) {
          Map<String, String> h = new LinkedHashMap<>(json);
          h.put("Content-Length", "400000");
          refused.send(RawConnection.head("POST", "/gate/echo", h));
          RawConnection.Response r = refused.response(3_000);
          assertError(r, 503, "DEPENDENCY_UNAVAILABLE");
          assertEquals("1", r.header("Retry-After"));
          assertEquals(1, new JsonObject(r.body()).getJsonObject("details").getInteger("retry_after_seconds"));
          assertEquals("close", r.header("Connection"));
          assertTrue(refused.closedWithin(UnreadBody.LINGER_MS + 3_000));
        }
      }
      // A small one still fits.
      assertEquals(200, exchange("POST", "/gate/echo", json, bytes(100_000)).status());
      assertEquals(700_000, inUse());

      holder.send(bytes(699_000));
      RawConnection.Response done = holder.response(10_000);
      assertEquals(200, done.status(), done.body());
      assertEquals(700_000, new JsonObject(done.body()).getInteger("bytes"));
    }
    assertTrue(eventually(5_000, () -> inUse() == 0), "given back when the response ended: " + inUse());
    RawConnection.Response after = exchange("POST", "/gate/echo", json, bytes(400_000));
    assertEquals(200, after.status(), after.body());
  }

  @Test
  void aChunkedBodyReservesItsRoutesLimit() throws Exception {
    assertTrue(eventually(5_000, () -> inUse() == 0));
    try (RawConnection chunked = RawConnection.open(port)) {
      chunked.send(RawConnection.head("POST", "/gate/echo", headers("Authorization", "Bearer good",
        "Content-Type", "application/json", "Transfer-Encoding", "chunked")));
      chunked.send("3e8\r\n" + "x".repeat(1000) + "\r\n");
      assertTrue(eventually(5_000, () -> inUse() == MIB), "the common limit is reserved: " + inUse());
      assertError(exchange("POST", "/gate/echo", headers("Authorization", "Bearer good", "Content-Type",
        "application/json"), bytes(10)), 503, "DEPENDENCY_UNAVAILABLE");
      chunked.send("0\r\n\r\n");
      RawConnection.Response r = chunked.response(5_000);
      assertEquals(1000, new JsonObject(r.body()).getInteger("bytes"), r.body());
    }
    assertTrue(eventually(5_000, () -> inUse() == 0));
  }

  @Test
  void aClientThatGoesAwayGivesItsReservationBack() throws Exception {
    assertTrue(eventually(5_000, () -> inUse() == 0));
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.head("POST", "/gate/echo", headers("Authorization", "Bearer good", "Content-Type",
        "application/json", "Content-Length", "500000")));
      c.send(bytes(1000));
      assertTrue(eventually(5_000, () -> inUse() == 500_000));
    }
    assertTrue(eventually(5_000, () -> inUse() == 0), "released on close: " + inUse());
    // Gone while the guard was still checking (300 ms): the reservation made after it is given back too.
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.head("POST", "/gate/echo", headers("Authorization", "Bearer slow", "Content-Type",
        "application/json", "Content-Length", "500000")));
    }
    Thread.sleep(600);
    assertTrue(eventually(5_000, () -> inUse() == 0), "released after a close during the guard: " + inUse());
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedBeforeAnythingIsReserved() {
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.head("POST", "/gate/echo", headers("Authorization", "Bearer good", "Content-Type",
        "application/json", "Content-Length", Long.toString(2 * MIB))));
      RawConnection.Response r = c.response(3_000);
      assertError(r, 413, "PAYLOAD_TOO_LARGE");
      assertEquals("close", r.header("Connection"));
    }
    assertEquals(0, inUse());
  }

  @Test
  void aBudgetSmallerThanABodyLimitIsAStartUpError() {
    ConfigException e = assertThrows(ConfigException.class, () -> ServiceLauncher.startForTest(
      new GatedService(Set.of(), tmp), Map.of("HTTP_PORT", "0", "HTTP_BODY_BUDGET_MB", "1", "HTTP_BODY_LIMIT_KB", "2048")));
    assertTrue(e.getMessage().contains("HTTP_BODY_BUDGET_MB"), e.getMessage());
  }

  // Body rules under every spelling of a route --------------------------------------------------------------------

  /** Spellings Vert.x's router maps to the route /gate/raw (checked below: a valid body reaches it). */
  static final List<String> RAW_SPELLINGS = List.of("/gate/raw", "/gate/raw/", "//gate/raw", "/gate//raw",
    "/gate/./raw", "/gate/x/../raw", "/gate/%72aw", "/%67ate/raw", "/gate/raw/.");

  @Test
  void everySpellingThatReachesARouteGetsItsBodyRules() {
    Map<String, String> json = headers("Content-Type", "application/json");
    for (String target : RAW_SPELLINGS) {
      RawConnection.Response ok = exchange("POST", target, json, "{\"a\":1}".getBytes(StandardCharsets.US_ASCII));
      assertEquals(200, ok.status(), target + " reaches the route: " + ok.body());
      assertEquals(7, new JsonObject(ok.body()).getInteger("bytes"), target);
      assertError(exchange("POST", target, headers("Content-Type", "text/plain"), bytes(10)), 415, "UNSUPPORTED_MEDIA_TYPE");
      assertError(exchange("POST", target, json, bytes(GatedService.RAW_LIMIT + 1)), 413, "PAYLOAD_TOO_LARGE");
    }
    // Case matters to the router: not the route (nor under the prefix), so nothing is read.
    assertError(exchange("POST", "/GATE/raw", json, bytes(10)), 404, "NOT_FOUND");
  }

  // Form bodies ------------------------------------------------------------------------------------------------------

  private static final String FORM = "application/x-www-form-urlencoded";

  @Test
  void aFormBodyWhereNoFormIsTakenIsNeverReadAndAJsonOperationAnswers415() throws Exception {
    assertTrue(eventually(5_000, () -> inUse() == 0));
    // Broken %-escapes: decoding them answered 400 "the form body cannot be decoded" (and a multipart body was decoded
    // for nothing).
    for (String type : List.of(FORM, "multipart/form-data; boundary=x", "MULTIPART/mixed; boundary=x")) {
      RawConnection.Response r = exchange("POST", "/gate/thing", headers("Authorization", "Bearer good", "Content-Type",
        type), "a=%&b=%zz".getBytes(StandardCharsets.US_ASCII));
      assertError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
      assertEquals("close", r.header("Connection"), type);
    }
    // 700 KB declared, 1 KB sent: the answer comes now, not after the body, and nothing of the budget is taken.
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.head("POST", "/gate/thing", headers("Authorization", "Bearer good", "Content-Type", FORM,
        "Content-Length", "700000")));
      c.send(bytes(1000));
      RawConnection.Response r = c.response(3_000);
      assertError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
      assertEquals("close", r.header("Connection"));
      assertEquals(0, inUse());
      assertTrue(c.closedWithin(UnreadBody.LINGER_MS + 3_000), "connection closed");
    }
    // The operation's own type is read and reaches it.
    RawConnection.Response json = exchange("POST", "/gate/thing", headers("Authorization", "Bearer good",
      "Content-Type", "application/json"), "{\"a\": 1}".getBytes(StandardCharsets.US_ASCII));
    assertEquals(201, json.status(), json.body());
    assertEquals(8, new JsonObject(json.body()).getInteger("bytes"));
    assertNull(json.header("Connection"));
  }

  @Test
  void aFormBodyOnARouteThatTakesNoneIsLeftUnreadAndItsConnectionEndsAfterTheAnswer() {
    Map<String, String> form = headers("Authorization", "Bearer good", "Content-Type", FORM);
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.request("GET", "/gate/hello", form, "a=%".getBytes(StandardCharsets.US_ASCII)));
      RawConnection.Response r = c.response(3_000);
      assertEquals(200, r.status(), r.body());
      assertEquals("close", r.header("Connection"));
      assertTrue(c.closedWithin(UnreadBody.LINGER_MS + 3_000), "connection closed");
    }
    // A route that reads no body on POST: it gets none.
    RawConnection.Response echo = exchange("POST", "/gate/echo", form, "a=1&b=2".getBytes(StandardCharsets.US_ASCII));
    assertEquals(200, echo.status(), echo.body());
    assertEquals(-1, new JsonObject(echo.body()).getInteger("bytes"));
    // A method no route takes: not 415, nor 400 for the broken escape.
    RawConnection.Response put = exchange("PUT", "/gate/thing", form, "a=%".getBytes(StandardCharsets.US_ASCII));
    assertTrue(put.status() == 404 || put.status() == 405, put.status() + " " + put.body());
  }

  @Test
  void aFormPathDecodesItsFormsOnPostAndNothingElse() {
    Map<String, String> form = headers("Authorization", "Bearer good", "Content-Type", FORM);
    RawConnection.Response ok = exchange("POST", "/gate/form", form,
      "grant_type=client_credentials&client_id=x".getBytes(StandardCharsets.US_ASCII));
    assertEquals(200, ok.status(), ok.body());
    assertEquals(new JsonObject().put("fields", 2).put("grant_type", "client_credentials"), new JsonObject(ok.body()));
    // Decoded there: a broken escape is the client's 400.
    assertError(exchange("POST", "/gate/form", form, "grant_type=%".getBytes(StandardCharsets.US_ASCII)), 400,
      "VALIDATION_ERROR");
    // A multipart body is no form path's: never decoded.
    byte[] part = "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nx\r\n--x--\r\n"
      .getBytes(StandardCharsets.US_ASCII);
    RawConnection.Response multipart = exchange("POST", "/gate/form", headers("Authorization", "Bearer good",
      "Content-Type", "multipart/form-data; boundary=x"), part);
    assertEquals(200, multipart.status(), multipart.body());
    assertEquals(0, new JsonObject(multipart.body()).getInteger("fields"), multipart.body());
    assertEquals("close", multipart.header("Connection"));
    // Nor is a form on another method.
    RawConnection.Response get = exchange("GET", "/gate/form", form,
      "grant_type=%".getBytes(StandardCharsets.US_ASCII));
    assertTrue(get.status() == 404 || get.status() == 405, get.status() + " " + get.body());
  }

  // A malformed chunk ------------------------------------------------------------------------------------------------

  /** A chunk size that is not hex: Netty's decoder fails, and Vert.x closes the connection right after. */
  private static final String BAD_CHUNK = "zz\r\nabc\r\n0\r\n\r\n";

  /** Sends {@code head} (chunked) and then {@code body}; the answer, and whether the connection then ended. */
  private RawConnection.Response chunked(String method, String target, Map<String, String> headers, String... parts)
    throws InterruptedException {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Transfer-Encoding", "chunked");
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.head(method, target, h) + parts[0]);
      for (int i = 1; i < parts.length; i++) {
        // The request is being read when the next part comes.
        Thread.sleep(200);
        c.send(parts[i]);
      }
      RawConnection.Response r = c.response(3_000);
      assertTrue(c.closedWithin(3_000), target + ": connection closed");
      return r;
    }
  }

  @Test
  void aMalformedChunkIsAnsweredInTheErrorShapeWhereverItArrives() throws Exception {
    Map<String, String> json = headers("Authorization", "Bearer good", "Content-Type", "application/json");
    Map<String, String> slow = headers("Authorization", "Bearer slow", "Content-Type", "application/json");
    // Read by the common body handling (a GET's too); paused for the guard; a raw-JSON path; an upload path's own
    // BodyHandler; read by nothing, the guard still checking.
    List<Object[]> cases = List.of(
      new Object[] {"POST", "/gate/echo", json},
      new Object[] {"POST", "/gate/echo", slow},
      new Object[] {"POST", "/gate/raw", headers("Content-Type", "application/json")},
      new Object[] {"POST", "/gate/upload", headers("Authorization", "Bearer good", "Content-Type",
        "multipart/form-data; boundary=x")},
      new Object[] {"GET", "/gate/hello", headers("Authorization", "Bearer good")},
      new Object[] {"GET", "/gate/hello", slow});
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      Map<String, String> h = (Map<String, String>) c[2];
      RawConnection.Response at = chunked((String) c[0], (String) c[1], h, BAD_CHUNK);
      assertError(at, 400, "VALIDATION_ERROR");
      assertEquals("malformed chunked body", new JsonObject(at.body()).getString("message"), c[1] + " " + h);
      assertEquals("close", at.header("Connection"));
      // The body's first chunk read, then the malformed one.
      RawConnection.Response later = chunked((String) c[0], (String) c[1], h, "3\r\n{}x\r\n", BAD_CHUNK);
      assertError(later, 400, "VALIDATION_ERROR");
      // Given back, also by a request answered while its guard was still checking (300 ms).
      Thread.sleep(400);
      assertTrue(eventually(5_000, () -> inUse() == 0), c[1] + " " + h + ": reservations given back: " + inUse());
    }
    // A request answered before the chunk is decoded keeps its answer, and it is not lost to the close: a path outside
    // the prefix, a probe. A form left unread: the contract's 415 (checked asynchronously: either may come first).
    RawConnection.Response form = chunked("POST", "/gate/thing", headers("Authorization", "Bearer good", "Content-Type",
      FORM), BAD_CHUNK);
    assertTrue(form.status() == 415 || form.body().contains("malformed chunked body"), form.status() + " " + form.body());
    assertError(chunked("POST", "/elsewhere", headers("Content-Type", "application/json"), BAD_CHUNK), 404, "NOT_FOUND");
    RawConnection.Response probe = chunked("GET", "/health/live", headers(), BAD_CHUNK);
    assertEquals(200, probe.status(), probe.body());
    assertTrue(eventually(5_000, () -> inUse() == 0), "reservations given back: " + inUse());
  }

  // Headers ----------------------------------------------------------------------------------------------------------

  @Test
  void noResponseMayBeStoredButSwaggerUisAssets() {
    Map<String, String> token = headers("Authorization", "Bearer good");
    for (RawConnection.Response r : List.of(
      exchange("GET", "/gate/hello", token, new byte[0]),
      exchange("GET", "/gate/hello", headers(), new byte[0]),
      exchange("GET", "/nope", headers(), new byte[0]),
      exchange("POST", "/gate/echo", headers("Authorization", "Bearer good", "Content-Type", "application/json"), bytes(5)),
      exchange("GET", "/health/ready", headers(), new byte[0]),
      exchange("GET", "/gate/docs", headers(), new byte[0]),
      exchange("GET", "/gate/docs/openapi.yaml", headers(), new byte[0]),
      exchange("GET", "/docs/init.js", headers(), new byte[0]))) {
      assertEquals("no-store", r.header("Cache-Control"), r.status() + " " + r.body());
    }
    RawConnection.Response css = exchange("GET", "/gate/docs/ui/swagger-ui.css", headers(), new byte[0]);
    assertEquals(200, css.status());
    assertTrue(css.header("Cache-Control").startsWith("public"), css.header("Cache-Control"));
  }

  @Test
  void theDocsMayNotBeFramedOrSniffedAndRunOnlyTheirOwnScripts() {
    for (String prefix : List.of("", "/gate")) {
      for (String path : List.of("/docs", "/docs/init.js", "/docs/openapi.yaml", "/docs/ui/swagger-ui-bundle.js")) {
        RawConnection.Response r = exchange("GET", prefix + path, headers(), new byte[0]);
        assertEquals(200, r.status(), prefix + path);
        assertEquals("DENY", r.header("X-Frame-Options"), path);
        assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
        String csp = r.header("Content-Security-Policy");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self';")
          && csp.contains("frame-ancestors 'none'"), csp);
      }
      // The page's scripts are files of its origin (script-src 'self' runs no inline script) and exist.
      String page = exchange("GET", prefix + "/docs", headers(), new byte[0]).body();
      List<String> scripts = new java.util.ArrayList<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("<script([^>]*)>(.*?)</script>", java.util.regex.Pattern.DOTALL)
        .matcher(page);
      while (m.find()) {
        assertEquals("", m.group(2).trim(), "no inline script: " + page);
        java.util.regex.Matcher src = java.util.regex.Pattern.compile("src=\"([^\"]+)\"").matcher(m.group(1));
        assertTrue(src.find(), page);
        assertFalse(src.group(1).contains("//"), "same origin: " + src.group(1));
        scripts.add(src.group(1));
      }
      assertEquals(List.of("docs/ui/swagger-ui-bundle.js", "docs/init.js"), scripts);
      for (String script : scripts) {
        RawConnection.Response js = exchange("GET", prefix + "/" + script, headers(), new byte[0]);
        assertEquals(200, js.status(), script);
        assertTrue(js.header("Content-Type").contains("javascript"), script + ": " + js.header("Content-Type"));
      }
      String init = exchange("GET", prefix + "/docs/init.js", headers(), new byte[0]).body();
      assertTrue(init.contains("url: 'docs/openapi.yaml'") && init.contains("validatorUrl: null"), init);
    }
  }

  @Test
  void readinessThroughTheGatewaySaysUpOnly() {
    for (String prefix : List.of("", "/gate")) {
      RawConnection.Response direct = exchange("GET", prefix + "/health/ready", headers(), new byte[0]);
      assertEquals(200, direct.status());
      assertTrue(new JsonObject(direct.body()).containsKey("checks"), direct.body());
      RawConnection.Response forwarded = exchange("GET", prefix + "/health/ready", headers("X-Forwarded-For", "203.0.113.7"),
        new byte[0]);
      assertEquals(200, forwarded.status());
      assertEquals(new JsonObject().put("status", "UP"), new JsonObject(forwarded.body()));
    }
  }

  @Test
  void readinessThroughTheGatewaySaysDownOnlyWithTheSameStatus() throws Exception {
    // Redis required and unreachable (a port nobody listens on): DOWN.
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    ServiceLauncher down = start(new GatedService(EnumSet.of(Dependency.REDIS), tmp),
      Map.of("REDIS_PORT", Integer.toString(dead), "READY_REQUIRES", "redis"));
    try {
      int p = down.context().httpPort();
      try (RawConnection c = RawConnection.open(p)) {
        c.send(RawConnection.head("GET", "/gate/health/ready", headers()));
        RawConnection.Response full = c.response(10_000);
        assertEquals(503, full.status(), full.body());
        assertTrue(full.body().contains("\"redis\"") && full.body().contains("error"), full.body());
        c.send(RawConnection.head("GET", "/gate/health/ready", headers("X-Forwarded-For", "203.0.113.7")));
        RawConnection.Response brief = c.response(10_000);
        assertEquals(503, brief.status());
        assertEquals(new JsonObject().put("status", "DOWN"), new JsonObject(brief.body()));
        assertNull(brief.header("Connection"));
      }
    } finally {
      down.stop().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }
}
