package com.paysvc.common.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers a request the HTTP decoder could not take (a request line over the server's limit, headers over theirs, a
 * malformed line) in the error shape of every other 4xx, then closes the connection as Vert.x's default does (the
 * rest of the stream cannot be trusted). Vert.x's own answer was the bare status with an empty body.
 */
public final class MalformedRequests implements Handler<HttpServerRequest> {
  private static final Buffer URI_TOO_LONG = body(ErrorCode.URI_TOO_LONG, "the request line is longer than the server accepts");
  private static final Buffer HEADERS_TOO_LARGE = body(ErrorCode.HEADERS_TOO_LARGE, "the request headers are larger than the server accepts");
  private static final Buffer MALFORMED = body(ErrorCode.VALIDATION_ERROR, "malformed HTTP request");

  private static Buffer body(ErrorCode code, String message) {
    return new ApiException(code, message).toJson().toBuffer();
  }

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ErrorCode code;
    Buffer body;
    if (cause instanceof TooLongHttpLineException) {
      code = ErrorCode.URI_TOO_LONG;
      body = URI_TOO_LONG;
    } else if (cause instanceof TooLongHttpHeaderException) {
      code = ErrorCode.HEADERS_TOO_LARGE;
      body = HEADERS_TOO_LARGE;
    } else {
      code = ErrorCode.VALIDATION_ERROR;
      body = MALFORMED;
    }
    request.response().setStatusCode(code.status()).putHeader(Endpoint.CONTENT_TYPE, Endpoint.APPLICATION_JSON)
      .end(body).onComplete(ar -> request.connection().close());
  }
}
