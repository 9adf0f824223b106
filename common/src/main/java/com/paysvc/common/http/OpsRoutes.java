package com.paysvc.common.http;

import com.paysvc.common.health.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * Operational routes every service serves, both at the root (for probes on the service port) and under its
 * gateway prefix (so {@code :8080/accounts/health/ready} works too): health and OpenAPI docs; Prometheus metrics
 * only at the root of the service port.
 *
 * <p>{@code /health/ready} through the gateway (the request carries {@code X-Forwarded-For}, which HAProxy always
 * sets) answers the status alone, {@code {"status":"UP"}} or {@code {"status":"DOWN"}} with the same code (200/503):
 * which dependency is down, with its latency and error, is for the operator on the service port (HAProxy's own
 * health checks go there, without the header), not for the internet.
 *
 * <p>The docs ({@code /docs}, its script, the contract and Swagger UI's assets) may not be framed or sniffed, and the
 * page runs only scripts of its own origin: Swagger UI's bundle and {@code docs/init.js}, which starts it (an inline
 * script would need {@code 'unsafe-inline'}). Inline styles stay allowed (Swagger UI sets a few); images include
 * {@code data:} (its stylesheet's icons); requests ("Try it out", the contract) go to the page's own origin, which
 * is all the service answers without CORS anyway. Swagger UI's assets are the only responses that may be cached.
 */
public final class OpsRoutes {
  private static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.18.2";
  private static final String DOCS_PAGE = """
    <!doctype html>
    <html><head><meta charset="utf-8"><title>%s API</title>
    <link rel="stylesheet" href="docs/ui/swagger-ui.css"></head>
    <body><div id="swagger-ui"></div>
    <script src="docs/ui/swagger-ui-bundle.js"></script>
    <script src="docs/init.js"></script>
    </body></html>
    """;
  /** Relative to the page, which is at /docs or /<prefix>/docs. No validator badge: it would load an image from swagger.io. */
  private static final String DOCS_INIT =
    "window.ui = SwaggerUIBundle({url: 'docs/openapi.yaml', dom_id: '#swagger-ui', validatorUrl: null});\n";
  private static final CharSequence CSP = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence DOCS_POLICY = HttpHeaders.createOptimized("default-src 'none'; script-src 'self'; "
    + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FORWARDED_FOR = HttpHeaders.createOptimized("X-Forwarded-For");
  private static final Buffer UP = new JsonObject().put("status", "UP").toBuffer();
  private static final Buffer DOWN = new JsonObject().put("status", "DOWN").toBuffer();

  private OpsRoutes() {
  }

  /** Adds the routes under {@code prefix} ("" for the root) to {@code router}. */
  public static void mount(Router router, String prefix, String service, Readiness readiness,
                           PrometheusMeterRegistry registry, String openapiYaml) {
    router.get(prefix + "/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    Handler<RoutingContext> details = readiness.handler();
    router.get(prefix + "/health/ready").handler(ctx -> {
      if (ctx.request().headers().contains(FORWARDED_FOR)) {
        statusOnly(ctx, readiness);
      } else {
        details.handle(ctx);
      }
    });
    if (prefix.isEmpty()) {
      // Only at the root of the service port, for the scraper: not under the gateway prefix, where a path trick
      // (//, ./, %6d) past the gateway's deny rule would still reach it after Vert.x normalises the path.
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    }
    String page = DOCS_PAGE.formatted(service);
    router.get(prefix + "/docs/*").handler(OpsRoutes::docsHeaders);
    // Relative links: the page works both at /docs and at /<prefix>/docs behind the gateway.
    router.get(prefix + "/docs").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "text/html; charset=utf-8").end(page));
    router.get(prefix + "/docs/init.js").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "text/javascript; charset=utf-8").end(DOCS_INIT));
    router.get(prefix + "/docs/openapi.yaml").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/yaml; charset=utf-8").end(openapiYaml));
    router.get(prefix + "/docs/ui/*").handler(ctx -> {
      // Swagger UI's own files, the same for everyone: cacheable (StaticHandler sets its Cache-Control when none is).
      ctx.response().headers().remove(HttpHeaders.CACHE_CONTROL);
      ctx.next();
    }).handler(StaticHandler.create(SWAGGER_UI).setCachingEnabled(true));
  }

  private static void docsHeaders(RoutingContext ctx) {
    ctx.response().putHeader(CSP, DOCS_POLICY).putHeader(FRAME_OPTIONS, DENY).putHeader(CONTENT_TYPE_OPTIONS, NOSNIFF);
    ctx.next();
  }

  /** UP or DOWN with the code the full answer has (200 or 503), and nothing about the dependencies. */
  private static void statusOnly(RoutingContext ctx, Readiness readiness) {
    readiness.checks().checkStatus().onComplete(ar -> {
      boolean up = ar.succeeded() && CheckResult.isUp(ar.result());
      ctx.response().setStatusCode(up ? 200 : 503).putHeader(Endpoint.CONTENT_TYPE, Endpoint.APPLICATION_JSON)
        .end(up ? UP : DOWN);
    });
  }
}
