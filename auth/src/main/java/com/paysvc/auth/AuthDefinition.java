package com.paysvc.auth;

import com.paysvc.auth.http.AuthApi;
import com.paysvc.auth.http.ClientCredentialsHandler;
import com.paysvc.auth.http.ClientIp;
import com.paysvc.auth.http.JwksHandler;
import com.paysvc.auth.password.Argon2Bench;
import com.paysvc.auth.password.Argon2id;
import com.paysvc.auth.password.PasswordHasher;
import com.paysvc.auth.service.Credentials;
import com.paysvc.auth.service.AttemptLimiter;
import com.paysvc.auth.service.LoginLimiter;
import com.paysvc.auth.service.RefreshTokens;
import com.paysvc.auth.service.Registration;
import com.paysvc.auth.service.Revocations;
import com.paysvc.auth.service.ServiceClients;
import com.paysvc.auth.service.ServiceGrant;
import com.paysvc.auth.service.Sessions;
import com.paysvc.auth.service.SigningKeys;
import com.paysvc.auth.service.TokenIssuer;
import com.paysvc.auth.store.AuthStore;
import com.paysvc.auth.users.UsersClient;
import com.paysvc.common.client.PeerClient;
import com.paysvc.common.client.PeerSettings;
import com.paysvc.common.client.ServiceToken;
import com.paysvc.common.config.Config;
import com.paysvc.common.config.Setting;
import com.paysvc.common.launch.Dependency;
import com.paysvc.common.launch.ServiceCommand;
import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import com.paysvc.common.security.GuardSettings;
import com.paysvc.common.security.JwtGuard;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The auth service, database auth; its port, gateway prefix and Redis database are in topology.env. */
public final class AuthDefinition implements ServiceDefinition {
  private static final Logger log = LoggerFactory.getLogger(AuthDefinition.class);
  private static final long PRUNE_EVERY_MS = 3_600_000;

  private volatile AuthApi api;
  private volatile OpenAPIContract contract;

  @Override
  public String name() {
    return "auth";
  }

  /**
   * The primary (credentials, sessions, revocations are read from it: right after a write), Redis db 0 (the deny-list,
   * per-user not-before times, login and sign-up rate limits) and events (it consumes user.deactivated). No replica.
   */
  @Override
  public Set<Dependency> dependencies() {
    return EnumSet.of(Dependency.PRIMARY, Dependency.REDIS, Dependency.EVENTS);
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

  /**
   * auth's public JSON routes read their bodies under limits of their own, before anyone is known: JSON only (415
   * otherwise, so no form decoder ever runs on them) and a declared length over the limit refused before a byte is read
   * (413). A login is an identifier (≤ 320 characters) and a password (≤ 256), a refresh a token (≤ 4096): 16 KiB holds
   * either even with every character escaped in six bytes. A sign-up carries a profile, which users bounds (its 413/400 are passed
   * on): REGISTER_BODY_MAX_BYTES only has to stay above users' bound.
   */
  @Override
  public Map<String, Integer> jsonBodyLimits(Config config) {
    int small = 16 * 1024;
    return Map.of("/auth/register", config.get(AuthSettings.REGISTER_BODY_MAX_BYTES), "/auth/login", small,
      "/auth/refresh", small);
  }

  /** RFC 6749's token request is a form (JSON is taken there too: ClientCredentialsHandler); no other route takes one. */
  @Override
  public Set<String> formPaths() {
    return Set.of("/auth/token");
  }

  @Override
  public Map<String, ServiceCommand> commands() {
    return Map.of("bootstrap-admin", new BootstrapAdmin(), "argon2-bench", new Argon2Bench());
  }

  /** The signing keys from the settings; an unusable combination is a start-up error. */
  static SigningKeys signingKeys(Config config) {
    return new SigningKeys(config.get(AuthSettings.JWT_SIGNING_KEY), config.get(AuthSettings.JWT_KEY_ID),
      config.get(AuthSettings.JWT_PREVIOUS_PUBLIC_KEYS));
  }

  static TokenIssuer tokenIssuer(Config config, SigningKeys keys) {
    return new TokenIssuer(keys, config.get(GuardSettings.JWT_ISSUER), config.get(GuardSettings.JWT_AUDIENCE),
      config.get(AuthSettings.ACCESS_TOKEN_TTL_SECONDS), Clock.systemUTC());
  }

  static PasswordHasher passwordHasher(Vertx vertx, Config config, io.micrometer.core.instrument.MeterRegistry registry) {
    Argon2id.Params params = new Argon2id.Params(config.get(AuthSettings.PASSWORD_HASH_MEMORY_KIB),
      config.get(AuthSettings.PASSWORD_HASH_ITERATIONS), config.get(AuthSettings.PASSWORD_HASH_PARALLELISM));
    if (!params.atLeastOwasp()) {
      throw new IllegalArgumentException("PASSWORD_HASH_MEMORY_KIB x PASSWORD_HASH_ITERATIONS is weaker than OWASP's "
        + "minimum for argon2id (m >= 7168 KiB and m x t >= 35840, e.g. m=19456 t=2)");
    }
    return new PasswordHasher(vertx, params, config.get(AuthSettings.PASSWORD_HASH_THREADS),
      config.get(AuthSettings.PASSWORD_HASH_MAX_PENDING), registry);
  }

  static WebClient webClient(Vertx vertx) {
    // Calls to users are short and few per login: a small keep-alive pool per event loop is plenty.
    return WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(2000),
      new PoolOptions().setHttp1MaxSize(16));
  }

