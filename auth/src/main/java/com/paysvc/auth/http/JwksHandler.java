package com.paysvc.auth.http;

import com.paysvc.auth.service.SigningKeys;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /auth/.well-known/jwks.json}: the public keys verifiers need, serialised once at start. Verifiers
 * may cache it for 5 minutes; they re-fetch on an unknown kid anyway (see common's Jwks), so a rotation is
 * picked up at once.
 */
public final class JwksHandler implements Handler<RoutingContext> {
  private final SigningKeys keys;

  public JwksHandler(SigningKeys keys) {
    this.keys = keys;
  }

  @Override
  public void handle(RoutingContext rc) {
    rc.response()
      .putHeader("Content-Type", "application/json")
      .putHeader("Cache-Control", "public, max-age=300")
      .end(keys.jwks());
  }
}
