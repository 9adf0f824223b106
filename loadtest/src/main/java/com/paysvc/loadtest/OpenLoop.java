package com.paysvc.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open-loop generator (as wrk2): each of T event loops sends its share of the rate on a fixed schedule, request
 * k of a loop being due at {@code start + k / rate}. A request's latency is measured from that intended time, not
 * from when it could be sent, so a slow server cannot make the generator wait and hide its slowness (coordinated
 * omission): requests queue behind busy connections and their waiting counts. Requests of the warm-up are sent
 * on the same schedule but not recorded.
 */
final class OpenLoop {
  /** A request that is not answered within this is an error ("timeout"), its time recorded as such. */
  static final long TIMEOUT_MS = 10_000;

  private OpenLoop() {
  }

  /** Stops a run before its duration is over (a drill runs until its event has played out). */
  static final class Control {
    private volatile long stopAt = Long.MAX_VALUE;

    void stop() {
      stopAt = System.nanoTime();
    }

    long stopAt() {
      return stopAt;
    }
  }

  static Future<Results> run(Vertx vertx, Options o, Scenario scenario, int rate, boolean progress) {
    return run(vertx, o, scenario, rate, progress, RunListener.NONE, new Control());
  }

  /**
   * Runs {@code scenario} at {@code rate} for warm-up + duration (or until {@code control} stops it); completes when
   * every measured request ended.
   */
  static Future<Results> run(Vertx vertx, Options o, Scenario scenario, int rate, boolean progress, RunListener listener,
                             Control control) {
    double measured = o.duration().toMillis() / 1000.0;
    Results results = new Results(rate, measured);

    URI base = URI.create(o.baseUrl());
    int threads = Math.min(o.threads(), rate);
    long startNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    long warmupNanos = o.warmup().toNanos();
    long totalNanos = warmupNanos + o.duration().toNanos();
    results.measuredStart = startNanos + warmupNanos;
    long toMeasured = TimeUnit.NANOSECONDS.toMillis(startNanos + warmupNanos - System.nanoTime());
    vertx.setTimer(Math.max(1, toMeasured), id -> listener.measuring(rate));
    long[] endTimer = {vertx.setTimer(Math.max(1, toMeasured + o.duration().toMillis()), id -> listener.scheduleEnded(rate))};
    List<Future<?>> done = new ArrayList<>();
    AtomicInteger finished = new AtomicInteger();
    Promise<Results> all = Promise.promise();
    int[] second = {0};
    long reporter = vertx.setPeriodic(1000, 1000, id -> {
      if (System.nanoTime() < startNanos + warmupNanos) {
        return;
      }
      second[0]++;
      Results.Second s = results.tick(second[0]);
      listener.second(s, results);
      if (progress) {
        System.out.printf("  [%3ds] %7d req/s  p50 %7.2f ms  p99 %8.2f ms  max %8.2f ms  errors %d%n", s.t(), s.completed(),
          s.p50Ms(), s.p99Ms(), s.maxMs(), s.errors());
      }
    });
    for (int i = 0; i < threads; i++) {
      Generator g = new Generator(o, base, scenario, results, i, threads, rate, startNanos, warmupNanos, totalNanos, control,
        listener);
      done.add(vertx.deployVerticle(g, new DeploymentOptions()).compose(id -> g.finished.future()
        .eventually(() -> vertx.undeploy(id))));
    }
    Future.all(done).onComplete(ar -> {
      vertx.cancelTimer(reporter);
      // The last answer can come before the end timer fires (or the run was stopped early): the window ends here.
      if (vertx.cancelTimer(endTimer[0])) {
        if (control.stopAt() != Long.MAX_VALUE) {
          results.stoppedAt(control.stopAt());
        }
        listener.scheduleEnded(rate);
      }
      if (ar.failed()) {
        all.fail(ar.cause());
      } else {
        all.complete(results);
      }
    });
    return all.future();
  }

  private static final class Generator extends VerticleBase {
    private final Options o;
    private final URI base;
    private final Scenario scenario;
    private final Results results;
    private final int index;
    private final int threads;
    private final double rate;
    private final long startNanos;
    private final long warmupNanos;
    private final long totalNanos;
    private long total;
    private final long maxInFlight;
    private final Control control;
    private final RunListener listener;
    private final boolean samples;
    final Promise<Void> finished = Promise.promise();
    /** One client per client address of the scenario ({@link Scenario#clientAddresses}); request n uses n mod their number. */
    private HttpClient[] clients;
    private long sent;
    private long inFlight;
    private long timer;

    Generator(Options o, URI base, Scenario scenario, Results results, int index, int threads, int rate, long startNanos,
              long warmupNanos, long totalNanos, Control control, RunListener listener) {
      this.o = o;
      this.control = control;
      this.listener = listener;
      this.samples = listener.samples();
      this.base = base;
      this.scenario = scenario;
      this.results = results;
      this.index = index;
      this.threads = threads;
      // This loop's share of the rate (the remainder goes to the first loops).
      this.rate = rate / threads + (index < rate % threads ? 1 : 0);
      this.startNanos = startNanos;
      this.warmupNanos = warmupNanos;
      this.totalNanos = totalNanos;
      this.total = (long) Math.floor(this.rate * totalNanos / 1e9);
      // Far more than the connections can carry: beyond it the generator itself is the bottleneck (reported).
      this.maxInFlight = Math.max(1000, (long) o.connections() * 200 / threads);
    }