  @Override
  public Future<Void> init(ServiceContext ctx) {
    Config config = ctx.config();
    Vertx vertx = ctx.vertx();
    SigningKeys keys;
    try {
      keys = signingKeys(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    log.info("signing access tokens with kid {}; JWKS publishes {} key(s)", keys.kid(), keys.published().size());
    TokenIssuer issuer = tokenIssuer(config, keys);
    ServiceClients clients = config.get(AuthSettings.SERVICE_CLIENTS);
    ServiceGrant grant = new ServiceGrant(clients, issuer);

    // auth's own token for users: the client-credentials grant of its own client, without a network hop to itself.
    String selfId = config.get(AuthSettings.SERVICE_CLIENT_ID);
    String selfSecret = config.get(PeerSettings.SERVICE_CLIENT_SECRET);
    if (clients.authenticate(selfId, selfSecret) == null) {
      return Future.failedFuture(new IllegalArgumentException(
        "SERVICE_CLIENT_SECRET is not the secret of client '" + selfId + "' in SERVICE_CLIENTS"));
    }
    ServiceToken ownToken = new ServiceToken(() -> {
      TokenIssuer.Issued t = grant.grant(selfId, selfSecret);
      return Future.succeededFuture(new ServiceToken.Grant(t.token(), t.expiresIn()));
    });
    PeerClient usersPeer = new PeerClient(vertx, webClient(vertx), "users", config.get(PeerSettings.USERS_URL), ownToken,
      config.get(PeerSettings.USERS_TIMEOUT_MS), ctx.registry());
    UsersClient users = new UsersClient(usersPeer);

    AuthStore store = new AuthStore();
    PasswordHasher hasher;
    try {
      hasher = passwordHasher(vertx, config, ctx.registry());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    LoginLimiter loginLimiter = new LoginLimiter(ctx.redis(), config.get(AuthSettings.REFRESH_TOKEN_SECRET),
      new LoginLimiter.Limits(config.get(AuthSettings.LOGIN_MAX_FAILURES), config.get(AuthSettings.LOGIN_MAX_FAILURES_PER_ACCOUNT),
        config.get(AuthSettings.LOGIN_MAX_FAILURES_PER_IP), config.get(AuthSettings.LOGIN_FAILURE_WINDOW_SECONDS),
        config.get(AuthSettings.LOGIN_LOCKOUT_SECONDS), config.get(AuthSettings.LOGIN_LOCKOUT_MAX_SECONDS)));
    Revocations revocations = new Revocations(vertx, ctx.redis(), ctx.db(), store, issuer.issuer(),
      config.get(AuthSettings.ACCESS_TOKEN_TTL_SECONDS), config.get(ctx.settings().pgDatabase));
    Sessions sessions = new Sessions(ctx.db(), store, users, hasher, loginLimiter, issuer,
      new RefreshTokens(config.get(AuthSettings.REFRESH_TOKEN_SECRET)), revocations,
      new Sessions.Policy(config.get(AuthSettings.REFRESH_TOKEN_TTL_SECONDS), config.get(AuthSettings.SESSION_MAX_AGE_SECONDS),
        config.get(AuthSettings.REFRESH_REUSE_GRACE_SECONDS)), ctx.registry());
    AttemptLimiter signups = new AttemptLimiter(ctx.redis(), "auth:ratelimit:register:ip:",
      config.get(AuthSettings.REGISTER_MAX_PER_IP), config.get(AuthSettings.REGISTER_WINDOW_SECONDS));
    Registration registration = new Registration(vertx, ctx.db(), store, users, hasher, signups, ctx.registry());
    Credentials credentials = new Credentials(ctx.db(), store, users, hasher, loginLimiter, revocations);
    ClientIp clientIp = new ClientIp(config.get(AuthSettings.TRUSTED_PROXIES));
    AttemptLimiter tokenLimiter = new AttemptLimiter(ctx.redis(), "auth:ratelimit:token:ip:",
      config.get(AuthSettings.TOKEN_MAX_FAILURES), config.get(AuthSettings.TOKEN_FAILURE_WINDOW_SECONDS));
    JwtGuard guard = JwtGuard.createWithKeys(vertx, config, ctx.registry(), new JsonObject(keys.jwks()),
      config.get(ctx.settings().redisPort), config.get(ctx.settings().redisDb));
    ctx.authenticateFirst(guard, "/auth/.well-known/jwks.json", "/auth/token", "/auth/register", "/auth/login",
      "/auth/refresh");

    // A deactivated user's sessions end and its live access tokens are rejected everywhere (exactly once per event).
    ctx.events().onIdempotent("user.deactivated", (conn, event) ->
      sessions.endAll(conn, UUID.fromString(event.data().getString("user_id")), "deactivated"));
    // Group names are roles: a membership added or removed, or a group renamed, ends the user's sessions the same way.
    ctx.events().onIdempotent("user.roles_changed", (conn, event) ->
      sessions.endAll(conn, UUID.fromString(event.data().getString("user_id")), "roles_changed"));

    int horizon = config.get(AuthSettings.ACCESS_TOKEN_TTL_SECONDS) + 60;
    long prune = vertx.setPeriodic(PRUNE_EVERY_MS, id -> ctx.db().write(c -> store.prune(c, System.currentTimeMillis() / 1000, horizon))
      .onSuccess(n -> log.debug("pruned {} expired session rows", n))
      .onFailure(e -> log.warn("session pruning failed: {}", e.toString())));
    ctx.onClose(() -> {
      vertx.cancelTimer(prune);
      revocations.stop();
      registration.stopSweeper();
      usersPeer.close();
      return Future.join(guard.close(), hasher.close());
    });

    return hasher.start()
      .compose(v -> OpenAPIContract.from(vertx, forValidator(ctx.openapi())))
      .onSuccess(c -> {
        contract = c;
        revocations.start();
        registration.startSweeper(config.get(AuthSettings.REGISTRATION_SWEEP_SECONDS) * 1000L,
          config.get(AuthSettings.REGISTRATION_STALE_SECONDS));
        api = new AuthApi(new JwksHandler(keys), new ClientCredentialsHandler(grant, tokenLimiter, clientIp),
          registration, sessions, credentials, guard, clientIp);
      })
      .mapEmpty();
  }

  /**
   * vertx-openapi 5.0.8 refuses a contract whose request body lists application/x-www-form-urlencoded, yet
   * that is RFC 6749's encoding of the token request and the served contract must say so. The router's copy
   * of the contract drops that media type; the token route does its own checks (AuthApi), so nothing is lost.
   */
  public static JsonObject forValidator(JsonObject doc) {
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
