package com.paysvc.common.events;

import com.paysvc.common.db.Db;
import com.rabbitmq.client.AMQP;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.rabbitmq.RabbitMQClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes committed outbox rows to the exchange and marks them sent only once the broker confirmed them.
 *
 * <p>One batch at a time, in id order: claim up to {@code batchSize} unsent rows (only the lease holder gets rows,
 * so one relay per database publishes), publish them one after the other on the confirm-mode channel, then
 * {@code waitForConfirms} for the whole batch. Only if every message was acked and the channel did not change in
 * between (a new channel would have nothing outstanding and "confirm" at once) are the rows marked sent. Anything
 * else - a failed publish, a nack, a timeout, a lost connection - leaves the whole batch unsent, and the next round
 * republishes it from its first row. An aggregate's later event can therefore never be confirmed-and-skipped before
 * an earlier one; the price is that an unconfirmed batch may be published twice (consumers dedupe by event_id).
 *
 * <p>Woken through the event bus right after a commit ({@link Outbox#wake()}), when the broker comes back, and by a
 * periodic sweep. Wakes that arrive while a round runs just schedule one more round.
 */
final class OutboxRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int PRUNE_LIMIT = 1000;
  private static final long PRUNE_EVERY_MS = 60_000;

  private final Db db;
  private final Broker broker;
  private final String exchange;
  private final String owner;
  private final int batchSize;
  private final int leaseMs;
  private final int confirmTimeoutMs;
  private final long sweepMs;
  private final long retentionMs;
  private final long inboxRetentionMs;
  private final EventMetrics metrics;
  private MessageConsumer<Object> wakeConsumer;
  private long sweepTimer = -1;
  private long pruneTimer = -1;
  private boolean running;
  private boolean again;
  private boolean stopping;
  private Future<Void> current = Future.succeededFuture();
  private int failures;

  OutboxRelay(Db db, Broker broker, String exchange, String owner, int batchSize, int leaseMs, int confirmTimeoutMs,
              long sweepMs, long retentionMs, long inboxRetentionMs, EventMetrics metrics) {
    this.db = db;
    this.broker = broker;
    this.exchange = exchange;
    this.owner = owner;
    this.batchSize = batchSize;
    this.leaseMs = leaseMs;
    this.confirmTimeoutMs = confirmTimeoutMs;
    this.sweepMs = sweepMs;
    this.retentionMs = retentionMs;
    this.inboxRetentionMs = inboxRetentionMs;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    wakeConsumer = vertx.eventBus().localConsumer(PgOutbox.WAKE_ADDRESS, m -> kick());
    sweepTimer = vertx.setPeriodic(sweepMs, id -> {
      refreshBacklog();
      kick();
    });
    pruneTimer = vertx.setPeriodic(PRUNE_EVERY_MS, id -> prune());
    kick();
    return wakeConsumer.completion();
  }

  /** Stops the timers; a round in progress completes first. No flush here: see {@link #flush}. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(pruneTimer);
    return wakeConsumer.unregister().transform(ar -> current.otherwiseEmpty());
  }

  /**
   * Graceful shutdown: publish what is waiting (while the broker is up and rows keep coming back confirmed), then
   * hand the lease over so another instance does not wait for it to expire. Runs on the relay's context.
   */
  Future<Void> flush() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      stopping = true;
      current.otherwiseEmpty()
        .compose(x -> drainAll())
        .transform(ar -> db.write(conn -> OutboxStore.release(conn, owner)))
        .onComplete(ar -> p.complete());
    }));
  }

  private Future<Void> drainAll() {
    return broker.isUp() ? round().compose(n -> n == batchSize ? drainAll() : Future.succeededFuture())
      : Future.succeededFuture();
  }

  /** Runs rounds until the outbox is drained or a round fails; coalesces wakes that arrive meanwhile. */
  private void kick() {
    if (running) {
      again = true;
      return;
    }
    if (stopping) {
      return;
    }
    running = true;
    again = false;
    current = drain().onComplete(ar -> {
      running = false;
      if (again) {
        kick();
      }
    });
  }

  private Future<Void> drain() {
    return round().compose(n -> n == batchSize && !stopping ? drain() : Future.succeededFuture(), err -> {
      if (failures++ % 30 == 0) {
        log.warn("outbox relay: batch not confirmed, will retry ({})", err.toString());
      }
      return Future.succeededFuture();
    });
  }

  /** One batch; returns how many rows were published and confirmed (0 when nothing waits or the broker is down). */
  private Future<Integer> round() {
    if (!broker.isUp()) {
      return Future.succeededFuture(0);
    }
    return db.write(conn -> OutboxStore.claim(conn, owner, leaseMs, batchSize)).compose(batch -> {
      if (batch.isEmpty()) {
        return Future.succeededFuture(0);
      }
      RabbitMQClient client = broker.client();
      long channel = broker.channelId();
      long started = System.nanoTime();
      return publishInOrder(client, batch, 0)
        .compose(v -> client.waitForConfirms(confirmTimeoutMs))
        .compose(v -> broker.channelId() == channel ? Future.<Void>succeededFuture()
          : Future.failedFuture(new IllegalStateException("channel replaced before the batch was confirmed")))
        .compose(v -> {
          long elapsed = System.nanoTime() - started;
          List<Long> ids = batch.stream().map(OutboxStore.Pending::id).toList();
          return db.write(conn -> OutboxStore.markSent(conn, ids)).map(n -> {
            failures = 0;
            metrics.publishLatency.record(elapsed, TimeUnit.NANOSECONDS);
            metrics.published.increment(batch.size());
            metrics.backlog.updateAndGet(b -> Math.max(0, b - batch.size()));
            return batch.size();
          });
        });
    });
  }

  /** Sequential on purpose: the channel keeps the order of publishes, and a failure stops the rest of the batch. */
  private Future<Void> publishInOrder(RabbitMQClient client, List<OutboxStore.Pending> batch, int index) {
    if (index == batch.size()) {
      return Future.succeededFuture();
    }
    Event e = batch.get(index).event();
    return client.basicPublish(exchange, e.type(), properties(e), Buffer.buffer(e.toJson().encode()))
      .compose(v -> publishInOrder(client, batch, index + 1));
  }

  static AMQP.BasicProperties properties(Event e) {
    Map<String, Object> headers = new HashMap<>();
    if (e.correlationId() != null) {
      headers.put(EventBridge.REQUEST_ID_HEADER, e.correlationId());
    }
    return new AMQP.BasicProperties.Builder()
      .messageId(e.id().toString())
      .type(e.type())
      .appId(e.producer())
      .correlationId(e.correlationId())
      .contentType("application/json")
      .contentEncoding("utf-8")
      .deliveryMode(2)                    // persistent: survives a broker restart once confirmed
      .timestamp(Date.from(e.occurredAt()))
      .headers(headers)
      .build();
  }

  private void refreshBacklog() {
    db.readPrimary(OutboxStore::backlog).onSuccess(metrics.backlog::set);
  }

  private void prune() {
    db.write(conn -> OutboxStore.prune(conn, retentionMs, PRUNE_LIMIT)
        .compose(a -> OutboxStore.pruneInbox(conn, inboxRetentionMs, PRUNE_LIMIT).map(b -> a + b)))
      .onSuccess(n -> {
        if (n > 0) {
          log.debug("pruned {} outbox/inbox rows", n);
        }
      })
      .onFailure(err -> log.debug("prune failed: {}", err.toString()));
  }
}
