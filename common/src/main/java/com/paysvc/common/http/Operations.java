package com.paysvc.common.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.Collections;
import java.util.LinkedHashMap;
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
 * <pre>{@code
 * ops.json("createUser", 201, Access.scope(Scope.CREATE), rc -> users.create(...));
 * }</pre>
 */
public final class Operations {
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
    ahead.route("/*").subRouter(rb.createRouter());
    return ahead;
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
    return route;
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
}