    @Override
    public Future<?> start() {
      int conns = Math.max(1, o.connections() / threads + (index < o.connections() % threads ? 1 : 0));
      // Idle connections are dropped after 10 s, before the gateway's 15 s keep-alive timeout closes them: else a
      // request can leave on a connection the server is closing at that moment and fail without the server's fault.
      // Vert.x's own HTTP client, not the WebClient: its request pipeline (interceptors, codecs, an aggregated body for
      // every answer) was a third of the generator's own CPU, which the cores under measurement share.
      int addresses = scenario.clientAddresses();
      clients = new HttpClient[addresses];
      for (int a = 0; a < addresses; a++) {
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(10)
          .setTcpNoDelay(true).setConnectTimeout(5000)
          .setDefaultHost(base.getHost()).setDefaultPort(base.getPort() > 0 ? base.getPort() : 80);
        if (addresses > 1) {
          // 127.201.<generator>.<a+1>: loopback answers on every address of 127.0.0.0/8.
          options.setLocalAddress("127.201." + index + "." + (a + 1));
        }
        clients[a] = vertx.createHttpClient(options,
          new PoolOptions().setHttp1MaxSize(Math.max(1, conns / addresses)).setMaxWaitQueueSize(-1));
      }
      // Vert.x timers fire at most once a millisecond: each tick sends every request that has come due.
      timer = vertx.setPeriodic(1, id -> tick());
      return Future.succeededFuture();
    }

    private void tick() {
      long now = System.nanoTime();
      if (now < startNanos) {
        return;
      }
      // Request k is due at start + k / rate: at time t, requests 0 .. floor(t · rate) are due.
      long due = Math.min(total, (long) Math.floor((now - startNanos) * rate / 1e9) + 1);
      if (now >= control.stopAt()) {
        due = Math.min(due, sent);
        total = sent;
      }
      while (sent < due) {
        long k = sent++;
        long intended = startNanos + (long) (k * 1e9 / rate);
        send(k * threads + index, intended, intended - startNanos >= warmupNanos);
      }
      if (sent >= total) {
        vertx.cancelTimer(timer);
        maybeFinish();
      }
    }

    private void send(long n, long intended, boolean measured) {
      Request r = scenario.request(n);
      if (inFlight >= maxInFlight) {
        if (measured) {
          results.notSent(r.kind(), intended);
          if (samples) {
            listener.answered(new Results.Sample(r.kind(), intended, intended, "not_sent", true));
          }
        }
        return;
      }
      inFlight++;
      RequestOptions options = new RequestOptions().setMethod(r.method()).setURI(base.getPath() + r.path())
        .setTimeout(TIMEOUT_MS);
      if (r.headers() != null) {
        options.setHeaders(r.headers());
      }
      // The body is read only where the scenario wants it; otherwise it is consumed and dropped.
      Future<Answer> f = clients[(int) (n % clients.length)].request(options)
        .compose(req -> r.body() == null ? req.send() : req.send(r.body()))
        .compose(resp -> r.answered() == null ? resp.end().map(v -> new Answer(resp, null))
          : resp.body().map(body -> new Answer(resp, body)));
      f.onComplete(ar -> {
        inFlight--;
        if (measured) {
          long completed = System.nanoTime();
          if (ar.succeeded()) {
            int status = ar.result().status();
            boolean ok = (status >= 200 && status < 300) || (status == 404 && r.notFoundExpected());
            String outcome = Integer.toString(status);
            results.record(r.kind(), intended, completed, outcome, !ok);
            if (samples) {
              listener.answered(new Results.Sample(r.kind(), intended, completed, outcome, !ok));
            }
            if (r.answered() != null) {
              r.answered().answer(status, ar.result().body());
            }
          } else {
            String outcome = failure(ar.cause());
            results.record(r.kind(), intended, completed, outcome, true);
            if (samples) {
              listener.answered(new Results.Sample(r.kind(), intended, completed, outcome, true));
            }
          }
        }
        maybeFinish();
      });
    }

    /** A response's status and, where the scenario reads it, its body. */
    private record Answer(int status, Buffer body) {
      Answer(HttpClientResponse resp, Buffer body) {
        this(resp.statusCode(), body);
      }
    }

    private static String failure(Throwable t) {
      String name = t.getClass().getSimpleName();
      if (name.contains("Timeout") || String.valueOf(t.getMessage()).contains("timeout")) {
        return "timeout";
      }
      if (t instanceof java.net.ConnectException || name.contains("Connect")) {
        return "connect_error";
      }
      if (t instanceof HttpClosedException) {
        return "connection_closed";
      }
      return "io_error";
    }

    private void maybeFinish() {
      if (sent >= total && inFlight == 0) {
        finished.tryComplete();
      }
    }

    @Override
    public Future<?> stop() {
      if (clients != null) {
        for (HttpClient c : clients) {
          c.close();
        }
      }
      return Future.succeededFuture();
    }
  }
}
