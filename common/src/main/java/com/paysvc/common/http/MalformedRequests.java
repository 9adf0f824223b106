package com.paysvc.common.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Answers a request the HTTP decoder could not take in the error shape of every other 4xx, then closes the connection
 * as Vert.x's default does (the rest of the stream cannot be trusted):
 * <ul>
 *   <li>its head ({@link #handle}, the server's invalid-request handler): a request line over the server's limit,
 *       headers over theirs, a malformed line. Vert.x's own answer was the bare status with an empty body;</li>
 *   <li>its chunked body ({@link #answerBrokenBody}): a chunk size that is not hex, a chunk line or trailer over the
 *       limits. Vert.x answered nothing: it reports the failure to the request's exception handler (Vert.x Web's
 *       BodyHandler fails the route with it: a 500), then closes the connection at once. The body's side of
 *       eclipse-vertx/vert.x#3724, whose fix (#3751) answers a malformed head only; unchanged up to 5.0.12.</li>
 * </ul>
 */
public final class MalformedRequests implements Handler<HttpServerRequest> {
  private static final Buffer URI_TOO_LONG = body(ErrorCode.URI_TOO_LONG, "the request line is longer than the server accepts");
  private static final Buffer HEADERS_TOO_LARGE = body(ErrorCode.HEADERS_TOO_LARGE, "the request headers are larger than the server accepts");
  private static final Buffer MALFORMED = body(ErrorCode.VALIDATION_ERROR, "malformed HTTP request");
  private static final Buffer MALFORMED_BODY = body(ErrorCode.VALIDATION_ERROR, "malformed chunked body");
  /** Netty's HTTP/1 decoder and its line and header parsers, where a malformed chunk is found. */
  private static final String HTTP1_DECODER = "io.netty.handler.codec.http.HttpObjectDecoder";

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

  /**
   * {@code next}, with every chunked request first given an exception handler that answers a malformed chunk
   * ({@link #answerBrokenBody}): a request whose body nothing reads yet (paused for the guard, a GET of the hot routes,
   * a path outside the service's prefix) would otherwise see its connection closed without an answer. A handler that
   * reads the body replaces it (Vert.x Web's BodyHandler, which fails the route: FailureHandler answers the same way).
   * Only a chunked body can be malformed below HTTP: anything else costs one header look-up.
   */
  public static Handler<HttpServerRequest> answeringBrokenBodies(Handler<HttpServerRequest> next) {
    return request -> {
      if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        request.exceptionHandler(failure -> answerBrokenBody(request, failure));
      }
      next.handle(request);
    };
  }

  /**
   * When {@code failure} is Netty's decoder refusing the request's chunked body: answers 400 VALIDATION_ERROR in the
   * error shape if nothing was answered yet, then closes the connection, and returns true; any other failure: false,
   * nothing done. Vert.x closes the connection right after the request's exception handler returns and drops what was
   * written but not flushed by then: the decoder fails while the connection is reading, and a write made during a
   * read is flushed only when the read completes. Closing it here first flushes what was written
   * ({@code HttpConnection.close}, public; Vert.x 5.0.8's VertxHandler.exceptionCaught closes the channel itself).
   */
  public static boolean answerBrokenBody(HttpServerRequest request, Throwable failure) {
    if (!brokeTheBody(failure)) {
      return false;
    }
    HttpServerResponse response = request.response();
    if (!response.headWritten() && !response.closed()) {
      response.setStatusCode(ErrorCode.VALIDATION_ERROR.status())
        .putHeader(Endpoint.CONTENT_TYPE, Endpoint.APPLICATION_JSON)
        .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
        .end(MALFORMED_BODY);
    }
    request.connection().close();
    return true;
  }

  /** Raised by Netty's HTTP/1 decoder while it read a body: the stream cannot be read any further. */
  static boolean brokeTheBody(Throwable failure) {
    if (failure == null) {
      return false;
    }
    StackTraceElement[] frames = failure.getStackTrace();
    return frames.length > 0 && frames[0].getClassName().startsWith(HTTP1_DECODER);
  }
}
