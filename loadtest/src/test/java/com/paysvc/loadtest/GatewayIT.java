package com.paysvc.loadtest;

import com.paysvc.testing.TestStack;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway and the supervision of the platform as {@code bin/stack up} runs it (issue 27): a client cannot choose
 * its own rate-limit bucket (the gateway replaces X-Forwarded-For with the connection's source, and auth believes the
 * header only from the gateway's own source address), the gateway's own refusals come in the platform's error shape,
 * and a service instance that dies is started again by its supervisor.
 */
class GatewayIT {
  private static final int GATEWAY = 8080;
  /** auth's default TOKEN_MAX_FAILURES: failed client-credentials grants per client address and window. */
  private static final int TOKEN_MAX_FAILURES = 10;

  @BeforeAll
  static void platformUp() {
    TestStack.stack("up");
  }

  /**
   * An HTTP/1.1 exchange from the loopback address {@code from} (a client of its own: loopback answers on all of
   * 127.0.0.0/8), read until the server closes or the body is complete.
   */
  private static Answer exchange(String from, String request) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(from, 0));
      s.connect(new InetSocketAddress("127.0.0.1", GATEWAY), 5000);
      s.setSoTimeout(15_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return Answer.read(s.getInputStream());
    }
  }

  record Answer(int status, String head, String body) {
    static Answer read(InputStream in) throws IOException {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        all.write(buf, 0, n);
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end > 0) {
          String head = text.substring(0, end);
          java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
          if (m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1))) {
            break;
          }
        }
      }
      String text = all.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      assertTrue(end > 0, "no HTTP answer: " + text);
      return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4));
    }

    /** The platform's error shape (SPEC §3), as JSON. */
    JsonObject error(String code) {
      assertTrue(head.toLowerCase(Locale.ROOT).contains("content-type: application/json"), head);
      JsonObject e = new JsonObject(body);
      assertEquals(code, e.getString("error_code"), body);
      assertTrue(e.containsKey("message") && e.getValue("details") instanceof JsonObject, body);
      return e;
    }
  }

  private static String tokenRequest(String claimedClient) {
    String form = "grant_type=client_credentials&client_id=webhook&client_secret=not-the-secret";
    return "POST /auth/token HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n"
      + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n"
      + "X-Forwarded-For: " + claimedClient + "\r\n\r\n" + form;
  }

  /** A loopback address of this test run's own, so that its buckets are nobody else's. */
  private static String loopback() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "127." + r.nextInt(10, 250) + "." + r.nextInt(1, 250) + "." + r.nextInt(1, 250);
  }

  @Test
  void aClientCannotPickItsOwnRateLimitBucketWithXForwardedFor() throws Exception {
    String client = loopback();
    // Another X-Forwarded-For on every attempt: the gateway replaces it, so every attempt counts for the client.
    for (int i = 0; i < TOKEN_MAX_FAILURES; i++) {
      Answer a = exchange(client, tokenRequest("10.77." + i + ".1"));
      assertEquals(401, a.status(), "attempt " + (i + 1) + ": " + a.body());
    }
    Answer limited = exchange(client, tokenRequest("10.77.200.1"));
    assertEquals(429, limited.status(), limited.body());
    limited.error("RATE_LIMITED");
    // A header claiming a spoofed chain is replaced just the same.
    assertEquals(429, exchange(client, tokenRequest("10.78.0.1, 10.78.0.2")).status());
    // The bucket is the client's own: another client is not limited.
    assertEquals(401, exchange(loopback(), tokenRequest("10.77.200.1")).status());
  }

  @Test
  void aLocalProcessCallingAuthDirectlyCannotPickABucketEither() throws Exception {
    // auth believes X-Forwarded-For only from the gateway's source address (topology.env GATEWAY_SOURCE_ADDR), not
    // from any local process: calls to its port from this test's address all land in one bucket.
    String form = "grant_type=client_credentials&client_id=webhook&client_secret=not-the-secret";
    String client = loopback();
    int last = 0;
    for (int i = 0; i <= TOKEN_MAX_FAILURES; i++) {
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress(client, 0));
        s.connect(new InetSocketAddress("127.0.0.1", 8001), 5000);
        s.setSoTimeout(15_000);
        String req = "POST /auth/token HTTP/1.1\r\nHost: auth\r\nConnection: close\r\n"
          + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n"
          + "X-Forwarded-For: 10.79." + i + ".1\r\n\r\n" + form;
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        last = Answer.read(s.getInputStream()).status();
      }
    }
    assertEquals(429, last);
  }

  @Test
  void theGatewaysOwnRefusalsAreInTheErrorShape() throws Exception {
    String client = loopback();
    // Headers over the gateway's 16 KB limit (within its buffer).
    Answer big = exchange(client, "GET /auth/health/live HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nX-Big: "
      + "a".repeat(20_000) + "\r\n\r\n");
    assertEquals(400, big.status(), big.head());
    big.error("VALIDATION_ERROR");
    // A URL over its 8 KB limit.
    Answer longUrl = exchange(client, "GET /auth/" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n");
    assertEquals(400, longUrl.status(), longUrl.head());
    longUrl.error("VALIDATION_ERROR");
    // A path no service serves, and the services' metrics (for the scraper on the service ports only).
    exchange(client, "GET /nothing-here HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n").error("NOT_FOUND");
    exchange(client, "GET /accounts/metrics HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n").error("NOT_FOUND");
  }

  @Test
  void aServiceInstanceThatDiesIsStartedAgainByItsSupervisor() throws Exception {
    Path pidFile = TestStack.repoRoot().resolve(".stack/run/webhook.pid");
    String before = Files.readString(pidFile).trim();
    TestStack.stack("instance-kill", "webhook", "1");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + 60_000_000_000L;
    int status = 0;
    while (System.nanoTime() < deadline) {
      try {
        status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8000/health/ready")).timeout(Duration.ofSeconds(2))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 200) {
          break;
        }
      } catch (IOException e) {
        // still down
      }
      Thread.sleep(250);
    }
    assertEquals(200, status, "webhook did not come back by itself within 60 s");
    String after = Files.readString(pidFile).trim();
    assertNotEquals(before, after, "the same process answers: it was not killed");
    assertTrue(TestStack.stack("status").matches("(?s).*\\nwebhook +running .*restarts=[1-9].*"), TestStack.stack("status"));
  }
}
