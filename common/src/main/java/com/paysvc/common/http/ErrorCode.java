package com.paysvc.common.http;

/** The error codes of SPEC §3 with their HTTP status. */
public enum ErrorCode {
  VALIDATION_ERROR(400),
  FILE_UPLOAD_ERROR(400),
  INVALID_SECOND_LOGIN(400),
  UNAUTHORIZED(401),
  FORBIDDEN(403),
  NOT_FOUND(404),
  METHOD_NOT_ALLOWED(405),
  CONFLICT(409),
  CONTACT_TYPE_CONFLICT(409),
  PAYLOAD_TOO_LARGE(413),
  URI_TOO_LONG(414),
  UNSUPPORTED_MEDIA_TYPE(415),
  RATE_LIMITED(429),
  HEADERS_TOO_LARGE(431),
  INTERNAL_ERROR(500),
  DATABASE_ERROR(503),
  DEPENDENCY_UNAVAILABLE(503);

  private final int status;

  ErrorCode(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }
}
