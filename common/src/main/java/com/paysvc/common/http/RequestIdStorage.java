package com.paysvc.common.http;

import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * Owns the context-local slot that holds the request id ({@link RequestIdLogging}).
 *
 * <p>A Vertx instance sizes the local storage of its contexts when it is built, so a local registered later does
 * not exist on them (reading it fails). Vert.x loads its service providers (declared in
 * {@code META-INF/services/io.vertx.core.spi.VertxServiceProvider}) before it does that, which initializes this
 * class and registers the slot in time, whoever builds the first instance (launcher, tests, tools).
 */
public final class RequestIdStorage implements VertxServiceProvider {
  static final ContextLocal<String> REQUEST_ID = ContextLocal.registerLocal(String.class);

  /**
   * Nothing to configure: loading the class is the point. The parameter's type is fixed by the SPI (it lives in
   * Vert.x's internal package); it is not used.
   */
  @Override
  public void init(VertxBootstrap builder) {
  }
}
