package com.paysvc.common.events;

import io.vertx.core.Future;

/** Handles one event; a failed future (or an exception) makes the bridge retry it, then dead-letter it. */
@FunctionalInterface
public interface EventHandler {
  Future<?> handle(Event event);
}
