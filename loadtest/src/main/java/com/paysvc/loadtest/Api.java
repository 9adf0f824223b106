package com.paysvc.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;

/** The platform as the harness uses it outside measurements: the admin's token, seeding calls. */
final class Api {
  private final WebClient client;
  private final Vertx vertx;
  private final URI uri;
  /** Clients bound to a loopback source address each ({@link #anonymous}), made on first use. */
  private final java.util.Map<String, WebClient> fromAddress = new java.util.concurrent.ConcurrentHashMap<>();
  private final String base;
  private final String adminEmail;
  private final String adminPassword;
  private volatile String token;
  private volatile long tokenAt;

  Api(Vertx vertx, String base, String adminEmail, String adminPassword) {
    URI u = URI.create(base);
    this.vertx = vertx;
    this.uri = u;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setConnectTimeout(5000)
      .setDefaultHost(u.getHost()).setDefaultPort(u.getPort() > 0 ? u.getPort() : 80), new PoolOptions().setHttp1MaxSize(16));
    this.base = base;
    this.adminEmail = adminEmail;
    this.adminPassword = adminPassword;
  }

  /** The admin's access token, logged in again after 10 minutes (tokens live 15). */
  Future<String> token() {
    if (token != null && System.currentTimeMillis() - tokenAt < 600_000) {
      return Future.succeededFuture(token);
    }
    if (adminEmail == null || adminPassword == null) {
      return Future.failedFuture("set ADMIN_EMAIL and ADMIN_PASSWORD (e.g. set -a; . bin/stack.env; set +a)");
    }
    return client.postAbs(base + "/auth/login")
      .sendJsonObject(new JsonObject().put("identifier", adminEmail).put("password", adminPassword))
      .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(r.bodyAsJsonObject().getString("access_token"))
        : Future.failedFuture("admin login answered " + r.statusCode() + ": " + r.bodyAsString()))
      .onSuccess(t -> {
        token = t;
        tokenAt = System.currentTimeMillis();
      });
  }

  Future<HttpResponse<Buffer>> call(HttpMethod method, String path, JsonObject body) {
    return token().compose(t -> {
      var req = client.requestAbs(method, base + path).bearerTokenAuthentication(t).timeout(60_000);
      return body == null ? req.send() : req.sendJsonObject(body);
    });
  }

  /**
   * Without a token, from {@code sourceAddress}, a loopback address (127.0.0.0/8) this connection leaves from: the
   * gateway takes a client's address from its connection (it replaces X-Forwarded-For), and the sign-up limit is per
   * client address.
   */
  Future<HttpResponse<Buffer>> anonymous(String path, JsonObject body, String sourceAddress) {
    WebClient from = fromAddress.computeIfAbsent(sourceAddress, a -> WebClient.create(vertx, new WebClientOptions()
      .setKeepAlive(false).setConnectTimeout(5000).setLocalAddress(a)
      .setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort() > 0 ? uri.getPort() : 80)));
    return from.postAbs(base + path).timeout(60_000).sendJsonObject(body);
  }

  String base() {
    return base;
  }
}
