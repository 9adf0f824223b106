package com.paysvc.common.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * The rest of a body whose request was answered before it was read: refused before the body (401 from the guard, 413
 * from Content-Length, 415, 503 from the body budget), or left unread and answered without it (a form body where no
 * form is taken, common/launch's RequestBodies). The answer says {@code Connection: close} and the connection is
 * closed once it is written: the unread body costs nothing, and a request paused for the guard does not hold its
 * connection until the idle timeout.
 *
 * <p>Before the close, what arrives within {@link #LINGER_MS} and {@link #LINGER_BYTES} is read and dropped: closing
 * a socket with unread bytes makes the kernel send a reset, which a client that sent a small body in one go (a
 * request without its token) could see instead of the answer; a slow or large sender is cut at once. Draining for
 * seconds instead doubled the other clients' worst read under 300 anonymous slow senders (BodiesBeforeIdentityIT).
 */
public final class UnreadBody {
  public static final long LINGER_MS = 250;
  static final long LINGER_BYTES = 64 * 1024;
  private static final String WATCHED = "paysvc.unread_body";

  private UnreadBody() {
  }

  /**
   * An HTTP/1 request that declares a body (Content-Length above 0, or chunked) not yet read to its end. HTTP/2 is
   * left alone: closing the connection would end its other streams, and flow control bounds what a stream sends.
   */
  public static boolean pending(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2 || request.isEnded()) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !length.equals("0"));
  }

  /**
   * Whatever answers {@code rc} (its route, a failure): if the body is still unread when the answer's head is written,
   * it says {@code Connection: close}, and once the answer has ended what still arrives is dropped for a moment, then
   * the connection closes ({@link #drainThenClose}). A body read by then changes nothing. Once per request. On the
   * answer's body end, not the context's end handlers: those also run when the request fails (a form the upload's
   * BodyHandler cannot decode), and taking the request then kept that failure from its handler: no answer at all.
   */
  public static void closeAfterAnswer(RoutingContext rc) {
    closeAfterAnswer(rc, LINGER_BYTES);
  }

  /**
   * {@link #closeAfterAnswer(RoutingContext)}, dropping up to {@code lingerBytes} before the close instead of
   * {@link #LINGER_BYTES}: a route whose callers are known and whose bodies are larger (an upload refused by its access
   * rule, its type or its slots, with a file of megabytes already on the way) lets the client read its answer rather
   * than a reset. The first call for a request decides.
   */
  public static void closeAfterAnswer(RoutingContext rc, long lingerBytes) {
    if (rc.get(WATCHED) != null) {
      return;
    }
    rc.put(WATCHED, Boolean.TRUE);
    HttpServerRequest request = rc.request();
    rc.addHeadersEndHandler(v -> {
      if (pending(request)) {
        rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
    });
    rc.addBodyEndHandler(v -> {
      if (pending(request)) {
        // On the next turn of the event loop: an answer written while the connection was reading goes out only when
        // that read completes, and a close (a large sender is cut at once) would reset the connection ahead of it.
        rc.vertx().runOnContext(next -> drainThenClose(rc.vertx(), request, lingerBytes));
      }
    });
  }

  /** After the answer is written: drop what still arrives for a moment, then close. */
  private static void drainThenClose(Vertx vertx, HttpServerRequest request, long lingerBytes) {
    HttpConnection connection = request.connection();
    if (request.isEnded()) {
      connection.close();
      return;
    }
    long linger = vertx.setTimer(LINGER_MS, id -> connection.close());
    long[] dropped = {0};
    request.exceptionHandler(e -> {
      vertx.cancelTimer(linger);
      // A malformed chunk among what is dropped: Vert.x closes at once; this flushes the answer first.
      MalformedRequests.answerBrokenBody(request, e);
    })
      .handler(chunk -> {
        dropped[0] += chunk.length();
        if (dropped[0] > lingerBytes) {
          vertx.cancelTimer(linger);
          connection.close();
        }
      })
      .endHandler(v -> {
        vertx.cancelTimer(linger);
        connection.close();
      })
      .resume();
  }
}
