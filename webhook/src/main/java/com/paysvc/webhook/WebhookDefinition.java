package com.paysvc.webhook;

import com.paysvc.common.client.PeerClient;
import com.paysvc.common.client.PeerSettings;
import com.paysvc.common.client.ServiceToken;
import com.paysvc.common.config.Config;
import com.paysvc.common.config.Setting;
import com.paysvc.common.launch.Dependency;
import com.paysvc.common.launch.ServiceCommand;
import com.paysvc.common.launch.ServiceContext;
import com.paysvc.common.launch.ServiceDefinition;
import com.paysvc.common.security.JwtGuard;
import com.paysvc.webhook.http.WebhookApi;
import com.paysvc.webhook.service.Ingest;
import com.paysvc.webhook.service.Notification;
import com.paysvc.webhook.service.PayerResolver;
import com.paysvc.webhook.service.Signatures;
import com.paysvc.webhook.store.PaymentsStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.openapi.contract.OpenAPIContract;

import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The webhook service, database webhook; its port and gateway prefix are in topology.env (no Redis database of its own). */
public final class WebhookDefinition implements ServiceDefinition {
  private volatile WebhookApi api;
  private volatile OpenAPIContract contract;

  @Override
  public String name() {
    return "webhook";
  }

  /**
   * The primary (notifications, payments; the admin reads want what was just stored) and events (the outbox of
   * payment events). No replica, no Redis client of its own: its JWT guard reads auth's deny-list with a client of
   * its own (GuardSettings).
   */
  @Override
  public Set<Dependency> dependencies() {
    return EnumSet.of(Dependency.PRIMARY, Dependency.EVENTS);
  }

  @Override
  public Set<String> defaultReadyRequires() {
    // Accepting a notification needs only the primary: the outbox holds events while the broker is away, payers
    // wait for users.
    return Set.of("primary");
  }

  @Override
  public List<Setting<?>> extraSettings() {
    return WebhookSettings.all();
  }

  /** 2can's notifications: raw JSON bytes (they are what the signature covers), at most WEBHOOK_MAX_BODY_BYTES. */
  @Override
  public Map<String, Integer> jsonBodyLimits(Config config) {
    return Map.of("/webhooks/2can", config.get(WebhookSettings.MAX_BODY_BYTES));
  }

  @Override
  public Map<String, ServiceCommand> commands() {
    return Map.of("sign", new SignCommand());
  }

  @Override
  public Future<Void> init(ServiceContext ctx) {
    Config config = ctx.config();
    Vertx vertx = ctx.vertx();
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(2000),
      new PoolOptions().setHttp1MaxSize(8));
    // webhook's own token (scope users:lookup) from auth's client-credentials grant, renewed before it expires.
    ServiceToken token = ServiceToken.viaGrant(web, config.get(PeerSettings.AUTH_URL), config.get(WebhookSettings.SERVICE_CLIENT_ID),
      config.get(PeerSettings.SERVICE_CLIENT_SECRET));
    PeerClient users = new PeerClient(vertx, web, "users", config.get(PeerSettings.USERS_URL), token,
      config.get(PeerSettings.USERS_TIMEOUT_MS), ctx.registry());
    PaymentsStore store = new PaymentsStore();
    Signatures signatures = new Signatures(config.get(WebhookSettings.HMAC_SECRET), config.get(WebhookSettings.HMAC_PREVIOUS_SECRET),
      config.get(WebhookSettings.TOLERANCE_SECONDS), Clock.systemUTC());
    Ingest ingest;
    try {
      ingest = new Ingest(vertx, ctx.db(), store, ctx.outbox(), signatures, new Notification.Reader(ctx.openapi()),
        config.get(WebhookSettings.MAX_BODY_BYTES), config.get(WebhookSettings.PAYER_CACHE_SECONDS), ctx.registry());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    PayerResolver resolver = new PayerResolver(vertx, ctx.db(), store, users, ctx.outbox(),
      config.get(WebhookSettings.RESOLVER_MAX_DELAY_SECONDS), config.get(WebhookSettings.PAYER_WAIT_MAX_SECONDS), ctx.registry());
    JwtGuard guard = JwtGuard.create(vertx, config, ctx.registry());
    ctx.authenticateFirst(guard, "/webhooks/2can");
    ctx.onClose(() -> {
      users.close();
      return Future.join(resolver.stop(), guard.close());
    });
    return OpenAPIContract.from(vertx, ctx.openapi().copy())
      .onSuccess(c -> {
        contract = c;
        api = new WebhookApi(ingest, ctx.db(), store, guard);
        resolver.start(config.get(WebhookSettings.RESOLVER_INTERVAL_MS));
      })
      .mapEmpty();
  }

  @Override
  public Future<Router> routes(ServiceContext ctx) {
    return Future.succeededFuture(api.router(ctx.vertx(), contract));
  }
}
