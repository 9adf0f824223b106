package com.paysvc.common.launch;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.BodyBudget;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.http.UnreadBody;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a request's body is read, once its caller is known ({@link Authentication}): the rules of its route, then a
 * reservation in the instance's {@link BodyBudget}, then the read.
 *
 * <ul>
 *   <li>Raw-JSON paths ({@link ServiceDefinition#jsonBodyLimits}): {@code Content-Type: application/json} or 415, and
 *       their own limit.</li>
 *   <li>Upload paths ({@link ServiceDefinition#uploadPaths}): nothing read here, whatever the type. The route reads a
 *       multipart body with its own BodyHandler, which spools to disk behind the route's slots (not heap, so not the
 *       budget's), and refuses anything else before reading it (users: 415).</li>
 *   <li>A form ({@code application/x-www-form-urlencoded}) or multipart body anywhere else but on a form path
 *       ({@link ServiceDefinition#formPaths}, urlencoded only): never read nor decoded. The request goes on without
 *       it: an operation that takes a JSON body answers 415 (its contract), a method no route takes 405, one that takes
 *       no body answers as it would; the answer says {@code Connection: close} and the connection closes after it
 *       ({@link UnreadBody}). Decoding it answered 400 for a broken %-escape where the contract says 415.</li>
 *   <li>Everything else: {@code HTTP_BODY_LIMIT_KB}.</li>
 * </ul>
 *
 * A declared Content-Length over the limit is refused (413) before a byte is read. The reservation is the declared
 * length, or the route's limit for a body of unknown length (chunked, HTTP/2); it is given back when the response
 * ends, however it ends. A body that does not fit is refused with 503 DEPENDENCY_UNAVAILABLE and Retry-After.
 *
 * <p>The rules of a path are bound as routes of the same router as the services' routes, so every spelling the router
 * maps to a route (a trailing slash, {@code //}, dot segments, %-encoded unreserved characters) gets that route's
 * rules: an exact match on the normalised path let {@code /webhooks/2can/} past the 64 KiB and content-type checks.
 */
final class RequestBodies {
  private static final String RULE = "paysvc.body_rule";
  private static final Object UPLOAD = new Object();
  private static final Object FORM = new Object();
  /** A refused body is worth retrying once the bodies being read are done: about a second at these sizes. */
  private static final int RETRY_AFTER_SECONDS = 1;

  private final BodyBudget budget;
  private final long limit;
  private final BodyHandler bodies;
  private final Map<String, JsonBody> jsonPaths = new java.util.LinkedHashMap<>();
  private final Set<String> uploadPaths;
  private final Set<String> formPaths;

  RequestBodies(BodyBudget budget, long limit, Map<String, Integer> jsonLimits, Set<String> uploadPaths,
                Set<String> formPaths, MeterRegistry registry) {
    this.budget = budget;
    this.limit = limit;
    // Form fields stay in formAttributes(): merged into params() (Vert.x's default), they made the body handler decode
    // the query after the body ended, outside the routing context, so a form sent with a broken %-escape in its query
    // was never answered.
    this.bodies = BodyHandler.create(false).setBodyLimit(limit).setMergeFormAttributes(false);
    jsonLimits.forEach((path, max) -> jsonPaths.put(path, new JsonBody(path, max, registry)));
    this.uploadPaths = Set.copyOf(uploadPaths);
    this.formPaths = Set.copyOf(formPaths);
  }

  /** Binds the paths' rules, then the read of every body under {@code area} ({@code <prefix>/*}). */
  void install(Router router, String area) {
    for (String path : uploadPaths) {
      router.route(path).handler(rc -> mark(rc, UPLOAD));
    }
    // POST only: another method on the path answers 405 (the service's router), not 415 for its body.
    jsonPaths.forEach((path, rule) -> router.post(path).handler(rc -> mark(rc, rule)));
    for (String path : formPaths) {
      router.post(path).handler(rc -> mark(rc, FORM));
    }
    router.route(area).handler(this::read);
  }

  private static void mark(RoutingContext rc, Object rule) {
    rc.put(RULE, rule);
    rc.next();
  }

  /** A GET or HEAD that declares no body has nothing to read (most requests: the body handler would cost each one). */
  static boolean mayHaveBody(HttpServerRequest request) {
    HttpMethod m = request.method();
    return !((m == HttpMethod.GET || m == HttpMethod.HEAD) && request.getHeader(HttpHeaders.CONTENT_LENGTH) == null
      && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null);
  }

  private void read(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    if (!mayHaveBody(request)) {
      rc.next();
      return;
    }
    if (rc.response().ended() || rc.response().closed()) {
      // Answered (a malformed chunk: MalformedRequests) or gone while the guard ran: nothing left to read, and an end
      // handler (the reservation's) can no longer be added to an ended response.
      return;
    }
    Object rule = rc.get(RULE);
    if (rule == UPLOAD) {
      // The route reads it, or refuses it unread.
      rc.next();
      return;
    }
    JsonBody json = rule instanceof JsonBody j ? j : null;
    if (json != null && !json.acceptsType(rc)) {
      return;
    }
    if (json == null && undecodedForm(request.getHeader(HttpHeaders.CONTENT_TYPE), rule == FORM)) {
      UnreadBody.closeAfterAnswer(rc);
      rc.next();
      return;
    }
    long max = json != null ? json.max : limit;
    long declared = contentLength(request);
    if (declared > max) {
      if (json != null) {
        json.tooLarge.increment();
      }
      rc.fail(new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + max + " bytes"));
      return;
    }
    boolean unknownLength = declared < 0
      && (request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING));
    long reserve = declared >= 0 ? declared : unknownLength ? max : 0;
    if (reserve > 0 && !reserve(rc, reserve)) {
      return;
    }
    if (json != null) {
      json.read(rc);
    } else {
      bodies.handle(rc);
    }
  }

  /** Takes {@code bytes} of the budget until the response ends; refuses the request (503) when they do not fit. */
  private boolean reserve(RoutingContext rc, long bytes) {
    if (!budget.tryReserve(bytes)) {
      rc.fail(new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE,
        "the service is reading as many request bodies as it holds at once: retry shortly",
        new JsonObject().put("retry_after_seconds", RETRY_AFTER_SECONDS)));
      return false;
    }
    boolean[] released = {false};
    Runnable release = () -> {
      if (!released[0]) {
        released[0] = true;
        budget.release(bytes);
      }
    };
    // Response sent, failed, or connection closed: the context's end handlers run once for any of them (read() saw it
    // neither answered nor closed, so they are still to run).
    rc.addEndHandler(ar -> release.run());
    return true;
  }

  /** The declared Content-Length, or -1 when there is none (or it is not a plain number: Netty refuses those first). */
  private static long contentLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || length.isEmpty() || length.length() > 18 || !length.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(length);
  }

  /**
   * A form or multipart body that is not to be decoded: multipart anywhere (upload paths never get here), a urlencoded
   * form but on a form path. The prefixes Vert.x's BodyHandler decodes by, and every other multipart type.
   */
  private static boolean undecodedForm(String contentType, boolean formPath) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    return type.startsWith("multipart/") || !formPath && type.startsWith("application/x-www-form-urlencoded");
  }

  /** The body rules of one raw-JSON path (see {@link ServiceDefinition#jsonBodyLimits}), with its refusal counters. */
  private static final class JsonBody {
    private final BodyHandler bodies;
    private final long max;
    private final Counter tooLarge;
    private final Counter notJson;

    JsonBody(String path, int max, MeterRegistry registry) {
      this.bodies = BodyHandler.create(false).setBodyLimit(max).setMergeFormAttributes(false);
      this.max = max;
      this.tooLarge = counter(registry, path, "too_large");
      this.notJson = counter(registry, path, "not_json");
    }

    private static Counter counter(MeterRegistry registry, String path, String reason) {
      return Counter.builder("paysvc_http_body_refused").tag("path", path).tag("reason", reason)
        .description("request bodies refused before they were read").register(registry);
    }

    boolean acceptsType(RoutingContext rc) {
      String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        notJson.increment();
        rc.fail(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json"));
        return false;
      }
      return true;
    }

    void read(RoutingContext rc) {
      // A chunked body over the limit: the BodyHandler stops keeping it and fails with 413.
      rc.addEndHandler(ar -> {
        if (rc.response().getStatusCode() == 413) {
          tooLarge.increment();
        }
      });
      bodies.handle(rc);
    }
  }
}
