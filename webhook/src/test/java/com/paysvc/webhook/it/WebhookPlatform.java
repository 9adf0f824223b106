package com.paysvc.webhook.it;

import com.paysvc.common.events.Topology;
import com.paysvc.common.launch.ServiceLauncher;
import com.paysvc.testing.AuthCredentials;
import com.paysvc.testing.Http;
import com.paysvc.testing.ServiceProcess;
import com.paysvc.testing.TcpProxy;
import com.paysvc.testing.TestKeys;
import com.paysvc.testing.TestStack;
import com.paysvc.webhook.WebhookDefinition;
import com.paysvc.webhook.service.Signatures;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * webhook (in this JVM) with auth and users from their jars, each on a fresh database of the real stack, wired as in
 * production: webhook gets its token from auth's grant and looks payers up in users; admins' tokens are signed with
 * auth's key. Events go to an exchange of this run only; a tap queue collects every {@code payment.*} event.
 */
public final class WebhookPlatform implements AutoCloseable {
  public static final String KID = "wh-it-key";
  public final String secret = secret();
  public final String previousSecret = secret();
  /** auth's signing key and the service clients' secrets. */
  private final AuthCredentials credentials = new AuthCredentials(KID, "whit-");
  private final String exchange;
  private final String suffix;
  public final String webhookDatabase;
  public final String usersDatabase;
  private final int usersPort;
  private final Map<String, String> usersEnv;
  private final int authPort;
  private final Map<String, String> authEnv;
  public ServiceProcess auth;
  public ServiceProcess users;
  /** webhook reaches users and auth through these: a test can make them hang. */
  public final TcpProxy usersProxy;
  public final TcpProxy authProxy;
  public final ServiceLauncher webhook;
  private final Vertx vertx = Vertx.vertx();
  private final RabbitMQClient rabbit;
  private final String tap;
  /** Every payment.* event published during the run, as received. */
  public final List<JsonObject> events = new CopyOnWriteArrayList<>();

  private WebhookPlatform(Map<String, String> webhookOverrides) {
    suffix = UUID.randomUUID().toString().substring(0, 8);
    exchange = "whit." + suffix;
    tap = "whit." + suffix + ".tap";
    String authDatabase = TestStack.createDatabase("auth_whit");
    usersDatabase = TestStack.createDatabase("users_whit");
    webhookDatabase = TestStack.createDatabase("webhook_it");
    authPort = ServiceProcess.freePort();
    usersPort = ServiceProcess.freePort();

    authEnv = new HashMap<>(TestStack.serviceEnv(authDatabase, Map.of()));
    authEnv.putAll(credentials.env("http://127.0.0.1:" + usersPort, exchange, "whit." + suffix + ".auth"));
    auth = ServiceProcess.start("auth", authPort, authEnv);

    usersEnv = new HashMap<>(TestStack.serviceEnv(usersDatabase, Map.of()));
    usersEnv.put("JWKS_URL", auth.baseUrl() + "/auth/.well-known/jwks.json");
    usersEnv.put("EVENTS_EXCHANGE", exchange);
    usersEnv.put("USERS_CACHE_NAMESPACE", "whit" + suffix + ":");
    users = ServiceProcess.start("users", usersPort, usersEnv);

    Map<String, String> env = new HashMap<>();
    env.put("WEBHOOK_HMAC_SECRET", secret);
    env.put("WEBHOOK_HMAC_PREVIOUS_SECRET", previousSecret);
    env.put("SERVICE_CLIENT_SECRET", credentials.webhookSecret);
    usersProxy = new TcpProxy(usersPort);
    authProxy = new TcpProxy(authPort);
    env.put("AUTH_URL", "http://127.0.0.1:" + authProxy.port());
    env.put("USERS_URL", "http://127.0.0.1:" + usersProxy.port());
    env.put("JWKS_URL", auth.baseUrl() + "/auth/.well-known/jwks.json");
    env.put("EVENTS_EXCHANGE", exchange);
    env.put("RESOLVER_INTERVAL_MS", "200");
    env.put("RESOLVER_MAX_DELAY_SECONDS", "1");
    env.putAll(webhookOverrides);
    webhook = await(ServiceLauncher.startForTest(new WebhookDefinition(), TestStack.serviceEnv(webhookDatabase, env)));

    rabbit = RabbitMQClient.create(vertx, new RabbitMQOptions().setHost("127.0.0.1")
      .setUser(TestStack.env("RABBITMQ_USER")).setPassword(TestStack.env("RABBITMQ_PASSWORD")));
    await(rabbit.start()
      .compose(v -> rabbit.exchangeDeclare(exchange, "topic", true, false))
      .compose(v -> rabbit.queueDeclare(tap, false, true, true))
      .compose(ok -> rabbit.queueBind(tap, exchange, "payment.#"))
      .compose(v -> rabbit.basicConsumer(tap, new QueueOptions().setAutoAck(true)))
      .map(consumer -> consumer.handler(m -> events.add(new JsonObject(m.body())))));
  }

