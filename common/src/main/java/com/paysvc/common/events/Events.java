package com.paysvc.common.events;

import com.paysvc.common.config.CommonSettings;
import com.paysvc.common.config.Config;
import com.paysvc.common.db.Db;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A service's events: the {@link Outbox} it writes to, the handlers it registers (one line per event type, in
 * {@code ServiceDefinition.init}), and the machinery behind them - the supervised broker connections (one
 * publishing, one consuming), the outbox relay and the bridge from its queue to the event bus.
 *
 * <pre>{@code
 * ctx.events().onIdempotent("user.deactivated", (conn, event) -> revokeSessions(conn, event.data()));
 * }</pre>
 */
public final class Events {
  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final Vertx vertx;
  private final Db db;
  private final Topology topology;
  private final EventMetrics metrics;
  private final PgOutbox outbox;
  // Two connections, as RabbitMQ advises: a broker under a memory or disk alarm blocks publishing connections, and a
  // consumer sharing one would stop draining the very queues that could relieve it. Separate channels also keep the
  // bridge's confirm waits (retry copies) from waiting on the relay's batches.
  private final Broker publisher;
  private final Broker consumer;
  private final OutboxRelay relay;
  private final EventBridge bridge;
  private final int prefetch;
  private final int retryDelayMs;
  private final Map<String, EventHandler> handlers = new LinkedHashMap<>();
  private final List<MessageConsumer<JsonObject>> busConsumers = new ArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private boolean started;

  private Events(Vertx vertx, String service, Config config, EventSettings settings, Db db, MeterRegistry registry) {
    this.vertx = vertx;
    this.db = db;
    this.topology = new Topology(config.get(EventSettings.EXCHANGE), config.get(settings.queue),
      config.get(EventSettings.DECLARE_SHARED));
    this.metrics = new EventMetrics(registry);
    this.outbox = new PgOutbox(vertx, service);
    this.prefetch = config.get(EventSettings.PREFETCH);
    this.retryDelayMs = config.get(EventSettings.RETRY_DELAY_MS);
    int confirmTimeoutMs = config.get(EventSettings.CONFIRM_TIMEOUT_MS);
    RabbitMQOptions options = new RabbitMQOptions()
      .setHost(config.get(CommonSettings.RABBITMQ_HOST))
      .setPort(config.get(CommonSettings.RABBITMQ_PORT))
      .setUser(config.get(CommonSettings.RABBITMQ_USER))
      .setPassword(config.get(CommonSettings.RABBITMQ_PASSWORD))
      .setVirtualHost(config.get(CommonSettings.RABBITMQ_VHOST))
      .setConnectionName(service + "-publish")
      .setConnectionTimeout(5000)
      .setRequestedHeartbeat(10);
    int reconnectMs = config.get(EventSettings.RECONNECT_MS);
    this.publisher = new Broker(options, reconnectMs);
    this.consumer = new Broker(new RabbitMQOptions(options).setConnectionName(service + "-consume"), reconnectMs);
    // The lease owner is this process: a restarted relay in the same process resumes at once, a new process takes
    // over when the lease expires (or at once after a graceful stop released it).
    String owner = service + "-" + UUID.randomUUID();
    this.relay = new OutboxRelay(db, publisher, topology.exchange(), owner, config.get(EventSettings.BATCH_SIZE),
      config.get(EventSettings.RELAY_LEASE_MS), confirmTimeoutMs, config.get(EventSettings.SWEEP_MS),
      TimeUnit.HOURS.toMillis(config.get(EventSettings.RETENTION_HOURS)),
      TimeUnit.HOURS.toMillis(config.get(EventSettings.INBOX_RETENTION_HOURS)), metrics);
    this.bridge = new EventBridge(consumer, topology, config.get(EventSettings.MAX_ATTEMPTS),
      config.get(EventSettings.HANDLER_TIMEOUT_MS), confirmTimeoutMs, retryDelayMs, metrics);
  }

  public static Events create(Vertx vertx, String service, Config config, EventSettings settings, Db db,
                              MeterRegistry registry) {
    return new Events(vertx, service, config, settings, db, registry);
  }

  public Outbox outbox() {
    return outbox;
  }

  public Topology topology() {
    return topology;
  }

