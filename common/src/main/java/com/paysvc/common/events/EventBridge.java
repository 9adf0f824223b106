package com.paysvc.common.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BasicProperties;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQConsumer;
import io.vertx.rabbitmq.RabbitMQMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Bridge in: consumes the service's queue and hands each event to the Vert.x event bus address named by its type
 * (request/reply). The delivery is acked only after the handler replied with success.
 *
 * <p>On failure the event is republished to the retry queue with the attempt count in a header
 * ({@value #ATTEMPT_HEADER}); the retry queue's TTL dead-letters it back into the queue after the retry delay. The
 * original is acked only after the broker confirmed the copy, so a crash in between gives a duplicate, never a loss;
 * a copy not confirmed in time closes the channel, and the broker requeues the original.
 * Our own header rather than {@code x-death}: x-death counts per queue and reason and is rewritten by the broker, a
 * plain counter is easier to reason about. After {@code maxAttempts} failures (or for an envelope that cannot be
 * parsed) the delivery is rejected without requeue and the queue's dead-letter exchange moves it to the DLQ.
 *
 * <p>Retry copies go out on the consuming connection (its own confirms, not mixed with the relay's batches). Under
 * a broker memory or disk alarm that connection is blocked once it publishes a copy, so consumption pauses until
 * the alarm clears; the unconfirmed delivery is requeued, nothing is lost.
 */
final class EventBridge extends VerticleBase {
  static final String ATTEMPT_HEADER = "x-paysvc-attempt";
  static final String REQUEST_ID_HEADER = "x-request-id";
  private static final Logger log = LoggerFactory.getLogger(EventBridge.class);

  private final Broker broker;
  private final Topology topology;
  private final int maxAttempts;
  private final int handlerTimeoutMs;
  private final int confirmTimeoutMs;
  private final int retryDelayMs;
  private final EventMetrics metrics;
  private volatile boolean stopped;
  private volatile RabbitMQConsumer consumer;

  EventBridge(Broker broker, Topology topology, int maxAttempts, int handlerTimeoutMs,
              int confirmTimeoutMs, int retryDelayMs, EventMetrics metrics) {
    this.broker = broker;
    this.topology = topology;
    this.maxAttempts = maxAttempts;
    this.handlerTimeoutMs = handlerTimeoutMs;
    this.confirmTimeoutMs = confirmTimeoutMs;
    this.retryDelayMs = retryDelayMs;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }

  /** Broker step, run on every new connection after the topology and basic.qos: a fresh consumer on the new channel. */
  Future<Void> consume(RabbitMQClient client) {
    if (stopped) {
      return Future.succeededFuture();
    }
    long channel = broker.channelId();
    // No client-side buffer limit (it would drop messages): basic.qos already caps unacked deliveries at prefetch.
    QueueOptions options = new QueueOptions().setAutoAck(false);
    return client.basicConsumer(topology.queue(), options).map(c -> {
      c.exceptionHandler(err -> log.warn("event consumer error: {}", err.toString()));
      // The broker cancels a consumer whose queue was deleted (or whose node failed) and the connection stays up:
      // reconnect, which declares the queue again and consumes anew, instead of silently consuming nothing.
      c.endHandler(v -> {
        if (!stopped && consumer == c) {
          log.warn("consumer of {} cancelled by the broker: reconnecting to declare the topology again", topology.queue());
          broker.reset();
        }
      });
      c.handler(message -> context.runOnContext(v -> onDelivery(client, channel, message)));
      consumer = c;
      return null;
    });
  }

  /** Stops taking new deliveries; deliveries in progress still finish (and are acked). */
  Future<Void> stopConsuming() {
    stopped = true;
    RabbitMQConsumer c = consumer;
    return c == null || !broker.isUp() ? Future.succeededFuture() : c.cancel().otherwiseEmpty();
  }

  private void onDelivery(RabbitMQClient client, long channel, RabbitMQMessage message) {
    long tag = message.envelope().getDeliveryTag();
    Event event;
    try {
      event = Event.fromJson(new JsonObject(message.body()));
    } catch (RuntimeException e) {
      log.warn("unreadable event (message id {}) dead-lettered: {}", message.properties().getMessageId(), e.getMessage());
      metrics.deadLettered.increment();
      reject(client, channel, tag);
      return;
    }
    int attempt = attemptsBefore(message.properties()) + 1;
    if (message.envelope().isRedeliver()) {
      metrics.redeliveries.increment();
    }
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(handlerTimeoutMs)
      .addHeader("attempt", Integer.toString(attempt));
    vertx.eventBus().request(event.type(), event.toJson(), options)
      .compose(reply -> ack(client, channel, tag),
        err -> onFailure(client, channel, message, event, attempt, err))
      .onFailure(err -> {
        // The retry copy was not confirmed or the ack failed. A confirm timeout or nack has closed the channel (the
        // client waits with waitForConfirmsOrDie): the broker then requeued every unacked delivery of it, and they
        // come again once the supervisor reconnected (backing off). If the channel survived, the delivery is handed
        // back here after the retry delay rather than left unacked (holding a prefetch slot). A copy the broker did
        // take is a duplicate, which the idempotent consumer absorbs.
        log.warn("event {} ({}) not settled: {}", event.id(), event.type(), err.toString());
        vertx.setTimer(retryDelayMs, t -> requeue(client, channel, tag));
      });
  }

  private void requeue(RabbitMQClient client, long channel, long tag) {
    if (sameOpenChannel(client, channel)) {
      metrics.requeued.increment();
      client.basicNack(tag, false, true)
        .onFailure(e -> log.debug("requeue failed, the broker requeues on channel close: {}", e.toString()));
    }
  }

  /**
   * A delivery tag is only valid on the open channel it came from: after a reconnect the broker requeued it anyway,
   * and an operation on a closed channel would make the client open a new one, where the old tag is a protocol error.
   */
  private boolean sameOpenChannel(RabbitMQClient client, long channel) {
    return broker.channelId() == channel && client.isOpenChannel();
  }

  private Future<Void> onFailure(RabbitMQClient client, long channel, RabbitMQMessage message, Event event,
                                 int attempt, Throwable err) {
    if (attempt >= maxAttempts) {
      log.warn("event {} ({}) failed {} times, dead-lettered: {}", event.id(), event.type(), attempt, err.getMessage());
      metrics.deadLettered.increment();
      return reject(client, channel, message.envelope().getDeliveryTag());
    }
    log.info("event {} ({}) failed (attempt {} of {}), retrying later: {}", event.id(), event.type(), attempt,
      maxAttempts, err.getMessage());
    metrics.redeliveries.increment();
    AMQP.BasicProperties retry = withAttempt(message.properties(), attempt);
    return client.basicPublish("", topology.retryQueue(), retry, message.body())
      .compose(v -> client.waitForConfirms(confirmTimeoutMs))
      .compose(v -> ack(client, channel, message.envelope().getDeliveryTag()));
  }

  private Future<Void> ack(RabbitMQClient client, long channel, long tag) {
    return sameOpenChannel(client, channel) ? client.basicAck(tag, false) : Future.succeededFuture();
  }

  private Future<Void> reject(RabbitMQClient client, long channel, long tag) {
    return sameOpenChannel(client, channel) ? client.basicNack(tag, false, false) : Future.succeededFuture();
  }

  static int attemptsBefore(BasicProperties props) {
    Map<String, Object> headers = props.getHeaders();
    Object v = headers == null ? null : headers.get(ATTEMPT_HEADER);
    return v instanceof Number n ? n.intValue() : 0;
  }

  private static AMQP.BasicProperties withAttempt(BasicProperties props, int attempt) {
    Map<String, Object> headers = props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
    headers.put(ATTEMPT_HEADER, attempt);
    return new AMQP.BasicProperties.Builder()
      .messageId(props.getMessageId())
      .type(props.getType())
      .appId(props.getAppId())
      .correlationId(props.getCorrelationId())
      .contentType(props.getContentType())
      .contentEncoding(props.getContentEncoding())
      .deliveryMode(2)
      .timestamp(props.getTimestamp())
      .headers(headers)
      .build();
  }
}
