package com.paysvc.common.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Who may call an operation: a step of its route, after the contract's checks and before the action (authentication,
 * the JWT guard, runs earlier). A rule refuses by throwing an {@link ApiException} (403); a rule that depends on the
 * data read (a plain user reads only its own record) returns the check the JSON answer must still pass. Its
 * {@link #who} is how the route table and its tests name it.
 */
public final class AccessRule {
  /** The answer check of a rule that does not look at the data: the bytes pass as they are. */
  public static final Function<Buffer, Future<Buffer>> ANY_ANSWER = Future::succeededFuture;

  private final String who;
  private final Function<RoutingContext, Function<Buffer, Future<Buffer>>> admit;

  private AccessRule(String who, Function<RoutingContext, Function<Buffer, Future<Buffer>>> admit) {
    this.who = who;
    this.admit = admit;
  }

  /** A rule decided before the action: {@code check} throws an {@link ApiException} to refuse. */
  public static AccessRule of(String who, Consumer<RoutingContext> check) {
    return new AccessRule(who, rc -> {
      check.accept(rc);
      return ANY_ANSWER;
    });
  }

  /**
   * A rule that may need the answer: {@code admit} refuses (throws) or returns the check of the JSON answer
   * ({@link #ANY_ANSWER} when the caller may see any).
   */
  public static AccessRule onAnswer(String who, Function<RoutingContext, Function<Buffer, Future<Buffer>>> admit) {
    return new AccessRule(who, admit);
  }

  /** The caller is admitted by something the route's action checks itself ({@code who} says what). */
  public static AccessRule checkedBy(String who) {
    return of(who, rc -> {
    });
  }

  /** One of two rules, chosen by the request (e.g. by a query parameter). */
  public static AccessRule either(String who, Function<RoutingContext, AccessRule> choice) {
    return new AccessRule(who, rc -> choice.apply(rc).admit(rc));
  }

  public String who() {
    return who;
  }

  /** Admits the caller (or throws) and returns the check of the answer. */
  public Function<Buffer, Future<Buffer>> admit(RoutingContext rc) {
    return admit.apply(rc);
  }

  /** {@code action} behind this rule: the caller is admitted first, then the JSON answer is checked. */
  public Function<RoutingContext, Future<Buffer>> guarding(Function<RoutingContext, Future<Buffer>> action) {
    return rc -> {
      Function<Buffer, Future<Buffer>> answerCheck = admit(rc);
      Future<Buffer> answer = action.apply(rc);
      return answerCheck == ANY_ANSWER ? answer : answer.compose(answerCheck);
    };
  }

  /** Admits the caller (or throws), for an action whose answer is not JSON: the rule must not need the answer. */
  public void admitWithoutAnswer(RoutingContext rc) {
    if (admit(rc) != ANY_ANSWER) {
      throw new IllegalStateException("the rule '" + who + "' checks the answer: bind its operation as JSON");
    }
  }

  @Override
  public String toString() {
    return who;
  }
}
