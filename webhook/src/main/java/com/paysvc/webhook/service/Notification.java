package com.paysvc.webhook.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.StrictJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * A 2can payment notification, read from its (already verified) raw body and checked against the contract's
 * {@code Notification} schema, plus what JSON Schema cannot say: the amount is written as an integer (1.0 is not
 * minor units) and occurred_at is a real RFC 3339 instant.
 */
public record Notification(String eventId, String transactionId, String status, long amount, String currency,
                           String payerPhone, String orderId, OffsetDateTime occurredAt) {

  /** The schema validator, built once from the contract. */
  public static final class Reader {
    private final Validator validator;

    public Reader(JsonObject openapi) {
      JsonObject schema = openapi.getJsonObject("components").getJsonObject("schemas").getJsonObject("Notification");
      this.validator = Validator.create(JsonSchema.of(schema.copy()),
        new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app://webhook/"));
    }

    public Notification read(Buffer body) {
      Object parsed;
      try {
        // The process' codec refuses a key twice (common's StrictJson): "amount" once, or no notification at all.
        parsed = body.length() == 0 ? null : io.vertx.core.json.Json.decodeValue(body);
      } catch (DecodeException e) {
        throw StrictJson.refusal(e);
      }
      if (!(parsed instanceof JsonObject json)) {
        throw ApiException.validation("the body must be a JSON object");
      }
      OutputUnit result = validator.validate(json);
      if (!Boolean.TRUE.equals(result.getValid())) {
        throw new ApiException(ErrorCode.VALIDATION_ERROR, "the notification does not match the contract",
          new JsonObject().put("errors", errors(result)));
      }
      // JSON Schema's "pattern" finds the pattern in the value (a trailing newline passes "^[A-Z]{3}$"), and Postgres
      // text cannot hold NUL: no control characters anywhere, and the patterns matched whole.
      for (String field : json.fieldNames()) {
        if (json.getValue(field) instanceof String v && hasControl(v)) {
          throw ApiException.validation(field + " must not contain control characters");
        }
      }
      String currency = json.getString("currency");
      String phone = json.getString("payer_phone");
      if (!CURRENCY.matcher(currency).matches() || (phone != null && !PHONE.matcher(phone).matches())) {
        throw ApiException.validation("currency or payer_phone does not match its pattern");
      }
      Object amount = json.getValue("amount");
      if (!(amount instanceof Integer || amount instanceof Long)) {
        throw ApiException.validation("amount must be a whole number of minor units");
      }
      OffsetDateTime occurredAt;
      try {
        occurredAt = OffsetDateTime.parse(json.getString("occurred_at"));
      } catch (DateTimeParseException e) {
        throw ApiException.validation("occurred_at must be an RFC 3339 date-time with an offset");
      }
      return new Notification(json.getString("event_id"), json.getString("transaction_id"), json.getString("status"),
        ((Number) amount).longValue(), json.getString("currency"), json.getString("payer_phone"), json.getString("order_id"),
        occurredAt);
    }

    private static final java.util.regex.Pattern CURRENCY = java.util.regex.Pattern.compile("[A-Z]{3}");
    private static final java.util.regex.Pattern PHONE = java.util.regex.Pattern.compile("\\+[1-9][0-9]{1,14}");

    private static boolean hasControl(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          return true;
        }
      }
      return false;
    }

    private static JsonArray errors(OutputUnit result) {
      JsonArray out = new JsonArray();
      if (result.getErrors() != null) {
        result.getErrors().stream().limit(10).forEach(e -> out.add(new JsonObject()
          .put("at", e.getInstanceLocation()).put("error", e.getError())));
      }
      return out;
    }
  }

}