  /**
   * Handles every event of {@code eventType} (at least once: make the handler idempotent, or use
   * {@link #onIdempotent}). Register before the service starts (in {@code init}): the queue bindings are declared
   * from these registrations.
   */
  public synchronized Events on(String eventType, EventHandler handler) {
    if (started) {
      throw new IllegalStateException("register event handlers in ServiceDefinition.init, before events start");
    }
    if (handlers.putIfAbsent(eventType, handler) != null) {
      throw new IllegalStateException("a handler for " + eventType + " is already registered");
    }
    return this;
  }

  /** Like {@link #on}, but runs the handler in a transaction that also records the event id: exactly-once effect. */
  public Events onIdempotent(String eventType, TxEventHandler handler) {
    return on(eventType, idempotent(handler));
  }

  /**
   * Wraps {@code handler} into a transaction on the primary that first records the event id in {@code events.inbox};
   * a duplicate delivery finds it there, skips the handler and succeeds (so it is acked and dropped).
   */
  public EventHandler idempotent(TxEventHandler handler) {
    return event -> db.tx(conn -> OutboxStore.recordProcessed(conn, event)
      .compose(first -> first ? handler.handle(conn, event).mapEmpty() : Future.<Void>succeededFuture()));
  }

  /** Both connections (the consuming one only when this service handles events) are up, topology declared. */
  public boolean brokerUp() {
    return publisher.isUp() && (handlers.isEmpty() || consumer.isUp());
  }

  /** The {@code rabbitmq} readiness probe. */
  public Future<Void> probe() {
    return handlers.isEmpty() ? publisher.probe() : publisher.probe().compose(v -> consumer.probe());
  }

  /** Starts handlers, the broker connection (in the background: a broker that is down does not fail this), relay and bridge. */
  public synchronized Future<Void> start() {
    started = true;
    handlers.forEach((type, handler) ->
      busConsumers.add(vertx.eventBus().<JsonObject>localConsumer(type, msg -> dispatch(handler, msg))));
    // Each connection declares the whole topology: this service's queue exists before its first publish, whichever
    // connection comes up first.
    publisher.onConnected(client -> client.confirmSelect());
    publisher.onConnected(client -> topology.declare(client, handlers.keySet(), retryDelayMs));
    // Whatever piled up while the broker was away is published as soon as it is back.
    publisher.onUp(outbox::wake);
    consumer.onConnected(client -> client.basicQos(prefetch));
    // Retry copies are published with confirms on the consuming channel.
    consumer.onConnected(client -> client.confirmSelect());
    consumer.onConnected(client -> topology.declare(client, handlers.keySet(), retryDelayMs));
    consumer.onConnected(bridge::consume);
    Future<Void> consumersReady = Future.all(busConsumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    // The connections last: the first may deliver at once, and the bridge must be running by then.
    return consumersReady
      .compose(v -> handlers.isEmpty() ? Future.succeededFuture() : deploy(bridge))
      .compose(v -> deploy(relay))
      .compose(v -> deploy(publisher))
      .compose(v -> handlers.isEmpty() ? Future.succeededFuture() : deploy(consumer))
      .onSuccess(v -> log.info("events: exchange {}, queue {} for {}", topology.exchange(),
        handlers.isEmpty() ? "(none)" : topology.queue(), handlers.keySet()));
  }

  /** First step of shutdown: no new deliveries are taken from the queue. */
  public Future<Void> stopConsuming() {
    return bridge.stopConsuming();
  }

  /** Last step: publish what the outbox still holds (while the broker is up), then close relay, bridge and connection. */
  public Future<Void> close() {
    Future<Void> flushed = deployments.isEmpty() ? Future.succeededFuture() : relay.flush();
    return flushed.transform(ar -> {
      Future<Void> chain = Future.succeededFuture();
      for (int i = deployments.size() - 1; i >= 0; i--) {
        String id = deployments.get(i);
        chain = chain.transform(x -> vertx.undeploy(id).otherwiseEmpty());
      }
      return chain;
    }).transform(ar -> Future.all(busConsumers.stream().map(MessageConsumer::unregister).toList()).<Void>mapEmpty()
      .otherwiseEmpty());
  }

  private Future<Void> deploy(io.vertx.core.VerticleBase verticle) {
    return vertx.deployVerticle(verticle).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  private static void dispatch(EventHandler handler, Message<JsonObject> msg) {
    Future<?> result;
    try {
      result = handler.handle(Event.fromJson(msg.body()));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        msg.reply(null);
      } else {
        msg.fail(500, String.valueOf(ar.cause()));
      }
    });
  }
}
