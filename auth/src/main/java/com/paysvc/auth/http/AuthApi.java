package com.paysvc.auth.http;

import com.paysvc.auth.service.Credentials;
import com.paysvc.auth.service.Registration;
import com.paysvc.auth.service.Sessions;
import com.paysvc.auth.service.TokenPair;
import com.paysvc.common.http.AccessRule;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.Operations;
import com.paysvc.common.http.RequestId;
import com.paysvc.common.security.Caller;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/** auth's routes, bound to the operations of openapi.yaml. */
public final class AuthApi {
  private final JwksHandler jwks;
  private final ClientCredentialsHandler token;
  private final Registration registration;
  private final Sessions sessions;
  private final Credentials credentials;
  /** Authentication: the JWT guard. */
  private final Handler<RoutingContext> guard;
  private final ClientIp clientIp;

  public AuthApi(JwksHandler jwks, ClientCredentialsHandler token, Registration registration, Sessions sessions,
                 Credentials credentials, Handler<RoutingContext> guard, ClientIp clientIp) {
    this.jwks = jwks;
    this.token = token;
    this.registration = registration;
    this.sessions = sessions;
    this.credentials = credentials;
    this.guard = guard;
    this.clientIp = clientIp;
  }

  /**
   * The operations whose requests the contract does not validate, and what checks them instead (the only place that
   * turns validation off; AuthRoutesTest asserts the list).
   */
  static final Map<String, String> UNVALIDATED = Map.of(
    "token", "checked by hand (ClientCredentialsHandler.parse): the contract documents the form and JSON bodies and "
      + "HTTP Basic, but \"client credentials in the body or in the Authorization header, not both\" is not expressible "
      + "for the validator, and vertx-openapi 5.0.8 re-decodes form values (a secret with '%' or '+' would be altered)"
      + "; the router's copy of the contract drops the form media type it refuses (AuthDefinition.forValidator)");

  /** Anyone: no credential, or one the action checks itself (a password, a refresh token, a client secret). */
  static final AccessRule ANYONE = AccessRule.checkedBy("anyone");
  /**
   * A valid access token: the guard checks it ahead of the contract's checks (an anonymous caller learns nothing of
   * bodies); this step only makes sure it ran (no caller: 500, never an open route).
   */
  static final AccessRule SIGNED_IN = AccessRule.of("a valid access token", Caller::of);
  /** Self with the old password, or an admin: Credentials decides (it needs the caller and the stored hash). */
  static final AccessRule SELF_WITH_PASSWORD_OR_ADMIN = AccessRule.of(
    "a valid access token: the user itself with its old password, or an admin (Credentials.set)", Caller::of);

  public Router router(Vertx vertx, OpenAPIContract contract) {
    return operations(vertx, contract).router();
  }

  /**
   * The route table: every operation of the contract with what it answers, who may call it and its action. The guard
   * of the operations that need a token goes in front of the contract's router.
   */
  Operations operations(Vertx vertx, OpenAPIContract contract) {
    Operations ops = new Operations(vertx, contract, UNVALIDATED);
    ops.ahead().route().failureHandler(new RetryAfter());
    // A request this router cannot even match — a broken %-escape in the query of a route with a path parameter (Vert.x
    // adds path parameters to request().params(), which decodes the query) — would get Vert.x's empty 400 here: the
    // error shape instead, as the service's top router answers such requests.
    ops.ahead().errorHandler(400, AuthApi::malformed);
    ops.handler("jwks", ANYONE, jwks);
    ops.handler("token", ANYONE, token);
    ops.answer("register", ANYONE, rc -> {
      JsonObject b = rc.body().asJsonObject();
      return registration.register(contacts(b), b.getJsonObject("profile"), b.getString("password"), clientIp.of(rc),
        RequestId.of(rc));
    }, json(201));
    ops.answer("login", ANYONE, rc -> {
      JsonObject b = rc.body().asJsonObject();
      return sessions.login(b.getString("identifier"), b.getString("password"), clientIp.of(rc), RequestId.of(rc));
    }, AuthApi::tokens);
    ops.answer("refresh", ANYONE, rc -> sessions.refresh(rc.body().asJsonObject().getString("refresh_token"), RequestId.of(rc)),
      AuthApi::tokens);

    // A valid access token first (before the contract's checks: an anonymous caller learns nothing about bodies).
    ops.ahead().post("/auth/logout").handler(guard);
    ops.ahead().get("/auth/me").handler(guard);
    ops.ahead().put("/auth/credentials/:user_id").handler(guard);
    ops.answer("logout", SIGNED_IN, rc -> sessions.logout(Caller.of(rc), "true".equals(rc.queryParams().get("all"))),
      AuthApi::noContent);
    ops.handler("me", SIGNED_IN, rc -> rc.json(me(Caller.of(rc))));
    ops.answer("setCredentials", SELF_WITH_PASSWORD_OR_ADMIN, rc -> {
      JsonObject b = rc.body().asJsonObject();
      return credentials.set(Caller.of(rc), userId(rc.pathParam("user_id")), b.getString("password"),
        b.getString("old_password"), clientIp.of(rc), RequestId.of(rc));
    }, AuthApi::noContent);
    return ops;
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

  private static BiConsumer<RoutingContext, JsonObject> json(int status) {
    return (rc, body) -> rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }

  /** Token answers must not be cached (RFC 6749 §5.1). */
  private static void tokens(RoutingContext rc, TokenPair pair) {
    rc.response()
      .putHeader("Content-Type", "application/json")
      .putHeader("Cache-Control", "no-store")
      .putHeader("Pragma", "no-cache")
      .end(pair.toJson().toBuffer());
  }

  private static void malformed(RoutingContext rc) {
    if (!rc.response().ended()) {
      rc.response().setStatusCode(400).putHeader("Content-Type", "application/json")
        .end(ApiException.validation("malformed request").toJson().toBuffer());
    }
  }

  private static void noContent(RoutingContext rc, Void nothing) {
    rc.response().setStatusCode(204).end();
  }
}
