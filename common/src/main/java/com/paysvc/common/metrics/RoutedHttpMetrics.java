package com.paysvc.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP server metrics of a service, under vertx-micrometer's names ({@code vertx_http_server_requests_total},
 * {@code vertx_http_server_response_time_seconds}, {@code vertx_http_server_active_requests},
 * {@code vertx_http_server_active_connections}) with the labels {@code method}, {@code code} and {@code route}.
 *
 * <p>Why not vertx-micrometer's own: per request it merged tag lists and looked up five meters by a freshly built id
 * (and re-registered the active-requests gauge, which logs a double-registration notice each time): about 6 % of
 * users' CPU on a cached read (async-profiler, 10,000 req/s). Here a request's meters are found by its route (a
 * constant string from vertx-web), its method and status in an array built once per route, and recorded without
 * allocating.
 *
 * <p>{@code route} is the last route vertx-web matched that names a path (its template, e.g.
 * {@code /accounts/users/:user_id}); a request no path route matched is {@code none}. vertx-micrometer joined every
 * matched route's name instead ({@code />/>/accounts/users/by-identifier>/>/} for a 404 of that route).
 */
final class RoutedHttpMetrics implements HttpServerMetrics<RoutedHttpMetrics.Request, Void, Void> {
  static final String NO_ROUTE = "none";
  private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "OTHER"};
  private static final int STATUSES = 500;

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final LongAdder activeRequests = new LongAdder();
  private final LongAdder activeConnections = new LongAdder();

  RoutedHttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("vertx.http.server.active.requests", activeRequests, LongAdder::doubleValue)
      .description("Number of requests being processed").register(registry);
    Gauge.builder("vertx.http.server.active.connections", activeConnections, LongAdder::doubleValue)
      .description("Number of opened connections to the HTTP Server").register(registry);
  }

  /** One request: when it began and the route that will name it. */
  static final class Request {
    final long start = System.nanoTime();
    final int method;
    String route = NO_ROUTE;
    boolean ended;

    Request(int method) {
      this.method = method;
    }
  }

  @Override
  public Void connected(SocketAddress remoteAddress, String remoteName) {
    activeConnections.increment();
    return null;
  }

  @Override
  public void disconnected(Void socketMetric, SocketAddress remoteAddress) {
    activeConnections.decrement();
  }

  @Override
  public Request requestBegin(Void socketMetric, HttpRequest request) {
    activeRequests.increment();
    return new Request(methodIndex(request.method()));
  }

  @Override
  public void requestRouted(Request request, String route) {
    // Mounts and handlers for every path are named "/" (or end in '*'): they do not tell the route.
    if (route != null && route.length() > 1 && route.charAt(route.length() - 1) != '*') {
      request.route = route;
    }
  }

  @Override
  public void requestReset(Request request) {
    end(request);
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    if (!end(request)) {
      return;
    }
    RouteMeters meters = routes.get(request.route);
    if (meters == null) {
      meters = routes.computeIfAbsent(request.route, RouteMeters::new);
    }
    meters.of(request.method, response.statusCode()).record(System.nanoTime() - request.start);
  }

  private boolean end(Request request) {
    if (request.ended) {
      return false;
    }
    request.ended = true;
    activeRequests.decrement();
    return true;
  }

  private static int methodIndex(HttpMethod method) {
    String name = method.name();
    for (int i = 0; i < METHODS.length - 1; i++) {
      if (METHODS[i].equals(name)) {
        return i;
      }
    }
    return METHODS.length - 1;
  }

  /** The meters of one route, one pair per method and status, made on first use. */
  private final class RouteMeters {
    private final String route;
    private final AtomicReferenceArray<Pair> pairs = new AtomicReferenceArray<>(METHODS.length * STATUSES);

    RouteMeters(String route) {
      this.route = route;
    }

    Pair of(int method, int status) {
      int code = Math.max(100, Math.min(599, status));
      int i = method * STATUSES + code - 100;
      Pair p = pairs.get(i);
      if (p == null) {
        // Registering is idempotent: two loops racing here get the same meters.
        p = new Pair(route, METHODS[method], Integer.toString(code));
        pairs.set(i, p);
      }
      return p;
    }
  }

  private final class Pair {
    private final Counter count;
    private final Timer time;

    Pair(String route, String method, String code) {
      count = Counter.builder("vertx.http.server.requests").description("Number of processed requests")
        .tag("route", route).tag("method", method).tag("code", code).register(registry);
      time = Timer.builder("vertx.http.server.response.time").description("Request processing time")
        .tag("route", route).tag("method", method).tag("code", code).register(registry);
    }

    void record(long nanos) {
      count.increment();
      time.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
