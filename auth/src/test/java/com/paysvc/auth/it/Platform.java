package com.paysvc.auth.it;

import com.paysvc.auth.AuthDefinition;
import com.paysvc.common.events.Topology;
import com.paysvc.common.launch.ServiceLauncher;
import com.paysvc.testing.AuthCredentials;
import com.paysvc.testing.Http;
import com.paysvc.testing.ServiceProcess;
import com.paysvc.testing.TestStack;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * auth (in this JVM) and users (its own jar, its own process) on fresh databases of the real stack, wired as in
 * production: users verifies tokens with auth's JWKS, auth calls users with its own service token and consumes
 * users' events, on an exchange of this run only (deleted afterwards).
 */
public final class Platform implements AutoCloseable {
  public static final String KID = "it-key";

  /** auth's signing key and the service clients' secrets. */
  public final AuthCredentials credentials = new AuthCredentials(KID, "it-");
  public final String authDatabase;
  public final String usersDatabase;
  private final String exchange;
  private final String authQueue;
  public final ServiceLauncher auth;
  public final ServiceProcess users;
  /** users' environment (a second instance of it shares database, cache and queue). */
  private final Map<String, String> usersEnv;
  /** auth's environment (for running auth's jar with the same settings, e.g. bootstrap-admin). */
  public final Map<String, String> authEnv;

  private Platform(Map<String, String> authOverrides) {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    exchange = "authit." + suffix;
    authQueue = "authit." + suffix + ".auth";
    authDatabase = TestStack.createDatabase("auth_it");
    usersDatabase = TestStack.createDatabase("users_it");
    int usersPort = ServiceProcess.freePort();
    Map<String, String> env = credentials.env("http://127.0.0.1:" + usersPort, exchange, authQueue);
    env.put("EVENTS_RETRY_DELAY_MS", "200");
    env.putAll(authOverrides);
    authEnv = Map.copyOf(TestStack.serviceEnv(authDatabase, env));
    auth = await(ServiceLauncher.startForTest(new AuthDefinition(), authEnv));
    Map<String, String> ue = new HashMap<>(TestStack.serviceEnv(usersDatabase, Map.of()));
    ue.put("JWKS_URL", authUrl() + "/auth/.well-known/jwks.json");
    ue.put("EVENTS_EXCHANGE", exchange);
    ue.put("USERS_CACHE_NAMESPACE", "authit" + suffix + ":");
    ue.put("HTTP_INSTANCES", "1");
    usersEnv = Map.copyOf(ue);
    users = ServiceProcess.start("users", usersPort, usersEnv);
  }

  /** Another users instance on the same database, cache and events (the caller closes it). */
  public ServiceProcess startUsers() {
    return ServiceProcess.start("users", ServiceProcess.freePort(), usersEnv);
  }

  public static Platform start() {
    return start(Map.of());
  }

  public static Platform start(Map<String, String> authOverrides) {
    return new Platform(authOverrides);
  }

  public int authPort() {
    return auth.context().httpPort();
  }

  public String authUrl() {
    return "http://127.0.0.1:" + authPort();
  }

  @Override
  public void close() {
    users.close();
    auth.stop().orTimeout(60, TimeUnit.SECONDS).join();
    Vertx vertx = Vertx.vertx();
    try {
      RabbitMQClient admin = RabbitMQClient.create(vertx, new RabbitMQOptions().setHost("127.0.0.1")
        .setUser(TestStack.env("RABBITMQ_USER")).setPassword(TestStack.env("RABBITMQ_PASSWORD")));
      await(admin.start());
      Topology t = new Topology(exchange, authQueue);
      TestStack.deleteFromBroker(admin, List.of(authQueue, t.retryQueue(), t.deadLetterQueue(), t.unrouted()),
        List.of(exchange, t.deadLetterExchange(), t.unrouted()));
      await(admin.stop().otherwiseEmpty());
    } finally {
      await(vertx.close());
    }
  }

  // ------------------------------------------------------------------------------------------------ tokens

  /** Claims as auth would issue them for {@code sub}, valid 5 minutes. */
  public JsonObject claims(String sub, String... roles) {
    return credentials.claims(sub, List.of(roles));
  }

  /** A token signed with auth's own key (what auth would issue): for admins and for crafted tokens. */
  public String sign(JsonObject claims) {
    return credentials.sign(claims);
  }

