package com.paysvc.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;

/**
 * Vert.x metrics of a service: vertx-micrometer's for everything (pools, clients, event bus, JVM) except the HTTP
 * server, which {@link RoutedHttpMetrics} measures at a fraction of the cost (see there).
 */
public final class ServiceMetrics implements VertxMetricsFactory {
  private final MicrometerMetricsFactory micrometer;
  private final MeterRegistry registry;

  public ServiceMetrics(MeterRegistry registry) {
    this.micrometer = new MicrometerMetricsFactory(registry);
    this.registry = registry;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new Delegating(micrometer.metrics(options), new RoutedHttpMetrics(registry));
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  /** Every call to vertx-micrometer's metrics, but HTTP servers get the one {@link RoutedHttpMetrics}. */
  private record Delegating(VertxMetrics d, RoutedHttpMetrics http) implements VertxMetrics {
    @Override
    public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
      return http;
    }

    @Override
    public EventBusMetrics createEventBusMetrics() {
      return d.createEventBusMetrics();
    }

    @Override
    public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
      return d.createClientMetrics(remoteAddress, type, namespace);
    }

    @Override
    public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
      return d.createHttpClientMetrics(options);
    }

    @Override
    public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
      return d.createNetServerMetrics(options, localAddress);
    }

    @Override
    public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
      return d.createNetClientMetrics(options);
    }

    @Override
    public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
      return d.createDatagramSocketMetrics(options);
    }

    @Override
    public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
      return d.createPoolMetrics(type, name, maxSize);
    }

    @Override
    public void vertxCreated(Vertx vertx) {
      d.vertxCreated(vertx);
    }

    @Override
    public boolean isMetricsEnabled() {
      return d.isMetricsEnabled();
    }

    @Override
    public void close() {
      d.close();
    }
  }
}
