package com.paysvc.common.testing;

import com.paysvc.common.testing.ContractOperations.Operation;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every status an operation can answer is declared in its contract (client generators read nothing else). The shape
 * of an operation implies statuses, checked here for each service's contract:
 * <ul>
 *   <li>a security scheme (a token, a signature, HTTP Basic) → 401;</li>
 *   <li>every operation of the contract's router → 400: a query parameter it does not declare is refused
 *       ({@code Operations.QueryRule}), and so are its parameters and body when they break the contract;</li>
 *   <li>a path parameter → 404 (it names something that may not exist);</li>
 *   <li>a request body → 413 (every body is limited) and 415 (every body is typed);</li>
 *   <li>every operation → 503 (a dependency is down), unless the service names it as touching none;</li>
 *   <li>an access rule that can refuse → 403; a limiter → 429 (each service names these);</li>
 *   <li>a success status, and every error status in the shared error schema ({@code #/components/schemas/Error}),
 *       from the statuses the platform answers.</li>
 * </ul>
 * And the contract's {@code info.description} states the rule for query parameters (what a client generator shows).
 * The ops routes ({@link RouteTables#OPS_ROUTES}: health and metrics, served outside the contract's router, for
 * probes) need only their success status.
 */
public final class ContractStatuses {
  public static final String ERROR_SCHEMA = "#/components/schemas/Error";
  /** The statuses of SPEC §3 (and the successes the platform uses): anything else is a typo or an undocumented code. */
  public static final Set<Integer> KNOWN = Set.of(200, 201, 204, 400, 401, 403, 404, 409, 413, 415, 429, 503);

  /** What a service says about its operations beyond their shape. */
  public record Facts(Set<String> refusing, Set<String> limited, Set<String> touchingNoDependency) {
    /**
     * {@code refusing}: operations whose access rule can refuse (403); {@code limited}: operations behind a limiter
     * (429); {@code touchingNoDependency}: operations that cannot answer 503.
     */
    public Facts {
      refusing = Set.copyOf(refusing);
      limited = Set.copyOf(limited);
      touchingNoDependency = Set.copyOf(touchingNoDependency);
    }
  }

  private ContractStatuses() {
  }

  /** Fails with every missing or wrong declaration of the contract, one per line. */
  public static void assertComplete(ContractOperations contract, Facts facts) {
    List<String> problems = problems(contract, facts);
    assertEquals("", String.join("\n", problems), problems.size() + " problem(s) in the contract");
  }

  /** The operations whose access rule can refuse: those bound with a rule not named in {@code open}. */
  public static Set<String> refusing(Map<String, String> whoMayCall, Set<String> open) {
    Set<String> ids = new TreeSet<>();
    whoMayCall.forEach((op, who) -> {
      if (!open.contains(who)) {
        ids.add(op);
      }
    });
    return ids;
  }

  /** Every missing or wrong declaration, as {@code operationId: what}. */
  public static List<String> problems(ContractOperations contract, Facts facts) {
    List<String> problems = new ArrayList<>();
    String description = contract.document().getJsonObject("info", new JsonObject()).getString("description", "");
    if (!description.contains("query parameter")) {
      problems.add("info.description: does not state the rule for query parameters an operation does not list");
    }
    for (String id : union(facts.refusing(), facts.limited(), facts.touchingNoDependency())) {
      if (contract.operations().stream().noneMatch(o -> o.id().equals(id))) {
        problems.add(id + ": named by the service but not in the contract");
      }
    }
    for (Operation op : contract.operations()) {
      Set<Integer> declared = op.statuses();
      if (declared.stream().noneMatch(s -> s >= 200 && s < 300)) {
        problems.add(op.id() + ": no success status");
      }
      for (int status : declared) {
        if (!KNOWN.contains(status)) {
          problems.add(op.id() + ": " + status + " is not a status of the platform " + new TreeSet<>(KNOWN));
        }
      }
      if (RouteTables.OPS_ROUTES.contains(op.id())) {
        continue;
      }
      List<String> why = new ArrayList<>();
      require(why, declared, op.secured(), 401, "it has a security scheme " + op.security());
      require(why, declared, true, 400, "an undeclared query parameter is refused");
      require(why, declared, !op.params("path").isEmpty(), 404, "it has a path parameter");
      require(why, declared, op.hasBody(), 413, "it has a request body (limited)");
      require(why, declared, op.hasBody(), 415, "it has a request body (typed)");
      require(why, declared, !facts.touchingNoDependency().contains(op.id()), 503, "it touches a dependency");
      require(why, declared, facts.refusing().contains(op.id()), 403, "its access rule can refuse");
      require(why, declared, facts.limited().contains(op.id()), 429, "a limiter applies");
      why.forEach(w -> problems.add(op.id() + ": " + w));
      op.answers().values().stream().filter(a -> a.status() >= 400)
        .filter(a -> !ERROR_SCHEMA.equals(a.schemaRef()))
        .forEach(a -> problems.add(op.id() + ": " + a.status() + " does not answer the error schema " + ERROR_SCHEMA));
      if (declared.contains(429) && !op.answers().get(429).response().getJsonObject("headers", new JsonObject())
        .containsKey("Retry-After")) {
        problems.add(op.id() + ": 429 does not declare its Retry-After header");
      }
    }
    return problems;
  }

  private static void require(List<String> why, Set<Integer> declared, boolean implied, int status, String because) {
    if (implied && !declared.contains(status)) {
      why.add(status + " missing: " + because);
    }
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    Set<String> all = new TreeSet<>();
    for (Set<String> s : sets) {
      all.addAll(s);
    }
    return all;
  }
}
