package com.paysvc.common.events;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * The envelope every event travels in: {@code {event_id, event_type, occurred_at, producer, correlation_id, data}}.
 * {@code correlationId} is the request id of the HTTP call that caused the event (may be null).
 */
public record Event(UUID id, String type, Instant occurredAt, String producer, String correlationId, JsonObject data) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("event_id", id.toString())
      .put("event_type", type)
      .put("occurred_at", occurredAt.toString())
      .put("producer", producer)
      .put("correlation_id", correlationId)
      .put("data", data);
  }

  /** Parses an envelope; throws {@link IllegalArgumentException} when a required field is missing or malformed. */
  public static Event fromJson(JsonObject json) {
    try {
      String id = json.getString("event_id");
      String type = json.getString("event_type");
      String occurredAt = json.getString("occurred_at");
      if (id == null || type == null || occurredAt == null) {
        throw new IllegalArgumentException("envelope lacks event_id, event_type or occurred_at");
      }
      JsonObject data = json.getJsonObject("data");
      return new Event(UUID.fromString(id), type, Instant.parse(occurredAt), json.getString("producer"),
        json.getString("correlation_id"), data == null ? new JsonObject() : data);
    } catch (ClassCastException | java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("malformed envelope: " + e.getMessage(), e);
    }
  }
}
