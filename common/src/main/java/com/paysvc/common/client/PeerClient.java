package com.paysvc.common.client;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls another service of the platform with this service's own token ({@link ServiceToken}), a timeout and a
 * circuit breaker. Only transport failures, timeouts and 5xx answers count against the breaker; a 4xx is the
 * peer's answer and is returned to the caller as is. A 401 makes one retry with a freshly fetched token (the peer
 * may have seen a token of a rotated key). Failures reach the caller as 503 DEPENDENCY_UNAVAILABLE, the request id
 * travels in {@code X-Request-Id}.
 */
public final class PeerClient {
  private static final Logger log = LoggerFactory.getLogger(PeerClient.class);

  private final String name;
  private final String baseUrl;
  private final WebClient client;
  private final ServiceToken token;
  private final int timeoutMs;
  private final CircuitBreaker breaker;
  private final Counter unavailable;

  public PeerClient(Vertx vertx, WebClient client, String name, String baseUrl, ServiceToken token, int timeoutMs,
                    MeterRegistry registry) {
    this.name = name;
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.client = client;
    this.token = token;
    this.timeoutMs = timeoutMs;
    // Five failures in a row open it; a probe after 5 s. The breaker's own timeout is the request's plus slack.
    this.breaker = CircuitBreaker.create("peer-" + name, vertx, new CircuitBreakerOptions()
        .setMaxFailures(5).setTimeout(timeoutMs + 1000L).setResetTimeout(5000))
      .openHandler(v -> log.warn("{} breaker open: calls fail fast", name))
      .closeHandler(v -> log.info("{} breaker closed", name));
    this.unavailable = Counter.builder("paysvc_peer_unavailable").tag("peer", name)
      .description("calls to another service that failed (transport, timeout, 5xx, breaker open)").register(registry);
  }

  /** {@code method path} with an optional JSON body; the answer when the peer gave one below 500. */
  public Future<HttpResponse<Buffer>> send(HttpMethod method, String pathAndQuery, JsonObject body, String requestId) {
    return breaker.<HttpResponse<Buffer>>execute(() -> attempt(method, pathAndQuery, body, requestId, true))
      .recover(err -> {
        unavailable.increment();
        String why = err instanceof OpenCircuitException ? "circuit open" : err.getMessage();
        // The path only: a query may carry personal data (an e-mail, a phone number).
        log.debug("{} {} {} failed: {}", name, method, pathAndQuery.split("\\?", 2)[0], why);
        return Future.failedFuture(new ApiException(ErrorCode.DEPENDENCY_UNAVAILABLE, name + " is unavailable"));
      });
  }

  private Future<HttpResponse<Buffer>> attempt(HttpMethod method, String path, JsonObject body, String requestId,
                                               boolean retryOn401) {
    return token.get().compose(t -> {
      HttpRequest<Buffer> req = client.requestAbs(method, baseUrl + path).timeout(timeoutMs).bearerTokenAuthentication(t);
      if (requestId != null) {
        req.putHeader("X-Request-Id", requestId);
      }
      Future<HttpResponse<Buffer>> sent = body == null ? req.send() : req.sendJsonObject(body);
      return sent.compose(resp -> {
        if (resp.statusCode() == 401 && retryOn401) {
          token.invalidate(t);
          return attempt(method, path, body, requestId, false);
        }
        if (resp.statusCode() >= 500) {
          return Future.failedFuture(name + " answered " + resp.statusCode());
        }
        return Future.succeededFuture(resp);
      });
    });
  }

  public String name() {
    return name;
  }

  public void close() {
    breaker.close();
  }
}
