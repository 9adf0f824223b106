package com.paysvc.common.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A route's last handler from an action that returns a future: its result is answered, a failure (thrown or failed)
 * goes to the failure handler, which writes the error shape.
 */
public final class Endpoint {
  private Endpoint() {
  }

  /** Header name and value encoded once, not per response. */
  public static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
  public static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  public static <T> Handler<RoutingContext> of(Function<RoutingContext, Future<T>> action, BiConsumer<RoutingContext, T> answer) {
    return rc -> {
      Future<T> result;
      try {
        result = action.apply(rc);
      } catch (RuntimeException e) {
        rc.fail(e);
        return;
      }
      result.onSuccess(v -> {
        // Answered meanwhile: a malformed chunk in the request's body (MalformedRequests) ends it at once.
        if (!rc.response().headWritten()) {
          answer.accept(rc, v);
        }
      }).onFailure(rc::fail);
    };
  }

  /** An action whose result is a JSON body, written as is (no re-serialisation) with {@code status}. */
  public static Handler<RoutingContext> json(Function<RoutingContext, Future<Buffer>> action, int status) {
    return of(action, (rc, body) -> rc.response().setStatusCode(status).putHeader(CONTENT_TYPE, APPLICATION_JSON).end(body));
  }
}