  public String admin() {
    return credentials.admin("it-admin-");
  }

  /** A service token from auth's client-credentials grant. */
  public String serviceToken(String clientId, String secret) {
    Http.Response r = Http.send(HttpRequest.newBuilder(URI.create(authUrl() + "/auth/token"))
      .header("Content-Type", "application/x-www-form-urlencoded")
      .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
      .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
    assertEquals(200, r.status(), r.body());
    return r.json().getString("access_token");
  }

  // ------------------------------------------------------------------------------------------------ HTTP

  /** POST JSON to auth from a client IP of its own (each call its own rate-limit buckets). */
  public Http.Response post(String path, JsonObject body) {
    return post(path, body, null, randomIp());
  }

  /** POST JSON to auth; {@code clientIp} travels as X-Forwarded-For (loopback is a trusted proxy by default). */
  public Http.Response post(String path, JsonObject body, String bearer, String clientIp) {
    return send(authPort(), "POST", path, body, bearer, clientIp);
  }

  /** A client-credentials grant with {@code form} as its body, from {@code clientIp} (X-Forwarded-For). */
  public Http.Response grant(String form, String clientIp) {
    return Http.send(HttpRequest.newBuilder(URI.create(authUrl() + "/auth/token"))
      .header("Content-Type", "application/x-www-form-urlencoded")
      .header("X-Forwarded-For", clientIp)
      .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  /** The grant's form for {@code clientId} and {@code secret}. */
  public static String grantForm(String clientId, String secret) {
    return "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
      + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
  }

  public Http.Response authGet(String path, String bearer) {
    return send(authPort(), "GET", path, null, bearer, null);
  }

  public Http.Response usersCall(String method, String path, JsonObject body, String bearer) {
    return send(users.port(), method, path, body, bearer, null);
  }

  public static Http.Response send(int port, String method, String path, JsonObject body, String bearer, String clientIp) {
    HttpRequest.Builder b = HttpRequest.newBuilder(Http.uri(port, path))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (clientIp != null) {
      b.header("X-Forwarded-For", clientIp);
    }
    return Http.send(b);
  }

  /** users' detail of the user an identifier names, as an admin sees it (include_inactive: also deactivated ones). */
  public Http.Response lookup(String identifier, boolean includeInactive) {
    return usersCall("GET", "/accounts/users/by-identifier?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8)
      + (includeInactive ? "&include_inactive=true" : ""), null, admin());
  }

  // ------------------------------------------------------------------------------------------------ people

  /** Identifiers of a fresh person: e-mail, E.164 phone, second_login. */
  public record Person(String email, String phone, String login, String password) {
    public JsonObject registration() {
      return new JsonObject().put("email", email).put("phone", phone).put("second_login", login).put("password", password)
        .put("profile", new JsonObject().put("name", "IT " + login));
    }

    public JsonObject login(String identifier) {
      return new JsonObject().put("identifier", identifier).put("password", password);
    }
  }

  public static Person person() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String tag = UUID.randomUUID().toString().substring(0, 8);
    return new Person("it." + tag + "@example.com", "+7" + (9000000000L + r.nextLong(999_999_999L)), "login_" + tag,
      "pw-" + UUID.randomUUID());
  }

  /** Registers {@code p} and returns its user id. */
  public String register(Person p) {
    Http.Response r = post("/auth/register", p.registration());
    assertEquals(201, r.status(), r.body());
    return r.json().getString("id");
  }

  /** Logs in and returns {access_token, refresh_token, ...}. */
  public JsonObject login(Person p, String identifier) {
    Http.Response r = post("/auth/login", p.login(identifier), null, randomIp());
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** Runs {@code n} calls at the same moment (released together from {@code threads} threads); their answers in order. */
  public static List<Http.Response> concurrently(int n, int threads, java.util.function.IntFunction<Http.Response> call)
    throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    try {
      List<java.util.concurrent.Future<Http.Response>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        calls.add(pool.submit(() -> {
          go.await();
          return call.apply(index);
        }));
      }
      go.countDown();
      List<Http.Response> out = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<Http.Response> f : calls) {
        out.add(f.get(120, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  public static JsonObject claimsOf(String jwt) {
    return part(jwt, 1);
  }

  public static JsonObject part(String jwt, int i) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]), StandardCharsets.UTF_8));
  }

  public static String randomIp() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(1, 255);
  }
}
