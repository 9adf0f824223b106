package com.paysvc.auth.http;

import com.paysvc.auth.service.Credentials;
import com.paysvc.auth.service.Registration;
import com.paysvc.auth.service.Sessions;
import com.paysvc.auth.service.TokenPair;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.Endpoint;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.security.Caller;
import com.paysvc.common.security.JwtGuard;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/** auth's routes, bound to the operations of openapi.yaml. */
public final class AuthApi {
  private final JwksHandler jwks;
  private final ClientCredentialsHandler token;
  private final Registration registration;
  private final Sessions sessions;
  private final Credentials credentials;
  private final JwtGuard guard;
  private final ClientIp clientIp;

  public AuthApi(JwksHandler jwks, ClientCredentialsHandler token, Registration registration, Sessions sessions,
                 Credentials credentials, JwtGuard guard, ClientIp clientIp) {
    this.jwks = jwks;
    this.token = token;
    this.registration = registration;
    this.sessions = sessions;
    this.credentials = credentials;
    this.guard = guard;
    this.clientIp = clientIp;
  }

  public Router router(Vertx vertx, OpenAPIContract contract) {
    // Bodies were already read by the global BodyHandler: validate rc.body(), not the (consumed) request stream.
    RouterBuilder rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    rb.getRoutes().forEach(r -> r.setDoSecurity(false));

    // Open to anyone: keys, the service grant, sign-up, login, refresh (a refresh token is its own credential).
    rb.getRoute("jwks").addHandler(jwks);
    // The token request is checked by hand (ClientCredentialsHandler.parse): the contract documents the form
    // and JSON bodies and HTTP Basic, but "client credentials in the body or in the Authorization header, not
    // both" is not expressible for the validator, and vertx-openapi 5.0.8 re-decodes form values (a secret
    // with '%' or '+' would be altered), as the users service saw for query values.
    rb.getRoute("token").setDoValidation(false).addHandler(token);
    on(rb, "register", 201, rc -> {
      JsonObject b = rc.body().asJsonObject();
      return registration.register(contacts(b), b.getJsonObject("profile"), b.getString("password"), clientIp.of(rc),
        RequestId.of(rc));
    });
    tokens(rb, "login", rc -> {
      JsonObject b = rc.body().asJsonObject();
      return sessions.login(b.getString("identifier"), b.getString("password"), clientIp.of(rc), RequestId.of(rc));
    });
    tokens(rb, "refresh", rc -> sessions.refresh(rc.body().asJsonObject().getString("refresh_token"), RequestId.of(rc)));

    // A valid access token first (before the contract's checks: an anonymous caller learns nothing about bodies).
    Router outer = Router.router(vertx);
    outer.post("/auth/logout").handler(guard);
    outer.get("/auth/me").handler(guard);
    outer.put("/auth/credentials/:user_id").handler(guard);
    noContent(rb, "logout", rc -> sessions.logout(Caller.of(rc), "true".equals(rc.queryParams().get("all"))));
    rb.getRoute("me").addHandler(rc -> rc.json(me(Caller.of(rc))));
    // Self with the old password, or an admin (Credentials decides, it needs the caller and the stored hash).
    noContent(rb, "setCredentials", rc -> {
      JsonObject b = rc.body().asJsonObject();
      return credentials.set(Caller.of(rc), userId(rc.pathParam("user_id")), b.getString("password"),
        b.getString("old_password"), clientIp.of(rc), RequestId.of(rc));
    });
    outer.route("/*").subRouter(rb.createRouter());
    return outer;
  }

  private static final Pattern UUID_TEXT = Pattern.compile(
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Only the canonical 8-4-4-4-12 form (UUID.fromString also takes shortened ones that name another id). */
  static UUID userId(String s) {
    if (s == null || !UUID_TEXT.matcher(s).matches()) {
      throw ApiException.validation("user_id is not a UUID");
    }
    return UUID.fromString(s);
  }

  /** The identifiers of a sign-up as users' contacts; at least one is required. */
  static JsonArray contacts(JsonObject body) {
    JsonArray contacts = new JsonArray();
    for (String type : List.of("email", "phone", "second_login")) {
      String value = body.getString(type);
      if (value != null) {
        contacts.add(new JsonObject().put("type", type).put("value", value));
      }
    }
    if (contacts.isEmpty()) {
      throw ApiException.validation("give at least one of email, phone, second_login");
    }
    return contacts;
  }

  private static JsonObject me(Caller c) {
    JsonObject me = new JsonObject().put("sub", c.subject()).put("roles", new JsonArray(List.copyOf(c.roles())))
      .put("jti", c.jti()).put("iat", c.issuedAt()).put("exp", c.expiresAt());
    if (!c.scopes().isEmpty()) {
      me.put("scope", String.join(" ", c.scopes()));
    }
    if (c.sessionId() != null) {
      me.put("sid", c.sessionId());
    }
    return me;
  }

  private static void on(RouterBuilder rb, String operationId, int status, Function<RoutingContext, Future<JsonObject>> action) {
    rb.getRoute(operationId).addHandler(handler(action, (rc, body) -> rc.response().setStatusCode(status)
      .putHeader("Content-Type", "application/json").end(body.toBuffer())));
  }

  /** Token answers must not be cached (RFC 6749 §5.1). */
  private static void tokens(RouterBuilder rb, String operationId, Function<RoutingContext, Future<TokenPair>> action) {
    rb.getRoute(operationId).addHandler(handler(action, (rc, pair) -> rc.response()
      .putHeader("Content-Type", "application/json")
      .putHeader("Cache-Control", "no-store")
      .putHeader("Pragma", "no-cache")
      .end(pair.toJson().toBuffer())));
  }

  private static void noContent(RouterBuilder rb, String operationId, Function<RoutingContext, Future<Void>> action) {
    rb.getRoute(operationId).addHandler(handler(action, (rc, v) -> rc.response().setStatusCode(204).end()));
  }

  private static <T> Handler<RoutingContext> handler(Function<RoutingContext, Future<T>> action,
                                                     java.util.function.BiConsumer<RoutingContext, T> answer) {
    return Endpoint.of(action, answer);
  }
}
