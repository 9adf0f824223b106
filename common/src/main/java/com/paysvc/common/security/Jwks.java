package com.paysvc.common.security;

import com.paysvc.common.concurrent.SharedFutures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * auth's public keys, fetched from the JWKS URL and cached. A token signed with an unknown {@code kid} (key
 * rotation) triggers a re-fetch, at most once per {@code minRefreshMs} so garbage kids cannot hammer auth;
 * concurrent refreshes share one fetch. Only EC P-256 keys are loaded, each pinned to ES256, so the verifier
 * knows no other algorithm.
 *
 * <p>A re-fetch that returns the same keys keeps the same {@link Snapshot} (only its age is reset), so
 * verifications remembered under it stay valid: junk kids or the periodic max-age refresh do not flush them.
 */
final class Jwks {
  private static final Logger log = LoggerFactory.getLogger(Jwks.class);
  private static final long NO_KEYS_RETRY_MS = 1000;

  /** The verifier for one key set, the kids it knows and the keys themselves (to recognise an unchanged set). */
  record Snapshot(JWTAuth verifier, Set<String> kids, Set<JsonObject> keys) {
  }

  private final Vertx vertx;
  private final Supplier<Future<JsonObject>> source;
  private final String origin;
  private final JWTOptions checks;
  private final long minRefreshMs;
  private final long maxAgeMs;
  private volatile Snapshot current;
  /** When {@code current} was last confirmed by a successful fetch. */
  private volatile long fetchedAt;
  private Future<Snapshot> inFlight;
  private long lastAttempt;
  private volatile Throwable lastError;

  Jwks(Vertx vertx, String url, String issuer, String audience, long minRefreshMs, long maxAgeMs) {
    this(vertx, fetch(WebClient.create(vertx), url), url, issuer, audience, minRefreshMs, maxAgeMs);
  }

  /** Keys from {@code source}: an HTTP fetch of the JWKS URL, or (auth itself) its own published key set. */
  Jwks(Vertx vertx, Supplier<Future<JsonObject>> source, String origin, String issuer, String audience,
       long minRefreshMs, long maxAgeMs) {
    this.vertx = vertx;
    this.source = source;
    this.origin = origin;
    this.checks = new JWTOptions().setIssuer(issuer).setAudience(List.of(audience)).setLeeway(5);
    this.minRefreshMs = minRefreshMs;
    this.maxAgeMs = maxAgeMs;
  }

  /**
   * The key set in use if it is younger than the max age, else null. A token verified under another snapshot, or
   * while none is fresh, must be checked again ({@link #fresh()}).
   */
  Snapshot currentIfFresh() {
    Snapshot snap = current;
    return snap != null && System.currentTimeMillis() - fetchedAt < maxAgeMs ? snap : null;
  }

  /** The key set in use, re-fetched first when older than the max age (a failed fetch keeps the old one). */
  Future<Snapshot> fresh() {
    Snapshot snap = currentIfFresh();
    return snap != null ? Future.succeededFuture(snap) : refresh();
  }

  /** The verifier that knows {@code kid}, re-fetching the JWKS when the kid is new or the cache is old. */
  Future<Snapshot> forKid(String kid) {
    Snapshot snap = currentIfFresh();
    if (snap != null && snap.kids().contains(kid)) {
      return Future.succeededFuture(snap);
    }
    return refresh();
  }

  private synchronized Future<Snapshot> refresh() {
    if (inFlight != null) {
      // Started by a request of another event loop, maybe: continue this one on its own.
      return SharedFutures.onCallerContext(inFlight);
    }
    long now = System.currentTimeMillis();
    if (current != null && now - lastAttempt < minRefreshMs) {
      return Future.succeededFuture(current);
    }
    // No key set yet and the last fetch failed: fail fast for a moment instead of one fetch per request (auth down
    // at start-up would otherwise get a request from every incoming call).
    if (current == null && lastError != null && now - lastAttempt < NO_KEYS_RETRY_MS) {
      return Future.failedFuture(lastError);
    }
    lastAttempt = now;
    Snapshot fallback = current;
    Future<Snapshot> fetch = source.get()
      .map(jwks -> adopt(jwks, fallback))
      .onSuccess(s -> {
        current = s;
        fetchedAt = System.currentTimeMillis();
        lastError = null;
      })
      .recover(err -> {
        lastError = err;
        log.warn("cannot fetch JWKS from {}: {}", origin, err.getMessage());
        // A stale key set still verifies tokens of keys that have not rotated: better than failing everyone.
        return fallback != null ? Future.succeededFuture(fallback) : Future.failedFuture(err);
      })
      .onComplete(ar -> {
        synchronized (this) {
          inFlight = null;
        }
      });
    inFlight = fetch;
    return fetch;
  }

  private static Supplier<Future<JsonObject>> fetch(WebClient client, String url) {
    return () -> client.getAbs(url).timeout(3000).send()
      .compose(resp -> resp.statusCode() == 200
        ? Future.succeededFuture(resp.bodyAsJsonObject())
        : Future.failedFuture("JWKS answered " + resp.statusCode()));
  }

  /** The snapshot for the fetched key set: {@code previous} itself when the keys did not change. */
  private Snapshot adopt(JsonObject jwks, Snapshot previous) {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    JsonArray keys = jwks == null ? new JsonArray() : jwks.getJsonArray("keys", new JsonArray());
    for (Object o : keys) {
      if (o instanceof JsonObject key && "EC".equals(key.getString("kty")) && "P-256".equals(key.getString("crv"))
        && key.getString("kid") != null && !"enc".equals(key.getString("use"))) {
        options.addJwk(key.copy().put("alg", "ES256"));
      }
    }
    Set<JsonObject> loaded = Set.copyOf(options.getJwks());
    if (previous != null && previous.keys().equals(loaded)) {
      return previous;
    }
    Set<String> kids = loaded.stream().map(k -> k.getString("kid")).collect(Collectors.toUnmodifiableSet());
    log.info("loaded {} ES256 key(s) from JWKS", kids.size());
    return new Snapshot(JWTAuth.create(vertx, options), kids, loaded);
  }
}
