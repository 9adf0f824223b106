package com.paysvc.common.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.validation.ValidatorException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A service's contract bound to its handlers, one line per operation: its operationId, what it answers, who may call
 * it ({@link AccessRule}, a step of the route after the contract's checks) and the action. The operations whose
 * requests the contract does not validate are named once, with what checks them instead. Steps a service needs ahead
 * of the contract's checks (a guard by path, an upload's slot before its body) go on {@link #ahead()}.
 *
 * <p>The platform's rule for query parameters: a parameter the operation does not declare (by its exact name) is
 * refused with 400 VALIDATION_ERROR naming it, and so is a declared one given twice (unless its schema is an array):
 * a mistyped {@code include_inactiv} must not silently change what the caller gets. It runs on every bound operation,
 * validated or not, after the contract's checks and before the access rule ({@link QueryRule}).
 *
 * <pre>{@code
 * ops.json("createUser", 201, Access.scope(Scope.CREATE), rc -> users.create(...));
 * }</pre>
 */
public final class Operations {
  private static final Buffer MALFORMED_REQUEST = ApiException.validation("malformed request").toJson().toBuffer();
  private final RouterBuilder rb;
  private final Router ahead;
  private final Map<String, String> unvalidated;
  private final Map<String, AccessRule> rules = new LinkedHashMap<>();

  /**
   * {@code unvalidated}: operationId → why its request skips the contract's validation (what checks it instead).
   * Bodies were already read by the service's body handling: the contract validates {@code rc.body()}.
   */
  public Operations(Vertx vertx, OpenAPIContract contract, Map<String, String> unvalidated) {
    rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    ahead = Router.router(vertx);
    // Authentication is the JWT guard's, installed by the service ahead of these routes; the contract's security
    // section documents it.
    rb.getRoutes().forEach(r -> r.setDoSecurity(false));
    unvalidated.forEach((operationId, reason) -> route(operationId).setDoValidation(false));
    this.unvalidated = Collections.unmodifiableMap(new LinkedHashMap<>(unvalidated));
  }

  /** A handler for every request that enters the contract's router, ahead of its checks (e.g. the JWT guard). */
  public Operations rootHandler(Handler<RoutingContext> handler) {
    rb.rootHandler(handler);
    return this;
  }

  /** An operation whose answer is a JSON body, written as is with {@code status}. */
  public Operations json(String operationId, int status, AccessRule rule, Function<RoutingContext, Future<Buffer>> action) {
    bind(operationId, rule).addHandler(Endpoint.json(rule.guarding(action), status));
    return this;
  }

  /** An operation whose result {@code answer} writes. */
  public <T> Operations answer(String operationId, AccessRule rule, Function<RoutingContext, Future<T>> action,
                               BiConsumer<RoutingContext, T> answer) {
    bind(operationId, rule).addHandler(Endpoint.of(rc -> {
      rule.admitWithoutAnswer(rc);
      return action.apply(rc);
    }, answer));
    return this;
  }

  /** An operation served by a handler of its own. */
  public Operations handler(String operationId, AccessRule rule, Handler<RoutingContext> handler) {
    bind(operationId, rule).addHandler(rc -> {
      try {
        rule.admitWithoutAnswer(rc);
      } catch (RuntimeException e) {
        rc.fail(e);
        return;
      }
      handler.handle(rc);
    });
    return this;
  }

  /**
   * An operation served outside the contract's router (a hot read bound ahead of it), under {@code rule}: recorded so
   * that the route table names every operation.
   */
  public Operations servedElsewhere(String operationId, AccessRule rule) {
    record(operationId, rule);
    return this;
  }

  /** Routes in front of the contract's router, for steps that must run before its checks. */
  public Router ahead() {
    return ahead;
  }

  /** The service's router, once every operation is bound: {@link #ahead()}, then the contract's router. */
  public Router router() {
    Router contractRouter = rb.createRouter();
    // A router that cannot even match the request (a path parameter makes Vert.x decode the query; a malformed
    // %-escape throws) answers through its own error handler, Vert.x's plain-text "Bad Request" without one.
    contractRouter.errorHandler(400, Operations::malformed);
    ahead.errorHandler(400, Operations::malformed);
    ahead.route("/*").subRouter(contractRouter);
    return ahead;
  }

  private static void malformed(RoutingContext rc) {
    if (!rc.response().ended()) {
      rc.response().setStatusCode(400).putHeader(Endpoint.CONTENT_TYPE, Endpoint.APPLICATION_JSON)
        .end(MALFORMED_REQUEST);
    }
  }

  /** operationId → the access rule it is bound with, in binding order. */
  public Map<String, AccessRule> rules() {
    return Collections.unmodifiableMap(rules);
  }

  /** The declared exemptions: operationId → why the contract does not validate its request. */
  public Map<String, String> unvalidated() {
    return unvalidated;
  }

  /** The operations whose routes skip validation, as the router has them (what {@link #unvalidated} must list). */
  public Set<String> routesWithoutValidation() {
    Set<String> ids = new TreeSet<>();
    rb.getRoutes().stream().filter(r -> !r.doValidation()).forEach(r -> ids.add(r.getOperation().getOperationId()));
    return ids;
  }

  /** Every operationId of the contract. */
  public Set<String> operationIds() {
    Set<String> ids = new TreeSet<>();
    rb.getRoutes().forEach(r -> ids.add(r.getOperation().getOperationId()));
    return ids;
  }

  /** The operations of the contract bound to nothing here (the ops routes, served by {@link OpsRoutes}). */
  public Set<String> unbound() {
    Set<String> ids = operationIds();
    ids.removeAll(rules.keySet());
    return ids;
  }

  private OpenAPIRoute bind(String operationId, AccessRule rule) {
    OpenAPIRoute route = route(operationId);
    record(operationId, rule);
    // The operation's first handler: what the contract does not check about the query.
    QueryRule query = QueryRule.of(route.getOperation());
    route.addHandler(rc -> {
      try {
        query.check(rc);
      } catch (ApiException e) {
        rc.fail(e);
        return;
      }
      rc.next();
    });
    RequestBody body = route.getOperation().getRequestBody();
    return route.addFailureHandler(rc -> refusedByTheContract(rc, body));
  }

  /**
   * What the contract's checks refuse, answered as the contract declares it (anything else goes on as it failed):
   * <ul>
   *   <li>a malformed %-escape in the query: the validator reads the query through {@code HttpServerRequest.params()},
   *       whose decoder throws a bare IllegalArgumentException (a 500), where the router's own decoding says 400;</li>
   *   <li>a body of a media type the operation does not declare: the validator's plain 400 is a 415, naming the types
   *       it takes.</li>
   * </ul>
   */
  private static void refusedByTheContract(RoutingContext rc, RequestBody declared) {
    Throwable failure = rc.failure();
    if (failure instanceof IllegalArgumentException && !decodableQuery(rc)) {
      rc.fail(ApiException.validation(QueryRule.MALFORMED));
      return;
    }
    if (declared != null && failure instanceof HttpException h && h.getCause() instanceof ValidatorException
      && undeclaredType(rc, declared)) {
      rc.fail(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "send " + String.join(" or ", new TreeSet<>(declared.getContent().keySet()))));
      return;
    }
    rc.next();
  }

  /**
   * A Content-Type the operation does not list (a multipart one without a boundary leaves no body behind: still its
   * type), or a body without any.
   */
  private static boolean undeclaredType(RoutingContext rc, RequestBody declared) {
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null ? declared.determineContentType(type) == null : rc.body() != null && rc.body().length() > 0;
  }

  private static boolean decodableQuery(RoutingContext rc) {
    try {
      rc.queryParams();
      return true;
    } catch (HttpException malformed) {
      return false;
    }
  }

  private void record(String operationId, AccessRule rule) {
    route(operationId);
    if (rules.putIfAbsent(operationId, rule) != null) {
      throw new IllegalStateException("operation " + operationId + " is bound twice");
    }
  }

  private OpenAPIRoute route(String operationId) {
    OpenAPIRoute route = rb.getRoute(operationId);
    if (route == null) {
      throw new IllegalArgumentException("the contract has no operation " + operationId);
    }
    return route;
  }

  /**
   * The query parameters an operation declares, known from the contract at start: any other name (compared exactly:
   * {@code rc.queryParams()} would answer {@code PAGE} for {@code page}) and a repeated one whose schema is not an
   * array are refused (400 VALIDATION_ERROR, the name in the message and in {@code details.parameter}).
   */
  public static final class QueryRule {
    static final String MALFORMED = "the query is not validly %-encoded";
    /** Longest part of a caller's parameter name echoed back. */
    private static final int ECHO_MAX = 64;
    private final Set<String> declared;
    private final Set<String> repeatable;
    private final JsonArray allowed;
    /** Refuses a name the operation does not declare (compared exactly). */
    private final java.util.function.BiConsumer<String, String> nameCheck;

    private QueryRule(Set<String> declared, Set<String> repeatable) {
      this.declared = declared;
      this.repeatable = repeatable;
      this.allowed = new JsonArray(List.copyOf(declared));
      this.nameCheck = (name, value) -> {
        if (!declared.contains(name)) {
          throw refused("unknown query parameter '" + echo(name) + "': "
            + (declared.isEmpty() ? "this operation takes none" : "this operation takes " + String.join(", ", declared)), name);
        }
      };
    }

    /** The rule of {@code operation}'s declared query parameters. */
    public static QueryRule of(Operation operation) {
      Set<String> declared = new TreeSet<>();
      Set<String> repeatable = new TreeSet<>();
      for (Parameter p : operation.getParameters()) {
        if (p.getIn() == Location.QUERY) {
          declared.add(p.getName());
          if (p.getSchemaType() == SchemaType.ARRAY) {
            repeatable.add(p.getName());
          }
        }
      }
      return new QueryRule(Collections.unmodifiableSet(declared), Collections.unmodifiableSet(repeatable));
    }

    /** The rule of a route that declares {@code names} (none repeatable): for routes bound outside the contract. */
    public static QueryRule of(Set<String> names) {
      return new QueryRule(Collections.unmodifiableSet(new TreeSet<>(names)), Set.of());
    }

    /**
     * Throws a 400 {@link ApiException} when the request's query breaks the rule. Also the check of the hot routes
     * (users'), so the common case allocates nothing: the names are walked in place with a callback built once, and
     * repeated names are looked for only when the raw query holds more than one parameter.
     */
    public void check(RoutingContext rc) {
      String raw = rc.request().query();
      if (raw == null) {
        return;
      }
      MultiMap query;
      try {
        query = rc.queryParams();
      } catch (HttpException malformed) {
        throw ApiException.validation(MALFORMED);
      }
      query.forEach(nameCheck);
      if (raw.indexOf('&') >= 0) {
        for (String name : query.names()) {
          if (!repeatable.contains(name) && query.getAll(name).size() > 1) {
            throw refused("query parameter '" + echo(name) + "' is given more than once", name);
          }
        }
      }
    }

    private ApiException refused(String message, String name) {
      return new ApiException(ErrorCode.VALIDATION_ERROR, message,
        new JsonObject().put("parameter", echo(name)).put("allowed", allowed.copy()));
    }

    private static String echo(String name) {
      return name.length() <= ECHO_MAX ? name : name.substring(0, ECHO_MAX) + "...";
    }
  }
}
