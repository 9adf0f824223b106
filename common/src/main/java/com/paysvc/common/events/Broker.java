package com.paysvc.common.events;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.NoOpMetricsCollector;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One RabbitMQ connection (and its channel), supervised here rather than by the client. A service has two: one
 * publishes (the outbox relay), one consumes (the bridge).
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
  // Attempts back off (doubling) up to this pause: a long outage then costs one attempt (and one client error log
  // line) every few seconds instead of every period, and recovery is still noticed within it.
  private static final long MAX_BACKOFF_MS = 5000;

  private final RabbitMQOptions options;
  private final ChannelCounter channels = new ChannelCounter();
  private final long recheckMs;
  private final List<Function<RabbitMQClient, Future<Void>>> steps = new CopyOnWriteArrayList<>();
  private final List<Runnable> upListeners = new CopyOnWriteArrayList<>();
  private RabbitMQClient client;
  private volatile boolean up;
  // The channel the steps ran on. The client silently opens a new channel when an operation finds the old one closed
  // (e.g. after a channel error), but that one has no consumer and no qos: it counts as a lost connection.
  private volatile long stepsChannel = -1;
  private boolean connecting;
  private boolean stopped;
  private int failures;
  private long nextAttemptAt;
  private long timer = -1;

  Broker(RabbitMQOptions options, long recheckMs) {
    if (options.getMetricsCollector() != null) {
      throw new IllegalArgumentException("the broker counts channels with the metrics collector: it cannot take another");
    }
    // The client must neither retry on its own nor use the Java client's recovery: the supervisor owns that.
    this.options = new RabbitMQOptions(options).setReconnectAttempts(0).setAutomaticRecoveryEnabled(false)
      .setMetricsCollector(channels);
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

  /**
   * Makes the supervisor replace the connection at its next check, running every step again: for a state the
   * connection itself does not show, such as the consumer cancelled by the broker because its queue was deleted.
   */
  void reset() {
    stepsChannel = -2;
  }

  RabbitMQClient client() {
    return client;
  }

  boolean isUp() {
    return up && healthy();
  }

  private boolean healthy() {
    return client.isConnected() && client.isOpenChannel() && channelId() == stepsChannel;
  }

  /**
   * Identifies the current channel: delivery tags and publisher confirms belong to one channel, so an ack or a
   * confirm wait is only meaningful if this did not change in between. It is the number of channels the client
   * opened so far (1 and up), so the current channel is the last one counted.
   */
  long channelId() {
    return channels.opened.get();
  }

  private void supervise() {
    if (stopped || connecting || System.currentTimeMillis() < nextAttemptAt) {
      return;
    }
    if (healthy()) {
      return;
    }
    if (up) {
      log.warn("RabbitMQ connection lost or reset: reconnecting (events wait in the outbox meanwhile)");
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
      .compose(v -> {
        stepsChannel = channelId();
        return runSteps();
      })
      .compose(v -> healthy() ? Future.<Void>succeededFuture()
        : Future.failedFuture(new IllegalStateException("channel closed while declaring the topology")))
      .onComplete(ar -> {
        connecting = false;
        if (stopped) {
          return;
        }
        if (ar.succeeded()) {
          up = true;
          failures = 0;
          nextAttemptAt = 0;
          log.info("RabbitMQ connected, topology declared (channel {})", channelId());
          upListeners.forEach(Runnable::run);
        } else {
          up = false;
          long backoff = Math.min(recheckMs << Math.min(failures, 6), Math.max(recheckMs, MAX_BACKOFF_MS));
          nextAttemptAt = System.currentTimeMillis() + backoff;
          // Log the first failure and then every 30th: a long outage should not flood the log.
          if (failures++ % 30 == 0) {
            log.warn("RabbitMQ not available ({}): retrying, at most {} ms apart", describe(ar.cause()),
              Math.max(recheckMs, MAX_BACKOFF_MS));
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

  /**
   * Counts the channels the client opens, through the Java client's metrics hook (it reports every channel a
   * connection creates). The client opens one with each connection, and another, silently, when an operation finds
   * the current one closed (after a channel error) on a live connection. The connection-established callback would
   * only see the first kind; both void the delivery tags and outstanding confirms of the channel before.
   */
  private static final class ChannelCounter extends NoOpMetricsCollector {
    // Bumped on the thread that opens the channel (a worker while connecting, the caller of an operation otherwise).
    final AtomicLong opened = new AtomicLong();

    @Override
    public void newChannel(Channel channel) {
      opened.incrementAndGet();
    }
  }

  /**
   * The failure with its causes: a refused declaration (e.g. a queue that exists with other arguments) arrives as a
   * bare IOException whose cause holds the broker's reason.
   */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(t.toString());
    // A few levels are enough to reach the broker's reason, and a bound keeps a cyclic chain from looping.
    Throwable c = t.getCause();
    for (int depth = 0; c != null && depth < 5; depth++, c = c.getCause()) {
      sb.append(" <- ").append(c);
    }
    return sb.toString();
  }

}
