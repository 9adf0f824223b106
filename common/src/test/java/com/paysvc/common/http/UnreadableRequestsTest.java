package com.paysvc.common.http;

import com.paysvc.testing.RawHttp;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static com.paysvc.testing.ApiErrors.assertError;
import static com.paysvc.testing.Await.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Requests Vert.x and Netty cannot decode, through a BodyHandler as the services install it and a route that reads
 * the query as the contract's validator does: each is the client's 4xx in the error shape, never a 500 (issue 27).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnreadableRequestsTest {
  private final Vertx vertx = Vertx.vertx();
  private HttpServer server;

  @BeforeAll
  void start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(1024 * 1024));
    // request().params(), as the contract's validator reads the query (rc.queryParams() would answer 400 itself).
    router.route("/read").handler(rc -> rc.json(rc.request().params().size() + rc.request().formAttributes().size()));
    router.route().failureHandler(new FailureHandler());
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void stop() {
    await(vertx.close());
  }

  static final String FORM = "application/x-www-form-urlencoded";

  /** name, method, path, content type, body → status, error code. */
  static Stream<Arguments> shapes() {
    String manyFields = IntStream.range(0, 300).mapToObj(i -> "f" + i + "=x").collect(Collectors.joining("&"));
    return Stream.of(
      arguments("broken %-escape in a form", "POST", "/read", FORM, "grant_type=%", 400, "VALIDATION_ERROR"),
      arguments("broken %-escape in a form (PUT)", "PUT", "/read", FORM, "a=%zz", 400, "VALIDATION_ERROR"),
      // Netty's form decoder throws a bare IllegalArgumentException for these (not its own decoder exceptions).
      arguments("broken %-escape in a form field's name", "POST", "/read", FORM, "%=%", 400, "VALIDATION_ERROR"),
      arguments("form fields without names", "POST", "/read", FORM, "=&=&", 400, "VALIDATION_ERROR"),
      arguments("GET with a form body", "GET", "/read", FORM, "a=b", 400, "VALIDATION_ERROR"),
      arguments("OPTIONS with a form body", "OPTIONS", "/read", FORM, "a=b", 400, "VALIDATION_ERROR"),
      arguments("TRACE with a multipart body", "TRACE", "/read", "multipart/form-data; boundary=x", "--x--", 400,
        "VALIDATION_ERROR"),
      arguments("a multipart part without a name", "POST", "/read", "multipart/form-data; boundary=x",
        "--x\r\nContent-Disposition: form-data\r\n\r\nb", 400, "VALIDATION_ERROR"),
      arguments("more form fields than Netty decodes", "POST", "/read", FORM, manyFields, 413, "PAYLOAD_TOO_LARGE"),
      arguments("a form field longer than Netty decodes", "POST", "/read", FORM, "a=" + "b".repeat(9000), 413,
        "PAYLOAD_TOO_LARGE"),
      arguments("broken %-escape in the query", "GET", "/read?all=%", null, null, 400, "VALIDATION_ERROR"),
      arguments("broken %-escape in the query (JSON body)", "POST", "/read?x=%zz", "application/json", "{}", 400,
        "VALIDATION_ERROR"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void isTheClientsMistakeInTheErrorShape(String name, String method, String path, String contentType, String body,
                                          int status, String code) {
    // A raw request: java.net.URI refuses a broken %-escape, which is what some of these cases send.
    assertError(RawHttp.send(server.actualPort(), method, path.getBytes(StandardCharsets.US_ASCII),
      contentType == null ? List.of() : List.of("Content-Type: " + contentType),
      body == null ? null : body.getBytes(StandardCharsets.UTF_8), 5000), status, code);
  }
}
