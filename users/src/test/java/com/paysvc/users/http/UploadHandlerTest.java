package com.paysvc.users.http;

import com.paysvc.common.http.FailureHandler;
import com.paysvc.common.http.MalformedRequests;
import com.paysvc.testing.RawConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static com.paysvc.testing.Await.await;
import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upload route's slots and spool dir, in process (no stack): the handler chain of UsersApi without the JWT guard,
 * on an HTTP server of this test's own.
 */
class UploadHandlerTest {
  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path tmp;

  @AfterEach
  void close() {
    await(vertx.close());
  }

  // The spool dir ---------------------------------------------------------------------------------------------------

  @Test
  void theUploadsDirIsCreatedForTheServiceUserOnly() throws IOException {
    Path dir = UploadHandler.privateDirectory(tmp.resolve("state/uploads"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }

  @Test
  void anExistingLooserUploadsDirIsTightened() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("uploads"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    UploadHandler.privateDirectory(dir);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
  }

  @Test
  void aLinkOrAFileIsNotTakenForTheUploadsDir() throws IOException {
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), elsewhere);
    assertThrows(IOException.class, () -> UploadHandler.privateDirectory(link));
    // Not followed: the target keeps its permissions.
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(elsewhere)));
    assertThrows(IOException.class, () -> UploadHandler.privateDirectory(Files.createFile(tmp.resolve("file"))));
  }

  // The slots -------------------------------------------------------------------------------------------------------

  /** A request that reached the handler after the BodyHandler (its file spooled), held until the test answers it. */
  private record Held(Context context, RoutingContext rc) {
    void answer(int status) {
      context.runOnContext(v -> {
        if (status >= 500) {
          rc.fail(new IllegalStateException("boom"));
        } else {
          rc.response().setStatusCode(status).end();
        }
      });
    }
  }

  @Test
  void uploadsPastTheLimitAreRefusedBeforeTheirBodyIsReadAndSlotsComeBackHoweverAnUploadEnds() throws Exception {
    Path spool = UploadHandler.privateDirectory(tmp.resolve("uploads"));
    UploadHandler upload = new UploadHandler(vertx, null, null, spool.toString(), 2, 60);
    AtomicInteger arrived = new AtomicInteger();
    Map<String, Held> held = new ConcurrentHashMap<>();
    Router router = Router.router(vertx);
    // UsersApi's chain, the guard left out: pause, slot; then the BodyHandler; then the action.
    router.post("/up").handler(rc -> {
      rc.request().pause();
      arrived.incrementAndGet();
      rc.next();
    }).handler(upload::holdSlot);
    router.post("/up").handler(upload.bodyHandler());
    router.post("/up").handler(rc -> held.put(rc.request().getHeader("X-Name"), new Held(Vertx.currentContext(), rc)));
    router.route().failureHandler(new FailureHandler());
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    int port = server.actualPort();

    Future<HttpResponse<Buffer>> a = send(client, port, "a");
    Future<HttpResponse<Buffer>> b = send(client, port, "b");
    Held heldA = take(held, "a");
    Held heldB = take(held, "b");
    assertEquals(0, upload.freeSlots());
    assertEquals(2, spooled(spool));

    // A third upload while both slots are taken: 429 with Retry-After, and nothing of it written to disk.
    HttpResponse<Buffer> refused = await(send(client, port, "refused"));
    assertEquals(429, refused.statusCode());
    assertEquals("5", refused.getHeader("Retry-After"));
    JsonObject error = refused.bodyAsJsonObject();
    assertEquals("RATE_LIMITED", error.getString("error_code"));
    assertEquals(Set.of("error_code", "message", "details"), error.fieldNames());
    assertEquals(2, spooled(spool));

    // Answered: its slot is free again.
    heldA.answer(200);
    assertEquals(200, await(a).statusCode());
    assertTrue(eventually(5_000, () -> upload.freeSlots() == 1));

    // A client that goes away mid-body holds a slot until its connection closes.
    HttpClient raw = vertx.createHttpClient();
    HttpClientRequest stalled = await(raw.request(HttpMethod.POST, port, "127.0.0.1", "/up"));
    stalled.putHeader("Content-Type", "multipart/form-data; boundary=XX").setChunked(true).exceptionHandler(e -> { });
    await(stalled.write("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
      + "Content-Type: text/csv\r\n\r\nphone\n"));
    assertTrue(eventually(5_000, () -> arrived.get() == 4));
    assertEquals(0, upload.freeSlots());
    assertEquals(429, await(send(client, port, "refused too")).statusCode());
    await(stalled.connection().close());
    assertTrue(eventually(5_000, () -> upload.freeSlots() == 1));
    Future<HttpResponse<Buffer>> c = send(client, port, "c");
    Held heldC = take(held, "c");

    // Failed: its slot is free again too.
    heldB.answer(500);
    assertEquals(500, await(b).statusCode());
    assertTrue(eventually(5_000, () -> upload.freeSlots() == 1));
    Future<HttpResponse<Buffer>> d = send(client, port, "d");
    Held heldD = take(held, "d");

    heldC.answer(200);
    heldD.answer(200);
    assertEquals(200, await(c).statusCode());
    assertEquals(200, await(d).statusCode());
    assertTrue(eventually(5_000, () -> upload.freeSlots() == 2));
    // Every spooled file is deleted once its response has ended.
    assertTrue(eventually(5_000, () -> spooled(spool) == 0));
  }

  @Test
  void aRequestAnsweredWhileItsCallerIsCheckedTakesNoSlot() throws Exception {
    Path spool = UploadHandler.privateDirectory(tmp.resolve("uploads"));
    UploadHandler upload = new UploadHandler(vertx, null, null, spool.toString(), 2, 60);
    Router router = Router.router(vertx);
    // UsersApi's chain with a guard that takes 300 ms, as the admin check's query may.
    router.post("/up").handler(rc -> {
      rc.request().pause();
      vertx.setTimer(300, id -> rc.next());
    }).handler(upload::holdSlot);
    router.post("/up").handler(upload.bodyHandler());
    router.post("/up").handler(rc -> rc.response().end());
    router.route().failureHandler(new FailureHandler());
    int port = await(vertx.createHttpServer().requestHandler(MalformedRequests.answeringBrokenBodies(router))
      .listen(0, "127.0.0.1")).actualPort();
    for (int i = 0; i < 3; i++) {
      // A malformed chunk while the caller is checked: answered at once (MalformedRequests), the check goes on.
      try (RawConnection c = RawConnection.open(port)) {
        c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nzz\r\n");
        assertEquals(400, c.response(3_000).status());
      }
    }
    Thread.sleep(600);
    assertEquals(2, upload.freeSlots());
  }

  // The body: its type, its time ---------------------------------------------------------------------------------

  /** UsersApi's chain, the guard and the admin check left out; the action answers how many files it got. */
  private int serve(UploadHandler upload) {
    Router router = Router.router(vertx);
    router.post("/up").handler(rc -> {
      rc.request().pause();
      rc.next();
    }).handler(upload::requireMultipart).handler(upload::holdSlot);
    router.post("/up").handler(upload.bodyHandler()).handler(upload::received);
    router.post("/up").handler(rc -> rc.json(new JsonObject().put("files", rc.fileUploads().size())));
    router.route().failureHandler(new FailureHandler());
    return await(vertx.createHttpServer().requestHandler(MalformedRequests.answeringBrokenBodies(router))
      .listen(0, "127.0.0.1")).actualPort();
  }

  private static final String PART = "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
    + "Content-Type: text/csv\r\n\r\nphone\n+79990000001\n";

  private static void assertUploadError(RawConnection.Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    JsonObject error = new JsonObject(r.body());
    assertEquals(code, error.getString("error_code"), r.body());
    assertEquals(Set.of("error_code", "message", "details"), error.fieldNames());
  }

  @Test
  void aBodyThatIsNotMultipartIs415BeforeASlotIsTakenOrAByteRead() throws Exception {
    Path spool = UploadHandler.privateDirectory(tmp.resolve("uploads"));
    UploadHandler upload = new UploadHandler(vertx, null, null, spool.toString(), 1, 60);
    int port = serve(upload);
    for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded", "application/json",
      "multipart/mixed; boundary=XX"}) {
      // 5 MB declared, 1 KB sent: the answer comes now, not after the body.
      try (RawConnection c = RawConnection.open(port)) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (type != null) {
          headers.put("Content-Type", type);
        }
        headers.put("Content-Length", "5000000");
        c.send(RawConnection.head("POST", "/up", headers) + "a=%".repeat(300));
        RawConnection.Response r = c.response(3_000);
        assertUploadError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertEquals("close", r.header("Connection"), type);
      }
      assertEquals(1, upload.freeSlots());
      assertEquals(0, spooled(spool));
    }
  }

  @Test
  void aMultipartBodyThatEndsInsideAPartIsAnsweredAndItsSlotComesBack() throws Exception {
    Path spool = UploadHandler.privateDirectory(tmp.resolve("uploads"));
    UploadHandler upload = new UploadHandler(vertx, null, null, spool.toString(), 1, 60);
    int port = serve(upload);
    for (int i = 0; i < 3; i++) {
      // The whole body sent, its closing boundary missing: Vert.x's decoder waits for the part's end for ever.
      long started = System.nanoTime();
      try (RawConnection c = RawConnection.open(port)) {
        c.send(RawConnection.request("POST", "/up", Map.of("Content-Type", "multipart/form-data; boundary=XX"),
          PART.getBytes(StandardCharsets.US_ASCII)));
        RawConnection.Response r = c.response(UploadHandler.UNFINISHED_PART_GRACE_MS + 3_000);
        assertUploadError(r, 400, "FILE_UPLOAD_ERROR");
        assertTrue(r.body().contains("closing boundary"), r.body());
      }
      assertTrue(System.nanoTime() - started < (UploadHandler.UNFINISHED_PART_GRACE_MS + 2_000) * 1_000_000L);
      assertTrue(eventually(5_000, () -> upload.freeSlots() == 1), "the slot came back");
      assertTrue(eventually(5_000, () -> spooled(spool) == 0), "the partial file is deleted");
    }
    // A whole upload is served by the slot that came back.
    try (RawConnection c = RawConnection.open(port)) {
      c.send(RawConnection.request("POST", "/up", Map.of("Content-Type", "multipart/form-data; boundary=XX"),
        (PART + "\r\n--XX--\r\n").getBytes(StandardCharsets.US_ASCII)));
      RawConnection.Response r = c.response(5_000);
      assertEquals(200, r.status(), r.body());
      assertEquals(1, new JsonObject(r.body()).getInteger("files"));
    }
  }

  @Test
  void anUploadThatTakesLongerThanItsTimeLimitIsAnsweredAndItsSlotComesBack() throws Exception {
    Path spool = UploadHandler.privateDirectory(tmp.resolve("uploads"));
    UploadHandler upload = new UploadHandler(vertx, null, null, spool.toString(), 1, 1);
    int port = serve(upload);
    try (RawConnection c = RawConnection.open(port)) {
      // A body that keeps coming, slowly: each read well within the idle timeout, the whole never done.
      c.send(RawConnection.head("POST", "/up", Map.of("Content-Type", "multipart/form-data; boundary=XX",
        "Transfer-Encoding", "chunked")) + Integer.toHexString(PART.length()) + "\r\n" + PART + "\r\n");
      assertTrue(eventually(3_000, () -> upload.freeSlots() == 0), "the upload holds the slot");
      assertTrue(eventually(3_000, () -> spooled(spool) == 1), "its file is spooled");
      long started = System.nanoTime();
      c.send("1\r\n1\r\n");
      RawConnection.Response r = c.response(5_000);
      assertUploadError(r, 400, "FILE_UPLOAD_ERROR");
      assertTrue(r.body().contains("within 1 s"), r.body());
      assertEquals("close", r.header("Connection"));
      assertTrue(System.nanoTime() - started < 3_000_000_000L);
      assertTrue(c.closedWithin(3_000), "connection closed");
    }
    assertTrue(eventually(5_000, () -> upload.freeSlots() == 1), "the slot came back");
    assertTrue(eventually(5_000, () -> spooled(spool) == 0), "the partial file is deleted");
  }

  private static Future<HttpResponse<Buffer>> send(WebClient client, int port, String name) {
    return client.post(port, "127.0.0.1", "/up").putHeader("X-Name", name).timeout(10_000).sendMultipartForm(MultipartForm.create()
      .binaryFileUpload("file", "u.csv", Buffer.buffer("phone\n+79990000001\n"), "text/csv"));
  }

  private static Held take(Map<String, Held> held, String name) throws InterruptedException {
    assertTrue(eventually(10_000, () -> held.containsKey(name)), name + " did not reach the handler");
    return held.get(name);
  }

  private static long spooled(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
