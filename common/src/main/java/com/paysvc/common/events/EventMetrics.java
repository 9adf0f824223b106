package com.paysvc.common.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.atomic.AtomicLong;

/** What operators watch: events waiting in the outbox, publish latency, redeliveries and dead letters. */
final class EventMetrics {
  final AtomicLong backlog = new AtomicLong();
  final Timer publishLatency;
  final Counter published;
  final Counter redeliveries;
  final Counter deadLettered;
  final Counter requeued;

  EventMetrics(MeterRegistry registry) {
    Gauge.builder("paysvc_events_outbox_backlog", backlog, AtomicLong::get)
      .description("committed events not yet confirmed by the broker (refreshed each sweep)").register(registry);
    publishLatency = Timer.builder("paysvc_events_publish_latency")
      .description("from publishing an outbox batch to the broker's confirm").register(registry);
    published = Counter.builder("paysvc_events_published")
      .description("events published and confirmed").register(registry);
    redeliveries = Counter.builder("paysvc_events_redeliveries")
      .description("deliveries retried after a failed handler or redelivered by the broker").register(registry);
    deadLettered = Counter.builder("paysvc_events_dead_lettered")
      .description("events moved to the dead-letter queue").register(registry);
    requeued = Counter.builder("paysvc_events_requeued")
      .description("deliveries handed back to the queue because their retry copy or ack was not confirmed").register(registry);
  }
}
