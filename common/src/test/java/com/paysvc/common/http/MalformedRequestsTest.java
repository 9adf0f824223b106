package com.paysvc.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests the HTTP decoder refuses get the error shape, not Vert.x's empty body (raw sockets: no client repairs them). */
class MalformedRequestsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    await(vertx.close(), 10);
  }

  private int start() throws Exception {
    HttpServer server = await(vertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
      .invalidRequestHandler(new MalformedRequests()).listen(0, "127.0.0.1"), 10);
    return server.actualPort();
  }

  /** Sends raw bytes, reads until the server closes; returns status line and body. */
  private static String[] exchange(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      return new String[] {text.substring(0, text.indexOf("\r\n")), text.substring(text.indexOf("\r\n\r\n") + 4),
        text.substring(0, text.indexOf("\r\n\r\n")).toLowerCase()};
    }
  }

  @Test
  void aRequestLineOverTheLimitIs414InTheErrorShape() throws Exception {
    int port = start();
    // Vert.x's default request-line limit is 4096: a 5,000-character identifier is over it.
    String[] answer = exchange(port, "GET /accounts/users/by-identifier?identifier=" + "9".repeat(5000)
      + " HTTP/1.1\r\nHost: x\r\n\r\n");
    // HTTP/1.0 in the answer: a line that could not be read has no version the server could trust.
    assertTrue(answer[0].matches("HTTP/1\\.[01] 414 .*"), answer[0]);
    assertTrue(answer[2].contains("content-type: application/json"), answer[2]);
    JsonObject body = new JsonObject(answer[1]);
    assertEquals("URI_TOO_LONG", body.getString("error_code"));
    assertTrue(body.getString("message").contains("request line"));
    assertEquals(new JsonObject(), body.getJsonObject("details"));
  }

  @Test
  void headersOverTheLimitAre431AndGarbageIs400() throws Exception {
    int port = start();
    String[] big = exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n");
    assertTrue(big[0].matches("HTTP/1\\.[01] 431 .*"), big[0]);
    assertEquals("HEADERS_TOO_LARGE", new JsonObject(big[1]).getString("error_code"));
    String[] bad = exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
    assertTrue(bad[0].matches("HTTP/1\\.[01] 400 .*"), bad[0]);
    assertEquals("VALIDATION_ERROR", new JsonObject(bad[1]).getString("error_code"));
  }

  private static final String BAD_CHUNK = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";

  @Test
  void aMalformedChunkIs400InTheErrorShapeAndAnAnswerAlreadyWrittenIsNotLost() throws Exception {
    // Nothing has answered yet (nothing reads the body): Vert.x alone closed the connection without a word.
    int silent = await(vertx.createHttpServer().requestHandler(MalformedRequests.answeringBrokenBodies(r -> { }))
      .listen(0, "127.0.0.1"), 10).actualPort();
    String[] answer = exchange(silent, BAD_CHUNK);
    assertTrue(answer[0].matches("HTTP/1\\.1 400 .*"), answer[0]);
    assertTrue(answer[2].contains("connection: close"), answer[2]);
    assertEquals(new JsonObject().put("error_code", "VALIDATION_ERROR").put("message", "malformed chunked body")
      .put("details", new JsonObject()), new JsonObject(answer[1]));
    // Answered before the chunk was decoded: written during the read, then flushed by the close instead of dropped.
    int quick = await(vertx.createHttpServer().requestHandler(MalformedRequests.answeringBrokenBodies(r -> r.response()
      .end("ok"))).listen(0, "127.0.0.1"), 10).actualPort();
    String[] ok = exchange(quick, BAD_CHUNK);
    assertTrue(ok[0].matches("HTTP/1\\.1 200 .*"), ok[0]);
    assertEquals("ok", ok[1]);
  }
}
