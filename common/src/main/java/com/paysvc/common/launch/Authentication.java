package com.paysvc.common.launch;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * Who a request under the service's gateway prefix must be before its body is read: {@code guard} (the service's
 * JWT guard: it puts the caller on the context and calls next, or fails the request) runs on every such request but
 * those of the public paths, and a request with a body waits, paused and unread, until it has passed. An anonymous
 * caller is refused before a byte of its body is buffered; the rest of it is dropped (common/http's UnreadBody).
 *
 * <p>The public paths are route paths in Vert.x's syntax, matched by the same router as the routes themselves, so
 * every spelling that reaches a route (a trailing slash, {@code //}, dot segments, %-escapes) is public or guarded as
 * that route is; any method. The guard must be idempotent (JwtGuard is: a request whose caller is known passes): the
 * services' own routers install it again in front of their routes.
 */
record Authentication(Handler<RoutingContext> guard, List<String> publicPaths) {
  private static final String PUBLIC = "paysvc.public_path";

  Authentication {
    publicPaths = List.copyOf(publicPaths);
  }

  /** Marks the public paths, then guards everything else under {@code area} ({@code <prefix>/*}). */
  void install(Router router, String area) {
    for (String path : publicPaths) {
      router.route(path).handler(rc -> {
        rc.put(PUBLIC, Boolean.TRUE);
        rc.next();
      });
    }
    router.route(area).handler(this::authenticate);
  }

  private void authenticate(RoutingContext rc) {
    if (rc.get(PUBLIC) != null) {
      rc.next();
      return;
    }
    if (RequestBodies.mayHaveBody(rc.request())) {
      // The guard may answer later (a key fetch, Redis): what arrives meanwhile waits in Vert.x's small inbound queue,
      // which stops reading the socket when full, until the body handler resumes the request.
      rc.request().pause();
    }
    guard.handle(rc);
  }
}
