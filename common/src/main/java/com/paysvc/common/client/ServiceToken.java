package com.paysvc.common.client;

import com.paysvc.common.concurrent.SharedFutures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.net.URLEncoder;
import java.util.Base64;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A service's own access token for calling other services, obtained through auth's client-credentials grant,
 * cached and renewed before it expires. Callers on any event loop share one token and one fetch at a time.
 *
 * <p>Renewal starts in the background once 80 % of the lifetime has passed (the current token is still handed out
 * meanwhile), so a request never waits for auth while a valid token exists. Only when none is left does a caller
 * wait; after a failed fetch, callers fail fast for {@value #RETRY_AFTER_FAILURE_MS} ms instead of each trying auth.
 */
public final class ServiceToken {
  private static final Logger log = LoggerFactory.getLogger(ServiceToken.class);
  /** Do not hand out a token this close to its expiry: it may expire on the way to the peer. */
  private static final long EXPIRY_MARGIN_MS = 10_000;
  private static final long RETRY_AFTER_FAILURE_MS = 1_000;

  /** One answer of the grant: the token and its lifetime. */
  public record Grant(String accessToken, long expiresInSeconds) {
  }

  private record Held(String token, long renewAtMs, long expiresAtMs) {
  }

  private final Supplier<Future<Grant>> fetch;
  private final LongSupplier clock;
  private volatile Held held;
  private Future<Held> inFlight;
  private long lastFailureMs = Long.MIN_VALUE;
  private Throwable lastFailure;

  public ServiceToken(Supplier<Future<Grant>> fetch) {
    this(fetch, System::currentTimeMillis);
  }

  ServiceToken(Supplier<Future<Grant>> fetch, LongSupplier clock) {
    this.fetch = fetch;
    this.clock = clock;
  }

  /**
   * A token from {@code POST <authUrl>/auth/token} (HTTP Basic, form body, RFC 6749 §4.4). Id and secret are
   * form-encoded inside Basic as §2.3.1 asks, so a secret with ':' or '%' survives.
   */
  public static ServiceToken viaGrant(WebClient client, String authUrl, String clientId, String secret) {
    String basic = "Basic " + Base64.getEncoder().encodeToString(
      (form(clientId) + ":" + form(secret)).getBytes(StandardCharsets.UTF_8));
    String url = authUrl.replaceAll("/+$", "") + "/auth/token";
    return new ServiceToken(() -> client.postAbs(url)
      .putHeader("Authorization", basic)
      .putHeader("Content-Type", "application/x-www-form-urlencoded")
      .timeout(5_000)
      .sendBuffer(io.vertx.core.buffer.Buffer.buffer("grant_type=client_credentials"))
      .compose(resp -> {
        if (resp.statusCode() != 200) {
          // The body is auth's error shape, never a secret: safe to show.
          return Future.failedFuture("token grant for " + clientId + " answered " + resp.statusCode() + ": "
            + resp.bodyAsString());
        }
        JsonObject body = resp.bodyAsJsonObject();
        return Future.succeededFuture(new Grant(body.getString("access_token"), body.getLong("expires_in", 60L)));
      }));
  }

  /** The current token, renewed when due. */
  public Future<String> get() {
    Held h = held;
    long now = clock.getAsLong();
    if (h != null && now < h.expiresAtMs() - EXPIRY_MARGIN_MS) {
      if (now >= h.renewAtMs()) {
        renew(); // in the background: this caller keeps the still valid token
      }
      return Future.succeededFuture(h.token());
    }
    return renew().map(Held::token);
  }

  /** A peer refused {@code token} (401): forget it, so the next {@link #get()} fetches a new one. */
  public synchronized void invalidate(String token) {
    Held h = held;
    if (h != null && h.token().equals(token)) {
      held = null;
    }
  }

  private synchronized Future<Held> renew() {
    if (inFlight != null) {
      return SharedFutures.onCallerContext(inFlight);
    }
    long now = clock.getAsLong();
    if (lastFailure != null && now - lastFailureMs < RETRY_AFTER_FAILURE_MS) {
      return Future.failedFuture(lastFailure);
    }
    Future<Grant> f;
    try {
      f = fetch.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    Future<Held> result = f.map(grant -> {
        long at = clock.getAsLong();
        long lifetimeMs = Math.max(1, grant.expiresInSeconds()) * 1000;
        return new Held(grant.accessToken(), at + lifetimeMs * 8 / 10, at + lifetimeMs);
      })
      .onComplete(ar -> {
        synchronized (this) {
          inFlight = null;
          if (ar.succeeded()) {
            held = ar.result();
            lastFailure = null;
          } else {
            lastFailure = ar.cause();
            lastFailureMs = clock.getAsLong();
            log.warn("cannot obtain a service token: {}", ar.cause().getMessage());
          }
        }
      });
    if (!result.isComplete()) {
      inFlight = result;
    }
    return result;
  }

  private static String form(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
