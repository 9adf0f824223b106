package com.paysvc.common.events;

import com.paysvc.common.config.Setting;

import java.util.List;

/** Settings of the event plumbing (outbox relay, bridge, topology); the queue name defaults per service. */
public final class EventSettings {
  public static final Setting<String> EXCHANGE = Setting.string("EVENTS_EXCHANGE", "paysvc.events",
    "topic exchange events are published to (routing key = event type)");
  public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer("EVENTS_MAX_ATTEMPTS", 5, 1, 100,
    "deliveries of one event to a failing handler before it is dead-lettered");
  public static final Setting<Integer> RETRY_DELAY_MS = Setting.integer("EVENTS_RETRY_DELAY_MS", 2000, 10, 3_600_000,
    "how long a failed event waits in the retry queue before the next attempt");
  public static final Setting<Integer> PREFETCH = Setting.integer("EVENTS_PREFETCH", 20, 1, 1000,
    "unacknowledged deliveries the bridge holds at once (basic.qos)");
  public static final Setting<Integer> HANDLER_TIMEOUT_MS = Setting.integer("EVENTS_HANDLER_TIMEOUT_MS", 30_000, 100, 600_000,
    "a handler that has not replied after this long counts as failed");
  public static final Setting<Integer> BATCH_SIZE = Setting.integer("EVENTS_BATCH_SIZE", 100, 1, 1000,
    "outbox rows the relay publishes per confirmed batch");
  public static final Setting<Integer> SWEEP_MS = Setting.integer("EVENTS_SWEEP_MS", 5000, 50, 600_000,
    "period of the relay's sweep for events it was not woken for");
  public static final Setting<Integer> CONFIRM_TIMEOUT_MS = Setting.integer("EVENTS_CONFIRM_TIMEOUT_MS", 5000, 100, 120_000,
    "how long the relay waits for the broker to confirm a batch");
  public static final Setting<Integer> RELAY_LEASE_MS = Setting.integer("EVENTS_RELAY_LEASE_MS", 15_000, 500, 600_000,
    "lease of the one relay per database that publishes; another instance takes over when it expires");
  public static final Setting<Integer> RETENTION_HOURS = Setting.integer("EVENTS_RETENTION_HOURS", 72, 1, 24 * 365,
    "sent outbox rows are pruned after this many hours");
  public static final Setting<Integer> INBOX_RETENTION_HOURS = Setting.integer("EVENTS_INBOX_RETENTION_HOURS", 720, 1, 24 * 3650,
    "processed event ids are remembered (duplicates detected) for this many hours");
  public static final Setting<Boolean> DECLARE_SHARED = Setting.bool("EVENTS_DECLARE_SHARED", true,
    "declare the shared exchanges (events, unrouted, dead letters) on connecting; false where the broker's operator "
      + "declares them and this service's broker user may not (bin/stack and compose: rabbitmq/provision.sh)");
  public static final Setting<Integer> RECONNECT_MS = Setting.integer("RABBITMQ_RECONNECT_MS", 1000, 100, 600_000,
    "pause between attempts to (re)connect to RabbitMQ");

  public final Setting<String> queue;

  public EventSettings(String service) {
    queue = Setting.string("EVENTS_QUEUE", service + ".events",
      "this service's durable queue (its retry queue and dead-letter queue are named after it)");
  }

  public List<Setting<?>> all() {
    return List.of(EXCHANGE, queue, MAX_ATTEMPTS, RETRY_DELAY_MS, PREFETCH, HANDLER_TIMEOUT_MS, BATCH_SIZE, SWEEP_MS,
      CONFIRM_TIMEOUT_MS, RELAY_LEASE_MS, RETENTION_HOURS, INBOX_RETENTION_HOURS, RECONNECT_MS, DECLARE_SHARED);
  }
}
