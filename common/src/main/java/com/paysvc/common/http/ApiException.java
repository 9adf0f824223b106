package com.paysvc.common.http;

import io.vertx.core.json.JsonObject;

/**
 * A failure meant for the client: it becomes {@code {"error_code","message","details"}} with the code's status.
 * No stack trace is captured: these are expected outcomes, not bugs.
 */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;
  private final JsonObject details;

  public ApiException(ErrorCode code, String message) {
    this(code, message, new JsonObject());
  }

  public ApiException(ErrorCode code, String message, JsonObject details) {
    super(message, null, false, false);
    this.code = code;
    this.details = details == null ? new JsonObject() : details;
  }

  public static ApiException notFound(String what) {
    return new ApiException(ErrorCode.NOT_FOUND, what + " not found");
  }

  public static ApiException validation(String message) {
    return new ApiException(ErrorCode.VALIDATION_ERROR, message);
  }

  public ErrorCode code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  public JsonObject toJson() {
    return new JsonObject().put("error_code", code.name()).put("message", getMessage()).put("details", details);
  }
}
