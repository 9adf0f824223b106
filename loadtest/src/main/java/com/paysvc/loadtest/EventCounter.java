package com.paysvc.loadtest;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rabbitmq drill's counting consumer: its own durable queue bound to every event of the platform's exchange
 * (so it survives the broker restart it is there to watch), the RabbitMQ Java client's automatic recovery, manual
 * acks. It counts each event id (the message id the outbox relay sets): an id never counted was lost; a second copy
 * that the broker does not flag as redelivered was published twice, and a consumer without an inbox would have
 * applied it twice. A flagged redelivery is this consumer's own ack lost in the restart, not the platform's doing.
 */
final class EventCounter implements AutoCloseable {
  static final String EXCHANGE = "paysvc.events";
  private final Connection connection;
  private final Channel channel;
  private final String queue;
  private final Map<String, AtomicInteger> copies = new ConcurrentHashMap<>();
  private final AtomicLong publishedTwice = new AtomicLong();
  private final AtomicLong redelivered = new AtomicLong();

  private EventCounter(Connection connection, Channel channel, String queue) {
    this.connection = connection;
    this.channel = channel;
    this.queue = queue;
  }

  static EventCounter start(Stack stack) throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    f.setPort(Stack.RABBITMQ_PORT);
    f.setUsername(stack.env("RABBITMQ_USER"));
    f.setPassword(stack.env("RABBITMQ_PASSWORD"));
    f.setVirtualHost("/");
    f.setAutomaticRecoveryEnabled(true);
    f.setTopologyRecoveryEnabled(true);
    f.setNetworkRecoveryInterval(1000);
    Connection c = f.newConnection("loadtest-drill-counter");
    Channel ch = c.createChannel();
    String queue = "loadtest.drill.counter." + Long.toString(System.currentTimeMillis(), 36);
    // Durable and not exclusive: an exclusive or auto-delete queue would vanish with the connection in the restart.
    ch.queueDeclare(queue, true, false, false, null);
    ch.queueBind(queue, EXCHANGE, "#");
    ch.basicQos(500);
    EventCounter counter = new EventCounter(c, ch, queue);
    ch.basicConsume(queue, false, new DefaultConsumer(ch) {
      @Override
      public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) throws java.io.IOException {
        counter.count(props.getMessageId(), env.isRedeliver());
        getChannel().basicAck(env.getDeliveryTag(), false);
      }
    });
    return counter;
  }

  private void count(String id, boolean redelivery) {
    if (id == null) {
      return;
    }
    int n = copies.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    if (n > 1) {
      (redelivery ? redelivered : publishedTwice).incrementAndGet();
    }
  }

  boolean seen(String eventId) {
    return copies.containsKey(eventId);
  }

  long publishedTwice() {
    return publishedTwice.get();
  }

  long redelivered() {
    return redelivered.get();
  }

  int distinct() {
    return copies.size();
  }

  @Override
  public void close() {
    try {
      channel.queueDelete(queue);
    } catch (Exception e) {
      System.err.println("drill: could not delete the counting queue " + queue + ": " + e.getMessage());
    }
    try {
      connection.close(5000);
    } catch (Exception e) {
      // closing anyway
    }
  }
}
