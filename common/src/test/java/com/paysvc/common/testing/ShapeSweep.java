package com.paysvc.common.testing;

import com.paysvc.common.testing.ContractOperations.Operation;
import com.paysvc.common.testing.RequestShapes.Shape;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sends every {@link RequestShapes} shape of a service's contract to a running instance, with each credential its
 * operation can be called with, and judges each answer against the contract:
 * <ul>
 *   <li>never a 5xx (nothing is down during the sweep, so a 503 is a bug too), never a dropped connection or no answer;</li>
 *   <li>every error in the error shape {@code {"error_code","message","details"}} (HEAD answers have no body);</li>
 *   <li>a status the contract declares for the operation (a path no operation has: 404 or 405), or the narrower set a
 *       shape expects (an undeclared query parameter: 400; a body of an undeclared media type: 415).</li>
 * </ul>
 * Bugs found in code another part of the team owns are listed, by label, as known failures: the sweep fails on any
 * other finding, and on a known failure that no longer happens (the fix is in: take it off the list).
 */
public final class ShapeSweep {
  /** Longest wait for an answer: a server that waits for the rest of a body it should have refused shows here. */
  private static final int TIMEOUT_MS = 5000;

  /** How a request proves who sends it: headers from the body about to be sent (a signature covers it). */
  public record Credential(String name, boolean valid, Function<byte[], List<String[]>> headers) {
    /** No credential at all. */
    public static Credential none() {
      return new Credential("no credential", false, body -> List.of());
    }

    /** {@code Authorization: Bearer <token>}, a new token per request. */
    public static Credential bearer(String name, boolean valid, Supplier<String> token) {
      return new Credential(name, valid, body -> List.<String[]>of(new String[] {"Authorization", "Bearer " + token.get()}));
    }

    /** {@code Authorization: Basic ...} of {@code user:password} as given. */
    public static Credential basic(String name, boolean valid, String user, String password) {
      String b64 = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return new Credential(name, valid, body -> List.<String[]>of(new String[] {"Authorization", "Basic " + b64}));
    }
  }

  /** A judged answer that broke a rule. */
  public record Finding(String label, String why) {
  }

  private final ContractOperations contract;
  private final Map<String, List<Credential>> bySchemes = new LinkedHashMap<>();
  private final Map<String, String> pathValues = new LinkedHashMap<>();
  private final Map<String, JsonObject> bodies = new LinkedHashMap<>();
  private final List<String> unmatched = new ArrayList<>();
  private Supplier<List<String[]>> perRequest = List::of;
  private Map<String, String> knownFailures = Map.of();
  private int sent;

  public ShapeSweep(ContractOperations contract) {
    this.contract = contract;
  }

  /**
   * The credentials an operation secured by {@code scheme} is tried with; the first valid one is its main credential
   * (every shape), the others get the short list. An operation whose security allows no credential is also tried
   * without one.
   */
  public ShapeSweep credentials(String scheme, Credential... credentials) {
    bySchemes.put(scheme, List.of(credentials));
    return this;
  }

  /** A value for a path parameter (e.g. an id that exists). */
  public ShapeSweep pathValue(String name, String value) {
    pathValues.put(name, value);
    return this;
  }

  /** A plausible JSON body for an operation (instead of one built from its schema). */
  public ShapeSweep body(String operationId, JsonObject body) {
    bodies.put(operationId, body);
    return this;
  }

  /** Paths no operation has, tried too. */
  public ShapeSweep unmatched(String... targets) {
    unmatched.addAll(List.of(targets));
    return this;
  }

  /** Headers added to every request (e.g. an X-Forwarded-For of its own, so that limiters count each on its own). */
  public ShapeSweep everyRequest(Supplier<List<String[]>> headers) {
    this.perRequest = headers;
    return this;
  }

  /**
   * Findings expected today: a regular expression found in their labels → who fixes it and how to see it. One entry
   * may cover many labels (e.g. every method with a form body).
   */
  public ShapeSweep knownFailures(Map<String, String> known) {
    this.knownFailures = known;
    return this;
  }

  /** Sends everything to 127.0.0.1:{@code port}; fails on any finding not known and on any known one that is gone. */
  public void assertNoSurprises(int port) {
    long started = System.nanoTime();
    List<Finding> findings = run(port);
    Map<String, Pattern> known = new LinkedHashMap<>();
    knownFailures.keySet().forEach(k -> known.put(k, Pattern.compile(k)));
    List<String> surprises = new ArrayList<>();
    Map<String, Integer> seen = new TreeMap<>();
    for (Finding f : findings) {
      List<String> matches = known.entrySet().stream().filter(e -> e.getValue().matcher(f.label()).find())
        .map(Map.Entry::getKey).toList();
      if (matches.isEmpty()) {
        surprises.add(f.label() + " -> " + f.why());
      } else {
        matches.forEach(m -> seen.merge(m, 1, Integer::sum));
        System.out.println("known failure: " + f.label() + " -> " + f.why());
      }
    }
    Set<String> gone = new TreeSet<>(knownFailures.keySet());
    gone.removeAll(seen.keySet());
    System.out.printf("shape sweep: %d requests in %d ms, %d finding(s), %d of them known %s%n", sent,
      (System.nanoTime() - started) / 1_000_000, findings.size(), findings.size() - surprises.size(), seen);
    assertEquals("", String.join("\n", surprises), surprises.size() + " finding(s) not on the known list");
    assertEquals(Set.of(), gone, "known failures that no longer happen: take them off the list");
  }

