package com.paysvc.common.http;

import com.paysvc.common.db.DatabaseUnavailableException;
import com.paysvc.common.db.DbErrors;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.pgclient.PgException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Locale;

/**
 * Turns every failure into the SPEC §3 error shape. Clients never see a stack trace or SQL text; unexpected
 * failures are logged with the request id so an operator can find them.
 */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(FailureHandler.class);
  /** Netty's form and multipart decoders. */
  private static final String NETTY_FORMS = "io.netty.handler.codec.http.multipart.";

  @Override
  public void handle(RoutingContext ctx) {
    if (MalformedRequests.answerBrokenBody(ctx.request(), ctx.failure())) {
      // A chunk Netty could not decode, reported by the BodyHandler that was reading it: the connection ends now.
      return;
    }
    ApiException error = toApiException(ctx);
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // Too late for a body: the best we can do is cut the connection so the client sees a broken response.
      ctx.request().connection().close();
      return;
    }
    if (response.closed()) {
      // The client went away (mid-body, say): nobody to answer, and nothing went wrong here.
      log.debug("request {} {} {} ended by the client: {}", RequestId.of(ctx), ctx.request().method(),
        ctx.request().path(), String.valueOf(ctx.failure()));
      return;
    }
    if (error.code().status() >= 500) {
      Throwable cause = ctx.failure();
      log.error("request {} {} {} failed: {}", RequestId.of(ctx), ctx.request().method(), ctx.request().path(),
        error.code(), cause);
    }
    if (error.details().containsKey("retry_after_seconds")) {
      // 429, and a 503 that knows when to retry (the body budget)
      response.putHeader("Retry-After", String.valueOf(error.details().getValue("retry_after_seconds")));
    }
    // Refused before its body was read (the guard, a declared length over the limit, the body budget): the rest of the
    // body is not wanted, and the connection goes once it is drained (UnreadBody).
    UnreadBody.closeAfterAnswer(ctx);
    response.setStatusCode(error.code().status())
      .putHeader(Endpoint.CONTENT_TYPE, Endpoint.APPLICATION_JSON)
      .end(error.toJson().toBuffer());
  }

  static ApiException toApiException(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof ValidatorException v) {
      return new ApiException(ErrorCode.VALIDATION_ERROR, v.getMessage(), new JsonObject());
    }
    if (failure instanceof HttpException http) {
      return fromStatus(http.getStatusCode(), http.getPayload());
    }
    if (failure == null) {
      return fromStatus(ctx.statusCode(), null);
    }
    if (failure instanceof io.vertx.core.json.DecodeException decode) {
      return StrictJson.refusal(decode);
    }
    if (failure instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
      // Class 22, data exception (a value too long, a NUL byte, out of range): the input did not fit, not a fault here.
      return new ApiException(ErrorCode.VALIDATION_ERROR, "a value of the request is not acceptable");
    }
    if (failure instanceof DatabaseUnavailableException || failure instanceof ClosedConnectionException
      || (failure instanceof PgException && DbErrors.isInfrastructure(failure))) {
      return new ApiException(ErrorCode.DATABASE_ERROR, "the database is unavailable, retry shortly");
    }
    if (failure instanceof OpenCircuitException || failure instanceof TimeoutException) {
      return new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE, "a dependency is unavailable, retry shortly");
    }
    ApiException unreadable = unreadableRequest(ctx, failure);
    return unreadable != null ? unreadable : new ApiException(ErrorCode.INTERNAL_ERROR, "internal error");
  }

  /**
   * A failure raised while Vert.x and Netty decoded the request, before any handler of ours read it: the client's
   * bytes, not a fault here (each was a 500, issue 27 item 6). A form or multipart body Netty's decoder cannot read
   * (a broken %-escape, a part without a name) or that is over its limits (too many fields, a field too long); a form
   * body on a method Vert.x decodes none for (GET, HEAD, OPTIONS, TRACE...: the body handler's setExpectMultipart
   * throws); a query string with a broken %-escape (the contract's validator reads it through Netty's
   * QueryStringDecoder). The root of the last two is the body handling in common/launch (HttpVerticle); this keeps
   * their answers in the 4xx error shape.
   */
  private static ApiException unreadableRequest(RoutingContext ctx, Throwable failure) {
    if (failure instanceof HttpPostRequestDecoder.TooManyFormFieldsException
      || failure instanceof HttpPostRequestDecoder.TooLongFormFieldException
      || failure instanceof IOException && raisedIn(failure, NETTY_FORMS)) {
      return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the form has more or longer fields than the server accepts");
    }
    // Netty's multipart decoder also fails on some malformed parts with a NullPointerException of its own.
    if (failure instanceof HttpPostRequestDecoder.ErrorDataDecoderException || raisedIn(failure, NETTY_FORMS)
      // Vert.x's BodyHandler fails a body the decoder refused with 400 and the decoder exception's cause: Netty's bare
      // IllegalArgumentException for a field named "%" (%=%) or with no name at all (=&=&).
      || ctx.statusCode() == 400 && isForm(ctx.request().getHeader(Endpoint.CONTENT_TYPE))) {
      return ApiException.validation("the form body cannot be decoded");
    }
    HttpMethod method = ctx.request().method();
    if (failure instanceof IllegalStateException && isForm(ctx.request().getHeader(Endpoint.CONTENT_TYPE))
      && method != HttpMethod.POST && method != HttpMethod.PUT && method != HttpMethod.PATCH && method != HttpMethod.DELETE) {
      return ApiException.validation(method.name() + " requests carry no form body");
    }
    if (failure instanceof IllegalArgumentException && !decodes(ctx.request().uri())) {
      return ApiException.validation("the query string cannot be decoded (a broken %-escape)");
    }
    return null;
  }

  private static boolean raisedIn(Throwable failure, String packagePrefix) {
    StackTraceElement[] frames = failure.getStackTrace();
    return frames.length > 0 && frames[0].getClassName().startsWith(packagePrefix);
  }

  private static boolean isForm(String contentType) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
  }

  private static boolean decodes(String uri) {
    try {
      new QueryStringDecoder(uri).parameters();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static ApiException fromStatus(int status, String payload) {
    String message = payload != null && !payload.isBlank() ? payload : null;
    return switch (status) {
      case 400 -> new ApiException(ErrorCode.VALIDATION_ERROR, message != null ? message : "bad request");
      case 401 -> new ApiException(ErrorCode.UNAUTHORIZED, "authentication required");
      case 403 -> new ApiException(ErrorCode.FORBIDDEN, "forbidden");
      case 404 -> new ApiException(ErrorCode.NOT_FOUND, "not found");
      case 405 -> new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed");
      case 413 -> new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body too large");
      case 415 -> new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported content type");
      case 429 -> new ApiException(ErrorCode.RATE_LIMITED, "too many requests");
      case 503 -> new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE, "a dependency is unavailable, retry shortly");
      default -> status >= 400 && status < 500
        ? new ApiException(ErrorCode.VALIDATION_ERROR, message != null ? message : "bad request")
        : new ApiException(ErrorCode.INTERNAL_ERROR, "internal error");
    };
  }
}
