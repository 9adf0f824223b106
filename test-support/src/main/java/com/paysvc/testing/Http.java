package com.paysvc.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Blocking HTTP for tests (the test thread, never an event loop). */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
    // HTTP/1.1 like the gateway (HAProxy) speaks to the services; the JDK client would otherwise upgrade to h2c.
    .version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(3)).build();

  private Http() {
  }

  public record Response(int status, String body, java.net.http.HttpHeaders headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public static Response get(int port, String path) {
    return send(HttpRequest.newBuilder(uri(port, path)).GET());
  }

  public static Response post(int port, String path, String contentType, String body) {
    return send(HttpRequest.newBuilder(uri(port, path)).header("Content-Type", contentType)
      .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public static Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = CLIENT.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new IllegalStateException("HTTP request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static HttpClient client() {
    return CLIENT;
  }

  public static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