  /** Every finding, in the order the shapes were sent. */
  public List<Finding> run(int port) {
    RequestShapes shapes = new RequestShapes(contract, pathValues, bodies);
    List<Finding> findings = new ArrayList<>();
    for (Shape shape : shapes.all(unmatched)) {
      List<Credential> creds = credentialsOf(shape.op());
      for (int i = 0; i < creds.size(); i++) {
        Credential c = creds.get(i);
        if (i > 0 && shape.mainOnly()) {
          continue;
        }
        List<String[]> headers = new ArrayList<>(perRequest.get());
        headers.addAll(c.headers().apply(shape.body() == null ? new byte[0] : shape.body()));
        headers.addAll(shape.headers());
        byte[] request = RawHttp.request(shape.method(), shape.target(), headers, shape.body());
        RawHttp.Answer answer = RawHttp.exchange(port, request, TIMEOUT_MS, shape.method().equals("HEAD"));
        sent++;
        String label = shape.label() + " [" + c.name() + "]";
        String why = judge(shape, c, i == 0, answer);
        if (why != null) {
          findings.add(new Finding(label, why));
        }
      }
    }
    return findings;
  }

  /**
   * The credentials an operation is tried with: its main one first (the first valid one), then the other valid ones,
   * then none (when its security allows it), then the invalid ones, then none (when it does not).
   */
  private List<Credential> credentialsOf(Operation op) {
    List<Credential> all = new ArrayList<>();
    if (op == null || op.security().isEmpty()) {
      all.add(Credential.none());
      return all;
    }
    for (String scheme : op.security()) {
      List<Credential> given = bySchemes.get(scheme);
      if (given == null) {
        throw new IllegalStateException(op + " is secured by " + scheme + ": give its credentials");
      }
      given.stream().filter(Credential::valid).forEach(all::add);
    }
    if (op.optionalSecurity()) {
      all.add(Credential.none());
    }
    for (String scheme : op.security()) {
      bySchemes.get(scheme).stream().filter(c -> !c.valid()).forEach(all::add);
    }
    if (!op.optionalSecurity()) {
      all.add(Credential.none());
    }
    return all;
  }

  private static String judge(Shape shape, Credential credential, boolean main, RawHttp.Answer a) {
    if (a.status() < 0) {
      return a.problem();
    }
    if (a.status() >= 500) {
      return "a " + a.status() + ": " + a;
    }
    boolean head = shape.method().equals("HEAD");
    if (a.status() >= 400 && !head) {
      String shapeProblem = errorShape(a);
      if (shapeProblem != null) {
        return a.status() + " not in the error shape (" + shapeProblem + "): " + a;
      }
    }
    Set<Integer> allowed = allowed(shape, credential, main);
    if (!allowed.contains(a.status())) {
      return a.status() + " where " + allowed + " are declared: " + a;
    }
    return null;
  }

  /**
   * What the answer may be: the operation's declared statuses, or the shape's narrower set. Who the caller is may be
   * settled before the thing a shape breaks: with another than the main credential, its 401 or 403 is fine too.
   */
  private static Set<Integer> allowed(Shape shape, Credential credential, boolean main) {
    Operation op = shape.op();
    Set<Integer> allowed = new TreeSet<>();
    if (shape.expect() != null) {
      allowed.addAll(shape.expect());
      if (op != null && !main) {
        for (int refusal : new int[] {401, 403}) {
          if (op.statuses().contains(refusal)) {
            allowed.add(refusal);
          }
        }
      }
    } else if (op != null) {
      allowed.addAll(op.statuses());
    }
    if (shape.transport()) {
      allowed.addAll(Set.of(400, 414, 431));
    }
    return allowed;
  }

  /** Why an answer is not the error shape, or null. */
  private static String errorShape(RawHttp.Answer a) {
    String type = a.header("content-type");
    if (type == null || !type.startsWith("application/json")) {
      return "Content-Type " + type;
    }
    JsonObject body;
    try {
      body = new JsonObject(a.text());
    } catch (DecodeException | ClassCastException e) {
      return "not a JSON object";
    }
    if (!body.fieldNames().equals(Set.of("error_code", "message", "details"))) {
      return "fields " + body.fieldNames();
    }
    if (!(body.getValue("error_code") instanceof String) || !(body.getValue("message") instanceof String)
      || !(body.getValue("details") instanceof JsonObject)) {
      return "field types";
    }
    return null;
  }
}
