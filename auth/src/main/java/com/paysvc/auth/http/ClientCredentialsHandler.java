package com.paysvc.auth.http;

import com.paysvc.auth.service.AttemptLimiter;
import com.paysvc.auth.service.ServiceGrant;
import com.paysvc.auth.service.TokenIssuer;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /auth/token}, the client-credentials grant (RFC 6749 §4.4) for service clients. Parameters come
 * as a form (the RFC's encoding) or as JSON; the client authenticates with HTTP Basic or with
 * {@code client_id}/{@code client_secret} in the body, not both (RFC 6749 §2.3). Failed attempts are limited per
 * client IP; errors use the platform's error shape rather than RFC 6749's {@code {"error": ...}}.
 */
public final class ClientCredentialsHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ClientCredentialsHandler.class);
  static final String GRANT = "client_credentials";

  private final ServiceGrant grant;
  private final AttemptLimiter limiter;
  private final ClientIp clientIp;

  public ClientCredentialsHandler(ServiceGrant grant, AttemptLimiter limiter, ClientIp clientIp) {
    this.grant = grant;
    this.limiter = limiter;
    this.clientIp = clientIp;
  }

  /** What the request carries, whichever encoding it used. */
  record Request(String grantType, String clientId, String clientSecret) {
  }

  @Override
  public void handle(RoutingContext rc) {
    Request req;
    try {
      req = parse(rc);
    } catch (ApiException e) {
      rc.fail(e);
      return;
    }
    String ip = clientIp.of(rc);
    // Counted before the secret is compared (increment-first): a parallel burst of guesses is cut at the limit.
    limiter.attempt(ip)
      .onFailure(rc::fail)
      .onSuccess(v -> {
        TokenIssuer.Issued token = grant.grant(req.clientId(), req.clientSecret());
        if (token == null) {
          rc.fail(new ApiException(ErrorCode.UNAUTHORIZED, "invalid client credentials"));
          return;
        }
        // Only failures count: the right secret gives its attempt back before the answer, so a client's next request
        // finds it back (a failed give-back still answers: the token is valid, the bucket merely fuller).
        limiter.giveBack(ip)
          .onFailure(e -> log.debug("grant attempt of {} not given back: {}", ip, e.toString()))
          .onComplete(ar -> rc.response()
            .putHeader("Content-Type", "application/json")
            // RFC 6749 §5.1: token responses must not be cached.
            .putHeader("Cache-Control", "no-store")
            .putHeader("Pragma", "no-cache")
            .end(new JsonObject()
              .put("access_token", token.token())
              .put("token_type", "Bearer")
              .put("expires_in", token.expiresIn())
              .toBuffer()));
      });
  }

  static Request parse(RoutingContext rc) {
    String contentType = rc.request().getHeader("Content-Type");
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    String grantType;
    String bodyId;
    String bodySecret;
    if (type.startsWith("application/x-www-form-urlencoded")) {
      MultiMap form = rc.request().formAttributes();
      grantType = form.get("grant_type");
      bodyId = form.get("client_id");
      bodySecret = form.get("client_secret");
    } else if (type.startsWith("application/json")) {
      JsonObject body = jsonObject(rc);
      if (body == null) {
        throw ApiException.validation("a JSON object body is required");
      }
      grantType = string(body, "grant_type");
      bodyId = string(body, "client_id");
      bodySecret = string(body, "client_secret");
    } else {
      throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "send application/x-www-form-urlencoded or application/json");
    }
    if (grantType == null || grantType.isEmpty()) {
      throw ApiException.validation("grant_type is required");
    }
    if (!GRANT.equals(grantType)) {
      throw new ApiException(ErrorCode.VALIDATION_ERROR, "unsupported grant_type",
        new JsonObject().put("supported", new JsonArray(List.of(GRANT))));
    }
    String[] basic = basic(rc.request().getHeader("Authorization"));
    if (basic != null) {
      if (bodySecret != null) {
        throw ApiException.validation("use either HTTP Basic or client_secret in the body, not both");
      }
      if (bodyId != null && !bodyId.equals(basic[0])) {
        throw ApiException.validation("client_id differs from the HTTP Basic user");
      }
      return new Request(grantType, basic[0], basic[1]);
    }
    if (bodyId == null || bodyId.isEmpty() || bodySecret == null || bodySecret.isEmpty()) {
      throw ApiException.validation("client_id and client_secret are required (in the body or as HTTP Basic)");
    }
    return new Request(grantType, bodyId, bodySecret);
  }

  /** The body as a JSON object; null when it is empty or valid JSON of another kind ({@code [null]}, {@code 1}). */
  private static JsonObject jsonObject(RoutingContext rc) {
    try {
      return rc.body().asJsonObject();
    } catch (ClassCastException notAnObject) {
      // RequestBody casts whatever the JSON is: an array or a scalar is the client's mistake, not a 500.
      return null;
    }
  }

  private static String string(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw ApiException.validation(field + " must be a string");
    }
    return (String) v;
  }

  /** {@code Basic base64(urlencode(id):urlencode(secret))} (RFC 6749 §2.3.1), or null without Basic. */
  private static String[] basic(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation("malformed HTTP Basic credentials");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0 || colon == decoded.length() - 1) {
      throw ApiException.validation("malformed HTTP Basic credentials");
    }
    try {
      return new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
        URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
    } catch (IllegalArgumentException e) {
      throw ApiException.validation("malformed HTTP Basic credentials");
    }
  }
}
