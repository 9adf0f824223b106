package com.paysvc.loadtest;

import com.paysvc.testing.TestStack;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boundaries of the platform as {@code bin/stack up} runs it (docs/security.md): what listens where, what the
 * gateway lets through, who the processes run as, what their logs and command lines show, and what each service's
 * broker and Redis user may do. Each check fails on the stack as it was before issue 13.
 */
class BoundariesIT {
  private static final int GATEWAY = 8080;

  @BeforeAll
  static void platformUp() {
    TestStack.stack("up");
  }

  // ------------------------------------------------------------------------------------------ exposure

  @Test
  void everyListenerOfThePlatformIsOnLoopback() throws Exception {
    // The services (8000-8002), the gateway and stats (8080, 7000), Postgres (5432/5433, nodes 5441/5442), Patroni's
    // REST API (8008/8009), Redis, RabbitMQ (AMQP, management, distribution), etcd, epmd.
    List<Integer> ports = List.of(8000, 8001, 8002, 8080, 7000, 5432, 5433, 5441, 5442, 8008, 8009, 6379, 6380, 5672, 15672,
      25672, 2379, 2380, 4369);
    String listening = run("ss", "-Hltn");
    List<String> exposed = new ArrayList<>();
    for (String line : listening.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4) {
        continue;
      }
      String local = f[3];
      int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
      String host = local.substring(0, local.lastIndexOf(':'));
      if (ports.contains(port) && !(host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("[::ffff:127.0.0.1]"))) {
        exposed.add(local);
      }
    }
    assertEquals(List.of(), exposed, "listeners beyond loopback:\n" + listening);
    assertTrue(listening.contains("127.0.0.1]:8002") || listening.contains("127.0.0.1:8002"), listening);
  }

  /** Raw bytes: an HTTP client would normalise the path itself and never send what an attacker sends. */
  private static String[] rawGet(int port, String path, String extraHeaders) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + extraHeaders
        + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      return new String[] {text.substring(0, text.indexOf("\r\n")), split < 0 ? "" : text.substring(split + 4)};
    }
  }

  @Test
  void theGatewayServesNoServiceMetricsWhateverThePathSpelling() throws Exception {
    for (String path : List.of("/accounts/metrics", "/accounts/../metrics", "/accounts/%2e%2e/metrics",
      "/accounts/%2E%2E/metrics", "//accounts//metrics", "/accounts/./metrics", "/accounts/x/../../metrics",
      "/auth/../metrics", "/webhooks/%2e%2e/metrics", "/auth//metrics", "/accounts/%2e/metrics", "/accounts/.%2e/metrics")) {
      String[] answer = rawGet(GATEWAY, path, "");
      assertTrue(answer[0].contains(" 404 "), path + " -> " + answer[0]);
      assertFalse(answer[1].contains("# HELP"), path + " leaked metrics");
    }
    // The normalisation does not get in the way of the API.
    assertTrue(rawGet(GATEWAY, "/accounts//health/./live", "")[0].contains(" 200 "));
  }

  @Test
  void theStatsPageWantsTheCredentialsOfStackEnv() throws Exception {
    assertTrue(rawGet(7000, "/", "")[0].contains(" 401 "), "stats without credentials");
    String wrong = Base64.getEncoder().encodeToString("admin:wrong".getBytes(StandardCharsets.UTF_8));
    assertTrue(rawGet(7000, "/", "Authorization: Basic " + wrong + "\r\n")[0].contains(" 401 "));
    String right = Base64.getEncoder().encodeToString(("admin:" + TestStack.env("HAPROXY_STATS_PASSWORD"))
      .getBytes(StandardCharsets.UTF_8));
    assertTrue(rawGet(7000, "/;csv", "Authorization: Basic " + right + "\r\n")[0].contains(" 200 "));
  }

  @Test
  void anOverlongRequestLineIsAnswered414InTheErrorShapeThroughTheGateway() throws Exception {
    String[] answer = rawGet(GATEWAY, "/accounts/users/by-identifier?identifier=" + "7".repeat(5000), "");
    assertTrue(answer[0].contains(" 414 "), answer[0]);
    JsonObject body = new JsonObject(answer[1]);
    assertEquals("URI_TOO_LONG", body.getString("error_code"));
    assertEquals(new JsonObject(), body.getJsonObject("details"));
  }

  // ------------------------------------------------------------------------------------------ processes and files

  private static Path state() {
    return TestStack.repoRoot().resolve(".stack");
  }

  private static int pidOf(String component) throws IOException {
    return Integer.parseInt(Files.readString(state().resolve("run").resolve(component + ".pid")).trim());
  }

  private static String uidName(int pid) throws Exception {
    String status = Files.readString(Path.of("/proc", Integer.toString(pid), "status"));
    String uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
    return run("id", "-nu", uid).trim();
  }

  @Test
  void theServicesAndTheGatewayRunUnprivileged() throws Exception {
    for (String svc : List.of("auth", "users", "webhook")) {
      assertEquals("paysvc", uidName(pidOf(svc)), svc);
    }
    assertEquals("haproxy", uidName(pidOf("haproxy")));
    for (String daemon : List.of("redis", "rabbitmq", "etcd", "pg1", "pg2")) {
      assertFalse(uidName(pidOf(daemon)).equals("root"), daemon + " runs as root");
    }
  }

  @Test
  void logsAreReadableByRootAndItsGroupOnly() throws Exception {
    Path logs = state().resolve("logs");
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)));
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
        assertTrue(mode.equals("rw-r-----") || mode.equals("rw-------"), f + " is " + mode);
      }
    }
  }

  @Test
  void noSecretOfStackEnvIsOnAnyCommandLine() throws Exception {
    List<String> secrets = new ArrayList<>();
    for (String line : Files.readAllLines(TestStack.repoRoot().resolve("bin/stack.env"))) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && eq > 0 && line.length() - eq > 12 && !line.startsWith("ADMIN_EMAIL")) {
        secrets.add(line.substring(eq + 1));
      }
    }
    assertTrue(secrets.size() >= 10, "the secrets of bin/stack.env: " + secrets.size());
    // A restart of a service goes through the same path as every start: its start is on the line too.
    TestStack.stack("instance-stop", "webhook", "1");
    TestStack.stack("instance-start", "webhook", "1");
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        String cmdline;
        try {
          cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException gone) {
          continue;
        }
        for (String secret : secrets) {
          assertFalse(cmdline.contains(secret), "pid " + p.getFileName() + " shows a secret on its command line");
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------ broker users

  private static Connection broker(String service) throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    f.setPort(5672);
    f.setUsername(service + "_svc");
    f.setPassword(TestStack.env("RABBITMQ_" + service.toUpperCase() + "_PASSWORD"));
    return f.newConnection("BoundariesIT-" + service);
  }

  /** Publishes with confirms; a refusal closes the channel (ACCESS_REFUSED) and fails the wait. */
  private static void publish(Connection c, String routingKey) throws Exception {
    Channel ch = c.createChannel();
    ch.confirmSelect();
    ch.basicPublish("paysvc.events", routingKey, null, "{\"probe\":\"BoundariesIT\"}".getBytes(StandardCharsets.UTF_8));
    ch.waitForConfirmsOrDie(5_000);
    ch.close();
  }

  private static void refused(String what, Executable action) {
    Exception e = assertThrows(Exception.class, action::run, what + " was allowed");
    String text = String.valueOf(e) + " " + e.getCause();
    assertTrue(text.contains("ACCESS_REFUSED") || text.contains("access to") || text.contains("403"), what + ": " + text);
  }

  @FunctionalInterface
  interface Executable {
    void run() throws Exception;
  }

  @Test
  void eachServicePublishesOnlyItsOwnEventsAndTouchesOnlyItsOwnQueues() throws Exception {
    try (Connection users = broker("users"); Connection webhook = broker("webhook"); Connection auth = broker("auth")) {
      // Its own kind of event goes out (no queue is bound for this key: it is parked like any unrouted event).
      publish(users, "user.boundaries-probe");
      publish(webhook, "payment.boundaries-probe");
      refused("users publishing a payment event", () -> publish(users, "payment.succeeded"));
      refused("webhook publishing a user event", () -> publish(webhook, "user.deactivated"));
      refused("auth publishing a user event", () -> publish(auth, "user.deactivated"));
      refused("users deleting auth's queue", () -> users.createChannel().queueDelete("auth.events"));
      refused("users reading auth's queue", () -> users.createChannel().basicGet("auth.events", false));
      refused("webhook declaring a queue", () -> webhook.createChannel().queueDeclare("webhook.sneaky", true, false, false, null));
      refused("users deleting the events exchange", () -> users.createChannel().exchangeDelete("paysvc.events"));
      refused("auth binding its queue to payment events", () -> auth.createChannel().queueBind("auth.events", "paysvc.events", "payment.#"));
      // What auth needs: its queue, and a binding for the events it consumes.
      Channel ch = auth.createChannel();
      ch.queueDeclarePassive("auth.events");
      ch.queueBind("auth.events", "paysvc.events", "user.deactivated");
      ch.close();
    }
  }

  // ------------------------------------------------------------------------------------------ Redis users

  /** One command through redis-cli as a service's user on the security state's Redis. */
  private static String redis(String service, int db, String... command) throws Exception {
    return redisAt(TestStack.REDIS_STATE_PORT, service, db, command);
  }

  /** One command through redis-cli as a service's user on the Redis at {@code port}; the password through the environment. */
  private static String redisAt(int port, String service, int db, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "--user", service + "_svc",
      "-n", Integer.toString(db)));
    cmd.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("REDISCLI_AUTH", TestStack.env("REDIS_" + service.toUpperCase() + "_PASSWORD"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  @Test
  void eachServiceRedisUserIsHeldToItsKeysAndCommands() throws Exception {
    String probe = "auth:revoked:boundaries-probe";
    assertEquals("OK", redis("auth", 0, "SET", probe, "1", "EX", "60"));
    assertEquals("1", redis("users", 0, "GET", probe), "users reads the deny-list");
    assertEquals("1", redis("webhook", 0, "GET", probe), "webhook reads the deny-list");
    assertTrue(redis("users", 0, "SET", probe, "0").startsWith("NOPERM"), "users may not write the deny-list");
    assertTrue(redis("webhook", 0, "DEL", probe).startsWith("NOPERM"), "webhook may not delete from it");
    assertTrue(redis("users", 0, "PUBLISH", "auth:revocations", "reload").startsWith("NOPERM"), "only auth publishes revocations");
    assertTrue(redis("users", 0, "GET", "auth:login:someone").startsWith("NOPERM"), "users reads nothing else of auth's");
    // The cache lives on its own instance: nobody writes users' keys beside the security state, and only users has a
    // user on the cache's instance.
    assertTrue(redis("users", 1, "SET", "user:boundaries-probe", "y").startsWith("NOPERM"), "users caches beside the security state");
    assertEquals("OK", redisAt(TestStack.REDIS_CACHE_PORT, "users", 1, "SET", "user:boundaries-probe", "y", "EX", "60"));
    assertEquals("1", redisAt(TestStack.REDIS_CACHE_PORT, "users", 1, "DEL", "user:boundaries-probe"));
    assertTrue(redisAt(TestStack.REDIS_CACHE_PORT, "users", 1, "GET", "auth:revoked:x").startsWith("NOPERM"));
    for (String service : List.of("auth", "webhook")) {
      String answer = redisAt(TestStack.REDIS_CACHE_PORT, service, 1, "GET", "user:00000000-0000-0000-0000-000000000000");
      assertTrue(answer.contains("WRONGPASS") || answer.contains("NOAUTH"), service + " reaches the cache: " + answer);
    }
    for (String service : List.of("auth", "users", "webhook")) {
      assertTrue(redis(service, 0, "FLUSHALL").startsWith("NOPERM"), service + " may flush Redis");
      assertTrue(redis(service, 0, "CONFIG", "GET", "aclfile").startsWith("NOPERM"), service + " may read the config");
    }
    assertEquals("1", redis("auth", 0, "DEL", probe));
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    return out;
  }
}
