package com.paysvc.common.events;

import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceLauncher;
import com.paysvc.testing.Await;
import com.paysvc.testing.TestStack;
import com.rabbitmq.client.AMQP;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.rabbitmq.RabbitMQOptions;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static com.paysvc.testing.Await.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox, relay, topology and bridge against the real RabbitMQ and Postgres of the stack. Each test has its own
 * database(s), exchange and queue, so tests never see each other's messages; the broker objects are deleted after.
 *
 * <p>"Exactly once" is checked without sleeping: after the events under test, a sentinel event is committed on the
 * same queue; once the sentinel was handled, any duplicate published before it would have been handled too.
 */
class EventsIT {
  private static final String TYPE = "evtest.order_created";
  private static final String SENTINEL = "evtest.sentinel";

  private final Map<UUID, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  private final Map<UUID, Event> received = new ConcurrentHashMap<>();
  private final List<Event> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<ServiceLauncher> launchers = new ArrayList<>();
  private String exchange;
  private String queue;
  private Vertx adminVertx;
  private RabbitMQClient admin;

  @BeforeEach
  void setUp() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    exchange = "evtest." + suffix;
    queue = "evtest." + suffix + ".q";
    adminVertx = Vertx.vertx();
    admin = RabbitMQClient.create(adminVertx, new RabbitMQOptions().setHost("127.0.0.1")
      .setUser(TestStack.env("RABBITMQ_USER")).setPassword(TestStack.env("RABBITMQ_PASSWORD")));
    await(admin.start());
  }

  @AfterEach
  void tearDown() {
    for (ServiceLauncher l : launchers) {
      l.stop().orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    Topology t = new Topology(exchange, queue);
    TestStack.deleteFromBroker(admin, List.of(queue, t.retryQueue(), t.deadLetterQueue(), queue + ".tap", t.unrouted()),
      List.of(exchange, t.deadLetterExchange(), t.unrouted()));
    await(admin.stop().otherwiseEmpty());
    await(adminVertx.close());
  }

  @Test
  void committedEventArrivesExactlyOnceWithItsEnvelope() throws Exception {
    ServiceContext ctx = start(TestStack.createDatabase("evtest"), Map.of(), this::countingHandlers);
    assertTrue(eventually(20_000, () -> ctx.events().brokerUp()), "connected and exchange declared");
    // A second queue on the same exchange shows what went over the wire (message id, headers, persistence).
    await(admin.queueDeclare(queue + ".tap", false, false, true).compose(ok -> admin.queueBind(queue + ".tap", exchange, TYPE)));

    UUID orderId = UUID.randomUUID();
    UUID eventId = commitOrder(ctx, orderId, "req-" + orderId);
    assertTrue(eventually(20_000, () -> count(eventId) == 1), "event delivered to the handler");
    awaitSentinel(ctx);
    assertEquals(1, count(eventId), "delivered exactly once");

    Event event = received.get(eventId);
    assertEquals(TYPE, event.type());
    assertEquals("evtest", event.producer());
    assertEquals("req-" + orderId, event.correlationId());
    assertEquals(orderId.toString(), event.data().getString("order_id"));
    assertNotNull(event.occurredAt());

    RabbitMQMessage wire = await(admin.basicGet(queue + ".tap", true));
    assertNotNull(wire, "the tap queue got the event");
    assertEquals(eventId.toString(), wire.properties().getMessageId());
    assertEquals(TYPE, wire.envelope().getRoutingKey());
    assertEquals(2, wire.properties().getDeliveryMode(), "persistent");
    assertEquals("application/json", wire.properties().getContentType());
    assertEquals("req-" + orderId, String.valueOf(wire.properties().getHeaders().get("x-request-id")));
    assertEquals(eventId.toString(), new JsonObject(wire.body()).getString("event_id"));
  }

  @Test
  void rolledBackTransactionPublishesNothing() throws Exception {
    ServiceContext ctx = start(TestStack.createDatabase("evtest"), Map.of(), this::countingHandlers);
    AtomicReference<UUID> appended = new AtomicReference<>();
    UUID orderId = UUID.randomUUID();
    Future<UUID> tx = ctx.db().tx(conn -> createOrder(conn, orderId)
      .compose(v -> ctx.outbox().append(conn, TYPE, orderId.toString(), new JsonObject().put("order_id", orderId.toString()), null))
      .compose(id -> {
        appended.set(id);
        return Future.failedFuture(new IllegalStateException("business rule says no"));
      }));
    assertTrue(awaitFailure(tx) instanceof IllegalStateException);
    ctx.outbox().wake();
    assertNotNull(appended.get(), "the event had been appended inside the transaction");

    awaitSentinel(ctx);
    assertFalse(deliveries.containsKey(appended.get()), "the rolled-back event was never published");
    assertEquals(0, queryInt(ctx, "SELECT count(*) FROM evtest.orders"), "the business row was rolled back too");
  }

  @Test
  void eventsCommittedWhileTheBrokerIsDownAllArriveOnceItIsBack() throws Exception {
    ServiceContext ctx = start(TestStack.createDatabase("evtest"), Map.of(), this::countingHandlers);
    assertTrue(eventually(20_000, () -> ctx.events().brokerUp()), "connected first");
    await(admin.stop());
    boolean stopped = false;
    try {
      TestStack.stack("rabbitmq-stop");
      stopped = true;
      assertTrue(eventually(20_000, () -> !ctx.events().brokerUp()), "the service notices the outage");
      assertTrue(awaitFailure(ctx.events().probe()) instanceof IllegalStateException, "readiness reports rabbitmq down");

      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        ids.add(commitOrder(ctx, UUID.randomUUID(), "req-" + i));   // business writes keep working
      }
      assertEquals(100, queryInt(ctx, "SELECT count(*) FROM events.outbox WHERE sent_at IS NULL"), "all 100 wait in the outbox");

      TestStack.stack("rabbitmq-start");
      stopped = false;
      assertTrue(eventually(90_000, () -> ids.stream().allMatch(id -> count(id) >= 1)),
        "all 100 delivered after the broker came back: " + ids.stream().filter(id -> count(id) >= 1).count());
      awaitSentinel(ctx);
      for (UUID id : ids) {
        assertEquals(1, count(id), "event " + id + " delivered once");
      }
    } finally {
      if (stopped) {
        TestStack.stack("rabbitmq-start");
      }
      await(admin.start().otherwiseEmpty());
    }
  }

  @Test
  void eventsOfOneAggregateArriveInTheOrderTheyWereCommitted() throws Exception {
    // Small batches: the order must also hold across batch boundaries.
    ServiceContext ctx = start(TestStack.createDatabase("evtest"), Map.of("EVENTS_BATCH_SIZE", "7"), this::countingHandlers);
    assertTrue(eventually(20_000, () -> ctx.events().brokerUp()), "connected first");
    int n = 30;
    for (int i = 0; i < n; i++) {
      for (String aggregate : List.of("order-a", "order-b")) {
        int seq = i;
        await(ctx.db().tx(conn -> ctx.outbox().append(conn, TYPE, aggregate,
          new JsonObject().put("aggregate", aggregate).put("seq", seq), null)));
      }
      if (i % 4 == 0) {
        ctx.outbox().wake();
      }
    }
    ctx.outbox().wake();
    awaitSentinel(ctx);
    for (String aggregate : List.of("order-a", "order-b")) {
      List<Integer> seen = arrivals.stream().filter(e -> aggregate.equals(e.data().getString("aggregate")))
        .map(e -> e.data().getInteger("seq")).toList();
      assertEquals(java.util.stream.IntStream.range(0, n).boxed().toList(), seen, aggregate);
    }
  }

  @Test
  void sentRowsArePrunedOnceOlderThanTheRetention() throws Exception {
    String database = TestStack.createDatabase("evtest");
    ServiceContext ctx = start(database, Map.of(), this::countingHandlers);
    assertTrue(eventually(20_000, () -> ctx.events().brokerUp()), "connected first");
    UUID old1 = commitOrder(ctx, UUID.randomUUID(), "p1");
    UUID old2 = commitOrder(ctx, UUID.randomUUID(), "p2");
    UUID recent = commitOrder(ctx, UUID.randomUUID(), "p3");
    awaitSentinel(ctx);
    assertTrue(sentEventIds(database).containsAll(List.of(old1, old2, recent)));
    try (Connection c = TestStack.superuser(database); Statement s = c.createStatement()) {
      s.execute("UPDATE events.outbox SET sent_at = now() - interval '2 hours' WHERE event_id IN ('" + old1 + "', '" + old2 + "')");
      // What the relay runs every minute, with a one-hour retention.
      try (ResultSet rs = s.executeQuery("SELECT events.outbox_prune_v1(3600000, 1000)")) {
        rs.next();
        assertEquals(2, rs.getInt(1));
      }
    }
    Set<UUID> left = sentEventIds(database);
    assertTrue(left.contains(recent) && !left.contains(old1) && !left.contains(old2), left.toString());
  }

  @Test
  void anEventNoQueueIsBoundForIsParkedNotDropped() throws Exception {
    // The platform's policy, as bin/stack set it from rabbitmq/policies/paysvc-unrouted.json, applied here to this test's
    // own exchange.
    JsonObject platform = new JsonObject(rabbitApi("GET", "/api/policies/%2F/paysvc-unrouted", null));
    assertEquals("paysvc.events.unrouted", platform.getJsonObject("definition").getString("alternate-exchange"));
    JsonObject policy = new JsonObject(Files.readString(TestStack.repoRoot().resolve("rabbitmq/policies/paysvc-unrouted.json")));
    Topology t = new Topology(exchange, queue);
    policy.put("pattern", "^" + exchange.replace(".", "\\.") + "$").put("definition", new JsonObject().put("alternate-exchange", t.unrouted()));
    rabbitApi("PUT", "/api/policies/%2F/" + exchange, policy.encode());
    try {
      ServiceContext ctx = start(TestStack.createDatabase("evtest"), Map.of(), this::countingHandlers);
      assertTrue(eventually(20_000, () -> ctx.events().brokerUp()), "connected first");
      UUID id = await(ctx.db().tx(conn -> ctx.outbox().append(conn, "evtest.nobody_consumes", "x", new JsonObject(), null)));
      ctx.outbox().wake();
      assertTrue(eventually(20_000, () -> await(admin.messageCount(t.unrouted())) == 1L), "parked");
      RabbitMQMessage parked = await(admin.basicGet(t.unrouted(), true));
      assertEquals(id.toString(), parked.properties().getMessageId());
      assertTrue(sentEventIds(ctx.config().get(ctx.settings().pgDatabase)).contains(id), "confirmed, so marked sent");
    } finally {
      rabbitApi("DELETE", "/api/policies/%2F/" + exchange, null);
    }
  }

  /** The management HTTP API (port 15672) as the stack's administrator. */
  private static String rabbitApi(String method, String path, String body) throws Exception {
    String credentials = TestStack.env("RABBITMQ_USER") + ":" + TestStack.env("RABBITMQ_PASSWORD");
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:15672" + path))
      .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
      .header("Content-Type", "application/json")
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    // HTTP/1.1: the JDK client would otherwise offer an h2c upgrade, which the management API drops on a PUT.
    HttpResponse<String> resp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(req.build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(resp.statusCode() / 100 == 2, method + " " + path + " -> " + resp.statusCode() + " " + resp.body());
    return resp.body();
  }

  @Test
  void brokerObjectsDeletedUnderARunningServiceAreDeclaredAgain() throws Exception {
    ServiceContext ctx = start(TestStack.createDatabase("evtest"), Map.of(), this::countingHandlers);
    assertTrue(eventually(20_000, () -> ctx.events().brokerUp()), "connected first");
    awaitSentinel(ctx);
    // What a broker reset or an operator's clean-up does: exchange, queues and bindings gone, connections still up.
    // The consumer is cancelled by the broker (its queue went), the publisher's next publish hits a missing exchange.
    Topology t = new Topology(exchange, queue);
    await(admin.exchangeDelete(exchange));
    for (String q : List.of(queue, t.retryQueue(), t.deadLetterQueue())) {
      await(admin.queueDelete(q));
    }
    UUID id = commitOrder(ctx, UUID.randomUUID(), "after-reset");
    assertTrue(eventually(30_000, () -> count(id) == 1), "an event committed after the deletion arrives");
    assertEquals(0L, (long) await(admin.messageCount(queue)), "the queue exists again (and is drained)");
    awaitSentinel(ctx);
    assertEquals(1, count(id));
  }

  @Test
  void theSameEventDeliveredTwiceChangesStateOnce() throws Exception {
    AtomicReference<Events> eventsRef = new AtomicReference<>();
    ServiceContext ctx = start(TestStack.createDatabase("evtest"), Map.of(), events -> {
      eventsRef.set(events);
      EventHandler apply = events.idempotent((conn, e) ->
        conn.preparedQuery("SELECT evtest.effect_apply_v1($1)").execute(Tuple.of(e.id())));
      events.on(TYPE, e -> {
        record(e);
        return apply.handle(e);
      });
      events.on(SENTINEL, e -> {
        record(e);
        return Future.succeededFuture();
      });
    });
    assertTrue(eventually(20_000, () -> ctx.events().brokerUp()));
    Event event = new Event(UUID.randomUUID(), TYPE, Instant.now(), "someone", "req-dup", new JsonObject().put("x", 1));
    AMQP.BasicProperties props = OutboxRelay.properties(event);
    Buffer body = Buffer.buffer(event.toJson().encode());
    // The same message twice, as the broker does after a lost ack or a republished unconfirmed batch.
    await(admin.basicPublish(exchange, TYPE, props, body).compose(v -> admin.basicPublish(exchange, TYPE, props, body)));

    assertTrue(eventually(20_000, () -> count(event.id()) == 2), "both copies reached the handler");
    // A copy is recorded when it reaches the handler, before its transaction commits: wait until both are settled.
    assertTrue(eventually(20_000, () -> await(admin.messageCount(queue)) == 0
      && queryInt(ctx, "SELECT count(*) FROM events.inbox WHERE event_id = '" + event.id() + "'") == 1));
    awaitSentinel(ctx);
    assertEquals(1, queryInt(ctx, "SELECT applied FROM evtest.effects WHERE event_id = '" + event.id() + "'"),
      "the state changed once");
    assertEquals(1, queryInt(ctx, "SELECT count(*) FROM events.inbox WHERE event_id = '" + event.id() + "'"));
    assertEquals(0L, (long) await(admin.messageCount(queue)), "the duplicate was settled, not requeued");
  }

  @Test
  void aHandlerThatAlwaysFailsEndsInTheDeadLetterQueueAfterMaxAttempts() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    ServiceContext ctx = start(TestStack.createDatabase("evtest"),
      Map.of("EVENTS_MAX_ATTEMPTS", "3", "EVENTS_RETRY_DELAY_MS", "100"),
      events -> events.on(TYPE, e -> {
        attempts.incrementAndGet();
        return Future.failedFuture(new IllegalStateException("poison"));
      }));
    assertTrue(eventually(20_000, () -> ctx.events().brokerUp()));
    UUID eventId = commitOrder(ctx, UUID.randomUUID(), "req-poison");
    String dlq = ctx.events().topology().deadLetterQueue();

    assertTrue(eventually(30_000, () -> await(admin.messageCount(dlq)) == 1), "dead-lettered");
    assertEquals(3, attempts.get(), "handled exactly EVENTS_MAX_ATTEMPTS times");
    RabbitMQMessage dead = await(admin.basicGet(dlq, true));
    assertEquals(eventId.toString(), dead.properties().getMessageId());
    assertEquals(0L, (long) await(admin.messageCount(queue)));
    assertEquals(0L, (long) await(admin.messageCount(ctx.events().topology().retryQueue())));
    assertEquals(1.0, ctx.registry().get("paysvc_events_dead_lettered").counter().count());
    assertEquals(2.0, ctx.registry().get("paysvc_events_redeliveries").counter().count());
  }

  @Test
  void aRelayKilledMidBatchLosesNothingAndDuplicatesOnlyUnconfirmedEvents() throws Exception {
    // Consumer: its own database and inbox, alive for the whole test.
    ServiceContext consumer = start(TestStack.createDatabase("evtest"), Map.of(), events -> {
      EventHandler apply = events.idempotent((conn, e) ->
        conn.preparedQuery("SELECT evtest.effect_apply_v1($1)").execute(Tuple.of(e.id())));
      events.on(TYPE, e -> {
        record(e);
        return apply.handle(e);
      });
    });
    assertTrue(eventually(20_000, () -> consumer.events().brokerUp()));
    int total = 1000;   // 100 batches: the crash lands while the relay is still busy
    // Producer A: small batches, a short lease so that its successor B takes over quickly after the crash.
    String producerDb = TestStack.createDatabase("evtest");
    Map<String, String> producerEnv = Map.of("EVENTS_BATCH_SIZE", "10", "EVENTS_RELAY_LEASE_MS", "1500");
    ServiceLauncher a = launch(producerDb, producerEnv, events -> { });
    ServiceContext producerA = a.context();

    List<UUID> ids = await(producerA.db().tx(conn -> appendMany(producerA, conn, total)));
    producerA.outbox().wake();
    assertTrue(eventually(30_000, () -> deliveries.size() >= 20), "the relay is publishing");
    // The crash: Vert.x goes away with whatever batch is in flight, no flush, no lease release.
    launchers.remove(a);
    await(producerA.vertx().close());
    Set<UUID> sentAtCrash = sentEventIds(producerDb);
    assertTrue(sentAtCrash.size() < total, "killed before the outbox was drained (" + sentAtCrash.size() + " sent)");

    ServiceContext producerB = start(producerDb, producerEnv, events -> { });
    assertTrue(eventually(60_000, () -> queryInt(consumer, "SELECT count(*) FROM evtest.effects") == total),
      "every event applied after the restart");
    assertEquals(0, queryInt(consumer, "SELECT count(*) FROM evtest.effects WHERE applied <> 1"), "each applied once");
    assertTrue(eventually(20_000,
      () -> queryInt(producerB, "SELECT count(*) FROM events.outbox WHERE sent_at IS NULL") == 0), "outbox drained");
    int duplicated = 0;
    for (UUID id : ids) {
      assertTrue(count(id) >= 1, "event " + id + " delivered");
      if (count(id) > 1) {
        duplicated++;
        assertFalse(sentAtCrash.contains(id), "event " + id + " was confirmed and marked sent, yet published again");
      }
    }
    // Only the one batch in flight at the crash can have been published without being marked sent.
    assertTrue(duplicated <= 10, duplicated + " events delivered twice: more than one batch");
  }

  // --- helpers ---

  private void countingHandlers(Events events) {
    events.on(TYPE, e -> {
      record(e);
      return Future.succeededFuture();
    });
    events.on(SENTINEL, e -> {
      record(e);
      return Future.succeededFuture();
    });
  }

  private void record(Event e) {
    arrivals.add(e);
    received.put(e.id(), e);
    deliveries.computeIfAbsent(e.id(), k -> new AtomicInteger()).incrementAndGet();
  }

  private int count(UUID id) {
    AtomicInteger n = deliveries.get(id);
    return n == null ? 0 : n.get();
  }

  private ServiceContext start(String database, Map<String, String> extra, Consumer<Events> handlers) {
    return launch(database, extra, handlers).context();
  }

  private ServiceLauncher launch(String database, Map<String, String> extra, Consumer<Events> handlers) {
    Map<String, String> overrides = new HashMap<>(Map.of(
      "EVENTS_EXCHANGE", exchange,
      "EVENTS_QUEUE", queue,
      "EVENTS_SWEEP_MS", "500",
      "RABBITMQ_RECONNECT_MS", "300"));
    overrides.putAll(extra);
    ServiceLauncher launcher = await(ServiceLauncher.startForTest(new EventTestService(handlers),
      TestStack.serviceEnv(database, overrides)));
    launchers.add(launcher);
    return launcher;
  }

  private static Future<Void> createOrder(io.vertx.sqlclient.SqlConnection conn, UUID orderId) {
    return conn.preparedQuery("SELECT evtest.order_create_v1($1)").execute(Tuple.of(orderId)).mapEmpty();
  }

  /** A business row and its event in one transaction, then the relay is woken. */
  private static UUID commitOrder(ServiceContext ctx, UUID orderId, String requestId) {
    UUID id = await(ctx.db().tx(conn -> createOrder(conn, orderId)
      .compose(v -> ctx.outbox().append(conn, TYPE, orderId.toString(),
        new JsonObject().put("order_id", orderId.toString()), requestId))));
    ctx.outbox().wake();
    return id;
  }

  private static Future<List<UUID>> appendMany(ServiceContext ctx, io.vertx.sqlclient.SqlConnection conn, int n) {
    List<UUID> ids = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < n; i++) {
      String aggregate = "order-" + i;
      chain = chain.compose(v -> ctx.outbox().append(conn, TYPE, aggregate, new JsonObject().put("n", aggregate), null)
        .map(id -> {
          ids.add(id);
          return null;
        }));
    }
    return chain.map(v -> ids);
  }

  /** Commits a sentinel and waits until it was handled: everything queued before it has been handled by then. */
  private void awaitSentinel(ServiceContext ctx) throws InterruptedException {
    UUID id = await(ctx.db().tx(conn -> ctx.outbox().append(conn, SENTINEL, "sentinel", new JsonObject(), null)));
    ctx.outbox().wake();
    assertTrue(eventually(30_000, () -> count(id) == 1), "sentinel handled");
  }

  private static int queryInt(ServiceContext ctx, String sql) {
    try (Connection c = TestStack.superuser(ctx.config().get(ctx.settings().pgDatabase));
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getInt(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<UUID> sentEventIds(String database) {
    try (Connection c = TestStack.superuser(database); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT event_id FROM events.outbox WHERE sent_at IS NOT NULL")) {
      Set<UUID> ids = new HashSet<>();
      while (rs.next()) {
        ids.add(rs.getObject(1, UUID.class));
      }
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Broker and relay round trips on a busy machine: twice the usual bound. */
  static <T> T await(Future<T> future) {
    return Await.await(future, 120);
  }

  static Throwable awaitFailure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}
