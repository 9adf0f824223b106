package com.paysvc.testing;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy the test controls: it can be broken (open connections cut, new ones refused), stalled (connections
 * stay open but nothing gets through, like a server that hangs; what was sent is delivered on resume) and
 * re-pointed at another port (as a load balancer does when a node changes role), to stage failures precisely.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final NetServer server;
  private volatile int targetPort;
  private volatile boolean broken;
  private volatile boolean stalled;
  private final Set<Runnable> flushers = ConcurrentHashMap.newKeySet();

  public TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    NetClient upstream = vertx.createNetClient();
    server = Await.await(vertx.createNetServer().connectHandler(client -> {
      if (broken) {
        client.close();
        return;
      }
      client.pause();
      upstream.connect(this.targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          client.close();
          return;
        }
        NetSocket backend = ar.result();
        open.add(client);
        open.add(backend);
        client.closeHandler(v -> backend.close());
        backend.closeHandler(v -> client.close());
        Context ctx = Vertx.currentContext();
        forward(ctx, client, backend);
        forward(ctx, backend, client);
        client.resume();
      });
    }).listen(0, "127.0.0.1"));
  }

  /** Copies {@code from} to {@code to}; while stalled, holds the bytes (in order) until {@link #resume()}. */
  private void forward(Context ctx, NetSocket from, NetSocket to) {
    List<Buffer> held = new ArrayList<>();   // touched on the connection's event loop only
    from.handler(buf -> {
      if (stalled || !held.isEmpty()) {
        held.add(buf);
      } else {
        to.write(buf);
      }
    });
    flushers.add(() -> ctx.runOnContext(v -> {
      held.forEach(to::write);
      held.clear();
    }));
  }

  /** Open connections stay open but carry nothing (a hung server) until {@link #resume()}. */
  public void stall() {
    stalled = true;
  }

  public void resume() {
    stalled = false;
    flushers.forEach(Runnable::run);
  }

  public int port() {
    return server.actualPort();
  }

  /** Cuts every open connection and refuses new ones until {@link #heal()}. */
  public void breakAll() {
    broken = true;
    open.forEach(NetSocket::close);
    open.clear();
  }

  public void heal() {
    broken = false;
  }

  /** New connections go to {@code port}; open ones stay where they are (like HAProxy without shutdown-sessions). */
  public void pointAt(int port) {
    targetPort = port;
  }

  @Override
  public void close() {
    Await.await(vertx.close());
  }
}