  public static WebhookPlatform start(Map<String, String> webhookOverrides) {
    return new WebhookPlatform(webhookOverrides);
  }

  public int port() {
    return webhook.context().httpPort();
  }

  /** Stops users (its jar process): payer look-ups fail until {@link #startUsers()}. */
  public void stopUsers() {
    users.close();
  }

  public void startUsers() {
    users = ServiceProcess.start("users", usersPort, usersEnv);
  }

  /** Stops auth: webhook cannot get (or renew) its token until {@link #startAuth()}. */
  public void stopAuth() {
    auth.close();
  }

  public void startAuth() {
    auth = ServiceProcess.start("auth", authPort, authEnv);
  }

  @Override
  public void close() {
    try {
      webhook.stop().orTimeout(60, TimeUnit.SECONDS).join();
    } finally {
      users.close();
      auth.close();
      usersProxy.close();
      authProxy.close();
      Topology t = new Topology(exchange, "whit." + suffix + ".auth");
      TestStack.deleteFromBroker(rabbit, List.of(t.queue(), t.retryQueue(), t.deadLetterQueue(), t.unrouted()),
        List.of(exchange, t.deadLetterExchange(), t.unrouted()));
      await(rabbit.stop().otherwiseEmpty());
      await(vertx.close());
    }
  }

  // ------------------------------------------------------------------------------------------------ notifications

  /** A notification body as 2can sends it. */
  public static JsonObject notification(String transactionId, String status, Instant occurredAt) {
    return new JsonObject().put("event_id", "evt-" + UUID.randomUUID()).put("transaction_id", transactionId)
      .put("status", status).put("amount", 125_000).put("currency", "RUB").put("order_id", "order-" + transactionId)
      .put("occurred_at", occurredAt.toString());
  }

  /** Posts {@code body} signed with the current secret at the current time. */
  public Http.Response post(JsonObject body) {
    return post(body.encode().getBytes(StandardCharsets.UTF_8), secret, Long.toString(Instant.now().getEpochSecond()));
  }

  public Http.Response post(byte[] body, String signingSecret, String timestamp) {
    return send(body, timestamp, Signatures.sign(signingSecret, timestamp, body));
  }

  /** Raw: any headers (null: left out). */
  public Http.Response send(byte[] body, String timestamp, String signature) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/webhooks/2can"))
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (timestamp != null) {
      b.header("X-Timestamp", timestamp);
    }
    if (signature != null) {
      b.header("X-Signature", signature);
    }
    return Http.send(b);
  }

  // ------------------------------------------------------------------------------------------------ admins and users

  public String admin() {
    return credentials.admin("wh-admin-");
  }

  /** A token as auth issues it, signed with auth's key. */
  public String token(String sub, JsonArray roles) {
    return credentials.sign(credentials.claims(sub, roles.stream().map(String::valueOf).toList()));
  }

  public Http.Response get(String path, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return Http.send(b);
  }

  public Http.Response postAdmin(String path, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
      .POST(HttpRequest.BodyPublishers.noBody());
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return Http.send(b);
  }

  /** A user in users with {@code phone}; returns its id. */
  public String userWithPhone(String phone) {
    Http.Response r = Http.send(HttpRequest.newBuilder(URI.create(users.baseUrl() + "/accounts/users"))
      .header("Authorization", "Bearer " + admin()).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("contacts", new JsonArray()
        .add(new JsonObject().put("type", "phone").put("value", phone))).encode())));
    assertEquals(201, r.status(), r.body());
    return r.json().getString("id");
  }

  /** The events of one transaction, in the order they arrived. */
  public List<JsonObject> eventsOf(String transactionId) {
    return events.stream().filter(e -> transactionId.equals(e.getJsonObject("data").getString("transaction_id"))).toList();
  }

  /** A count from webhook's database. */
  public long count(String sql) {
    return TestStack.count(webhookDatabase, sql);
  }

  public static String phone() {
    return "+7" + (9000000000L + java.util.concurrent.ThreadLocalRandom.current().nextLong(999_999_999L));
  }

  static String secret() {
    return TestKeys.secret("whit-");
  }
}
