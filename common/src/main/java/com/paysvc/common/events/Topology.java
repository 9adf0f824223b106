package com.paysvc.common.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.rabbitmq.RabbitMQClient;

import java.util.Set;

/**
 * The broker objects one service needs: the shared topic exchange and, when it consumes, its own durable queue bound
 * per event type, a retry queue (TTL, dead-letters back into the queue) and a dead-letter exchange + queue.
 * Every service also declares the parking place for events no queue is bound for: fanout exchange and durable queue
 * {@code <exchange>.unrouted}, made the exchange's alternate exchange by a broker policy (rabbitmq/policies/paysvc-unrouted.json,
 * set by bin/stack and compose), so an event published before its consumer ever ran is kept, not dropped.
 * Declarations are idempotent; they run on every (re)connection because the client recovers no topology.
 *
 * <p>{@code declareShared} false: the shared exchanges and the parking queue are the broker operator's (bin/stack and
 * compose declare them, rabbitmq/provision.sh), and the service's broker user may configure its own queues only; it
 * then declares just those and their bindings.
 */
public record Topology(String exchange, String queue, boolean declareShared) {

  public Topology(String exchange, String queue) {
    this(exchange, queue, true);
  }

  public String deadLetterExchange() {
    return exchange + ".dlx";
  }

  public String deadLetterQueue() {
    return queue + ".dlq";
  }

  /** Exchange and queue (same name) that keep events no binding matched. */
  public String unrouted() {
    return exchange + ".unrouted";
  }

  public String retryQueue() {
    return queue + ".retry";
  }

  /** Declares the exchange and, if {@code eventTypes} is not empty, the queues and bindings. */
  public Future<Void> declare(RabbitMQClient client, Set<String> eventTypes, int retryDelayMs) {
    Future<Void> exchangeReady = !declareShared ? Future.succeededFuture()
      : client.exchangeDeclare(unrouted(), "fanout", true, false)
        .compose(v -> client.queueDeclare(unrouted(), true, false, false))
        .compose(ok -> client.queueBind(unrouted(), unrouted(), ""))
        .compose(v -> client.exchangeDeclare(exchange, "topic", true, false));
    if (eventTypes.isEmpty()) {
      return exchangeReady;
    }
    // Rejected deliveries (nack without requeue) go to the DLQ through the queue's dead-letter exchange.
    JsonObject queueArgs = new JsonObject()
      .put("x-dead-letter-exchange", deadLetterExchange())
      .put("x-dead-letter-routing-key", queue);
    // A failed event waits here for the TTL, then the default exchange routes it back to the queue.
    JsonObject retryArgs = new JsonObject()
      .put("x-message-ttl", retryDelayMs)
      .put("x-dead-letter-exchange", "")
      .put("x-dead-letter-routing-key", queue);
    Future<Void> chain = (!declareShared ? exchangeReady
      : exchangeReady.compose(v -> client.exchangeDeclare(deadLetterExchange(), "direct", true, false)))
      .compose(v -> client.queueDeclare(deadLetterQueue(), true, false, false))
      .compose(ok -> client.queueBind(deadLetterQueue(), deadLetterExchange(), queue))
      .compose(v -> client.queueDeclare(queue, true, false, false, queueArgs))
      .compose(ok -> client.queueDeclare(retryQueue(), true, false, false, retryArgs))
      .mapEmpty();
    for (String type : eventTypes) {
      chain = chain.compose(v -> client.queueBind(queue, exchange, type));
    }
    return chain;
  }
}
