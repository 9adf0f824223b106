package com.paysvc.auth.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

/** auth's routes, bound to the operations of openapi.yaml. */
public final class AuthApi {
  private final JwksHandler jwks;
  private final ClientCredentialsHandler token;

  public AuthApi(JwksHandler jwks, ClientCredentialsHandler token) {
    this.jwks = jwks;
    this.token = token;
  }

  public Router router(Vertx vertx, OpenAPIContract contract) {
    // Bodies were already read by the global BodyHandler: validate rc.body(), not the (consumed) request stream.
    RouterBuilder rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    rb.getRoutes().forEach(r -> r.setDoSecurity(false));
    rb.getRoute("jwks").addHandler(jwks);
    // The token request is checked by hand (ClientCredentialsHandler.parse): the contract documents the form
    // and JSON bodies and HTTP Basic, but "client credentials in the body or in the Authorization header, not
    // both" is not expressible for the validator, and vertx-openapi 5.0.8 re-decodes form values (a secret
    // with '%' or '+' would be altered), as the users service saw for query values.
    rb.getRoute("token").setDoValidation(false).addHandler(token);
    return rb.createRouter();
  }
}
