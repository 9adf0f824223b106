package com.paysvc.common.events;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;
import io.vertx.rabbitmq.impl.RabbitMQClientImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The one RabbitMQ connection (and channel) of a service, supervised here rather than by the client.
 *
 * <p>Why not the client's own reconnect: in 5.0.8 it restarts consumers on the new channel without waiting for the
 * connection-established callbacks (their future is dropped), so a consumer can come back before its queue, its
 * basic.qos or confirm mode is set. Here the client never retries by itself ({@code reconnectAttempts = 0}); every
 * {@link #RECHECK period} the supervisor checks the connection and, when it is gone, stops the client and starts a
 * fresh one, then runs the {@linkplain #onConnected steps} (topology, qos, confirm mode, consumer) strictly in order.
 * Only then is the broker "up". A broker that is down at start-up therefore never blocks the service.
 */
final class Broker extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  private final RabbitMQOptions options;
  private final long recheckMs;
  private final List<Function<RabbitMQClient, Future<Void>>> steps = new CopyOnWriteArrayList<>();
  private final List<Runnable> upListeners = new CopyOnWriteArrayList<>();
  private RabbitMQClient client;
  private volatile boolean up;
  private boolean connecting;
  private boolean stopped;
  private int failures;
  private long timer = -1;

  Broker(RabbitMQOptions options, long recheckMs) {
    // The client must neither retry on its own nor use the Java client's recovery: the supervisor owns that.
    this.options = new RabbitMQOptions(options).setReconnectAttempts(0).setAutomaticRecoveryEnabled(false);
    this.recheckMs = recheckMs;
  }

  /** A step run, in registration order, on every new connection before the broker counts as up. */
  void onConnected(Function<RabbitMQClient, Future<Void>> step) {
    steps.add(step);
  }

  /** Called (on the broker's context) each time the connection is up and every step succeeded. */
  void onUp(Runnable listener) {
    upListeners.add(listener);
  }

  @Override
  public Future<?> start() {
    client = RabbitMQClient.create(vertx, options);
    connect();
    timer = vertx.setPeriodic(recheckMs, id -> supervise());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    up = false;
    vertx.cancelTimer(timer);
    return client.stop().otherwiseEmpty();
  }

  RabbitMQClient client() {
    return client;
  }

  boolean isUp() {
    return up && client.isConnected() && client.isOpenChannel();
  }

  /**
   * Identifies the current channel: delivery tags and publisher confirms belong to one channel, so an ack or a
   * confirm wait is only meaningful if this did not change in between.
   */
  long channelId() {
    return client instanceof RabbitMQClientImpl impl ? impl.getChannelInstance() : 0;
  }

  private void supervise() {
    if (stopped || connecting) {
      return;
    }
    if (client.isConnected() && client.isOpenChannel()) {
      return;
    }
    if (up) {
      log.warn("RabbitMQ connection lost: reconnecting every {} ms (events wait in the outbox)", recheckMs);
    }
    up = false;
    connect();
  }

  private void connect() {
    connecting = true;
    // stop() first: a half-closed connection (channel closed by an error, connection alive) is dropped as a whole.
    Future<Void> reset = client.isConnected() ? client.stop().otherwiseEmpty() : Future.succeededFuture();
    reset
      .compose(v -> client.start())
      .compose(v -> runSteps())
      .onComplete(ar -> {
        connecting = false;
        if (stopped) {
          return;
        }
        if (ar.succeeded()) {
          up = true;
          failures = 0;
          log.info("RabbitMQ connected, topology declared (channel {})", channelId());
          upListeners.forEach(Runnable::run);
        } else {
          up = false;
          // Log the first failure and then every 30th: a long outage should not flood the log.
          if (failures++ % 30 == 0) {
            log.warn("RabbitMQ not available ({}): retrying every {} ms", ar.cause().toString(), recheckMs);
          }
        }
      });
  }

  private Future<Void> runSteps() {
    Future<Void> chain = Future.succeededFuture();
    for (var step : steps) {
      chain = chain.compose(v -> step.apply(client));
    }
    return chain;
  }

  /** Readiness probe: reported, normally not required (the outbox keeps writes working without the broker). */
  Future<Void> probe() {
    return isUp() ? Future.succeededFuture() : Future.failedFuture(new IllegalStateException("not connected"));
  }
}
