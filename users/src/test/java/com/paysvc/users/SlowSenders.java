package com.paysvc.users;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many connections each sending one request whose body trickles in: the head at once, then {@code chunk} bytes
 * every {@code intervalMs} until the declared length is sent, as long as the server reads (a full write queue waits).
 * Records, per connection, the status of the answer, how much of its body had gone out when it came, and whether the
 * server closed the connection.
 */
final class SlowSenders implements AutoCloseable {
  /** One connection's story. */
  static final class Sender {
    volatile NetSocket socket;
    volatile long sent;
    volatile int status = -1;
    volatile long sentWhenAnswered = -1;
    volatile long answeredAfterMs = -1;
    volatile boolean closed;
    final long startedAt = System.currentTimeMillis();
    final StringBuilder received = new StringBuilder();
  }

  private final Vertx vertx;
  private final NetClient client;
  private final List<Sender> senders = new ArrayList<>();
  private final AtomicInteger connected = new AtomicInteger();
  private final Map<Sender, Boolean> failedToConnect = new ConcurrentHashMap<>();
  private long timer = -1;

  SlowSenders(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true));
  }

  /** Opens {@code count} connections to {@code port}, each sending {@code head} then {@code length} body bytes slowly. */
  SlowSenders start(int port, int count, String head, long length, int chunk, long intervalMs) {
    Buffer piece = Buffer.buffer("x".repeat(chunk).getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < count; i++) {
      Sender s = new Sender();
      senders.add(s);
      client.connect(port, "127.0.0.1").onSuccess(socket -> {
        s.socket = socket;
        connected.incrementAndGet();
        socket.handler(buf -> {
          synchronized (s.received) {
            s.received.append(buf.toString(StandardCharsets.ISO_8859_1));
            if (s.status < 0 && s.received.length() >= 12 && s.received.indexOf("HTTP/1.1 ") == 0) {
              s.sentWhenAnswered = s.sent;
              s.answeredAfterMs = System.currentTimeMillis() - s.startedAt;
              s.status = Integer.parseInt(s.received.substring(9, 12));
            }
          }
        });
        socket.closeHandler(v -> s.closed = true);
        socket.exceptionHandler(e -> s.closed = true);
        socket.write(head);
      }).onFailure(e -> failedToConnect.put(s, true));
    }
    timer = vertx.setPeriodic(intervalMs, id -> {
      for (Sender s : senders) {
        NetSocket socket = s.socket;
        if (socket == null || s.closed || s.sent >= length || socket.writeQueueFull()) {
          continue;
        }
        int n = (int) Math.min(chunk, length - s.sent);
        s.sent += n;
        socket.write(n == chunk ? piece : piece.getBuffer(0, n));
      }
    });
    return this;
  }

  List<Sender> senders() {
    return senders;
  }

  int connected() {
    return connected.get();
  }

  int failedToConnect() {
    return failedToConnect.size();
  }

  /** Every connection has its answer (or was closed without one). */
  boolean allAnsweredOrClosed() {
    return senders.stream().allMatch(s -> s.status > 0 || s.closed) && connected() + failedToConnect() == senders.size();
  }

  long count(int status) {
    return senders.stream().filter(s -> s.status == status).count();
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    for (Sender s : senders) {
      if (s.socket != null) {
        s.socket.close();
      }
    }
    client.close();
  }
}
