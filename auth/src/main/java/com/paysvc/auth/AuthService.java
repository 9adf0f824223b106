package com.paysvc.auth;

import com.paysvc.auth.http.AuthApi;
import com.paysvc.auth.http.ClientCredentialsHandler;
import com.paysvc.auth.http.JwksHandler;
import com.paysvc.auth.service.FailureLimiter;
import com.paysvc.auth.service.SigningKeys;
import com.paysvc.auth.service.TokenIssuer;
import com.paysvc.common.config.Config;
import com.paysvc.common.config.Setting;
import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import com.paysvc.common.security.GuardSettings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;

/** The auth service: port 8001, gateway prefix /auth, database auth. */
public final class AuthService implements ServiceDefinition {
  private static final Logger log = LoggerFactory.getLogger(AuthService.class);

  private volatile AuthApi api;
  private volatile OpenAPIContract contract;

  @Override
  public String name() {
    return "auth";
  }

  @Override
  public String pathPrefix() {
    return "/auth";
  }

  @Override
  public int defaultPort() {
    return 8001;
  }

  @Override
  public int defaultRedisDb() {
    return 0;
  }

  @Override
  public Set<String> defaultReadyRequires() {
    // Without Redis the token deny-list and login rate limits cannot be enforced: fail closed.
    return Set.of("primary", "redis");
  }

  @Override
  public List<Setting<?>> extraSettings() {
    return AuthSettings.all();
  }

  @Override
  public Future<Void> init(ServiceContext ctx) {
    Config config = ctx.config();
    SigningKeys keys;
    try {
      keys = new SigningKeys(config.get(AuthSettings.JWT_SIGNING_KEY), config.get(AuthSettings.JWT_KEY_ID),
        config.get(AuthSettings.JWT_PREVIOUS_PUBLIC_KEYS));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    log.info("signing access tokens with kid {}; JWKS publishes {} key(s)", keys.kid(), keys.published().size());
    TokenIssuer issuer = new TokenIssuer(keys, config.get(GuardSettings.JWT_ISSUER), config.get(GuardSettings.JWT_AUDIENCE),
      config.get(AuthSettings.ACCESS_TOKEN_TTL_SECONDS), Clock.systemUTC());
    FailureLimiter limiter = new FailureLimiter(ctx.redis(), "auth:ratelimit:token:ip:",
      config.get(AuthSettings.TOKEN_MAX_FAILURES), config.get(AuthSettings.TOKEN_FAILURE_WINDOW_SECONDS));
    ClientCredentialsHandler token = new ClientCredentialsHandler(config.get(AuthSettings.SERVICE_CLIENTS), issuer, limiter);
    return Utils.readYamlOrJson(ctx.vertx(), "openapi.yaml")
      .compose(doc -> OpenAPIContract.from(ctx.vertx(), forValidator(doc)))
      .onSuccess(c -> {
        contract = c;
        api = new AuthApi(new JwksHandler(keys), token);
      })
      .mapEmpty();
  }

  /**
   * vertx-openapi 5.0.8 refuses a contract whose request body lists application/x-www-form-urlencoded, yet
   * that is RFC 6749's encoding of the token request and the served contract must say so. The router's copy
   * of the contract drops that media type; the token route does its own checks (AuthApi), so nothing is lost.
   */
  static JsonObject forValidator(JsonObject doc) {
    JsonObject copy = doc.copy();
    JsonObject content = copy.getJsonObject("paths").getJsonObject("/auth/token").getJsonObject("post")
      .getJsonObject("requestBody").getJsonObject("content");
    content.remove("application/x-www-form-urlencoded");
    return copy;
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    return Future.succeededFuture(api.router(ctx.vertx(), contract));
  }
}
