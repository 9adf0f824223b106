package com.paysvc.common.http;

import com.paysvc.common.health.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * Operational routes every service serves, both at the root (for probes on the service port) and under its
 * gateway prefix (so {@code :8080/accounts/health/ready} works too): health and OpenAPI docs; Prometheus metrics
 * only at the root of the service port.
 */
public final class OpsRoutes {
  private static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.18.2";
  private static final String DOCS_PAGE = """
    <!doctype html>
    <html><head><meta charset="utf-8"><title>%s API</title>
    <link rel="stylesheet" href="docs/ui/swagger-ui.css"></head>
    <body><div id="swagger-ui"></div>
    <script src="docs/ui/swagger-ui-bundle.js"></script>
    <script>window.ui = SwaggerUIBundle({url: 'docs/openapi.yaml', dom_id: '#swagger-ui'});</script>
    </body></html>
    """;

  private OpsRoutes() {
  }

  /** Adds the routes under {@code prefix} ("" for the root) to {@code router}. */
  public static void mount(Router router, String prefix, String service, Readiness readiness,
                           PrometheusMeterRegistry registry, String openapiYaml) {
    router.get(prefix + "/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get(prefix + "/health/ready").handler(readiness.handler());
    if (prefix.isEmpty()) {
      // Only at the root of the service port, for the scraper: not under the gateway prefix, where a path trick
      // (//, ./, %6d) past the gateway's deny rule would still reach it after Vert.x normalises the path.
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    }
    String page = DOCS_PAGE.formatted(service);
    // Relative links: the page works both at /docs and at /<prefix>/docs behind the gateway.
    router.get(prefix + "/docs").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "text/html; charset=utf-8").end(page));
    router.get(prefix + "/docs/openapi.yaml").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/yaml; charset=utf-8").end(openapiYaml));
    router.get(prefix + "/docs/ui/*").handler(StaticHandler.create(SWAGGER_UI).setCachingEnabled(true));
  }
}
