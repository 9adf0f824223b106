package com.paysvc.common.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operations of a service's contract (its openapi.yaml as JSON) as the contract tests need them: method and path,
 * parameters, body media types, security and the declared responses, with the contract's local {@code $ref}s
 * resolved. Read from the document itself, not from vertx-openapi's model, so that the tests check what a client
 * generator reads.
 */
public final class ContractOperations {
  /** HTTP methods an OpenAPI path item may declare. */
  public static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** A declared parameter: {@code in} is path, query, header or cookie; {@code schema} resolved. */
  public record Param(String name, String in, boolean required, JsonObject schema) {
  }

  /** A declared response: its status and, when it has a JSON body, the {@code $ref} of that body's schema (or null). */
  public record Answer(int status, String schemaRef, JsonObject response) {
  }

  /**
   * One operation. {@code security}: the names of the schemes it may be called with (empty: open; {@code optional}
   * when {@code {}} is one of the alternatives); {@code bodyTypes}: the media types of its request body (empty: none).
   */
  public record Operation(String id, String method, String path, List<Param> params, Map<String, JsonObject> bodyTypes,
                          boolean bodyRequired, Set<String> security, boolean optionalSecurity,
                          Map<Integer, Answer> answers) {
    public List<Param> params(String in) {
      return params.stream().filter(p -> p.in().equals(in)).toList();
    }

    public boolean hasBody() {
      return !bodyTypes.isEmpty();
    }

    /** Needs a credential of one of {@link #security} (no anonymous alternative). */
    public boolean secured() {
      return !security.isEmpty();
    }

    public Set<Integer> statuses() {
      return answers.keySet();
    }

    @Override
    public String toString() {
      return id + " (" + method.toUpperCase(Locale.ROOT) + " " + path + ")";
    }
  }

  private final JsonObject doc;
  private final List<Operation> operations = new ArrayList<>();

  public ContractOperations(JsonObject doc) {
    this.doc = doc;
    JsonArray globalSecurity = doc.getJsonArray("security", new JsonArray());
    JsonObject paths = doc.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      List<Param> pathLevel = params(item.getJsonArray("parameters", new JsonArray()));
      for (String method : METHODS) {
        JsonObject op = item.getJsonObject(method);
        if (op == null) {
          continue;
        }
        List<Param> params = new ArrayList<>(params(op.getJsonArray("parameters", new JsonArray())));
        for (Param p : pathLevel) {
          if (params.stream().noneMatch(q -> q.name().equals(p.name()) && q.in().equals(p.in()))) {
            params.add(p);
          }
        }
        Map<String, JsonObject> bodyTypes = new LinkedHashMap<>();
        boolean bodyRequired = false;
        if (op.containsKey("requestBody")) {
          JsonObject body = resolve(op.getJsonObject("requestBody"));
          bodyRequired = body.getBoolean("required", false);
          JsonObject content = body.getJsonObject("content", new JsonObject());
          content.fieldNames().forEach(type -> bodyTypes.put(type,
            resolve(content.getJsonObject(type).getJsonObject("schema", new JsonObject()))));
        }
        JsonArray security = op.getJsonArray("security", globalSecurity);
        Set<String> schemes = new LinkedHashSet<>();
        boolean optional = security.isEmpty();
        for (Object alternative : security) {
          JsonObject requirement = (JsonObject) alternative;
          if (requirement.isEmpty()) {
            optional = true;
          }
          schemes.addAll(requirement.fieldNames());
        }
        Map<Integer, Answer> answers = new TreeMap<>();
        JsonObject responses = op.getJsonObject("responses", new JsonObject());
        for (String code : responses.fieldNames()) {
          if (!code.matches("[1-5][0-9][0-9]")) {
            throw new IllegalArgumentException(op.getString("operationId") + " declares response '" + code
              + "': only numeric statuses (client generators need each one)");
          }
          JsonObject response = responses.getJsonObject(code);
          String schemaRef = schemaRef(response);
          answers.put(Integer.parseInt(code), new Answer(Integer.parseInt(code), schemaRef, resolve(response)));
        }
        operations.add(new Operation(op.getString("operationId"), method, path, List.copyOf(params),
          Collections.unmodifiableMap(bodyTypes), bodyRequired, Collections.unmodifiableSet(schemes), optional,
          Collections.unmodifiableMap(answers)));
      }
    }
  }

  public List<Operation> operations() {
    return Collections.unmodifiableList(operations);
  }

  public Operation operation(String id) {
    return operations.stream().filter(o -> id.equals(o.id())).findFirst()
      .orElseThrow(() -> new IllegalArgumentException("the contract has no operation " + id));
  }

  /** The contract's document. */
  public JsonObject document() {
    return doc;
  }

  /** {@code node} itself, or what its local {@code $ref} ({@code #/a/b}) names, followed until no {@code $ref} is left. */
  public JsonObject resolve(JsonObject node) {
    JsonObject n = node;
    for (int hops = 0; n != null && n.containsKey("$ref"); hops++) {
      if (hops > 16) {
        throw new IllegalArgumentException("a $ref cycle at " + node.encode());
      }
      n = pointer(n.getString("$ref"));
    }
    return n;
  }

  private JsonObject pointer(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalArgumentException("only local $refs are supported here: " + ref);
    }
    Object at = doc;
    for (String part : ref.substring(2).split("/")) {
      at = at instanceof JsonObject o ? o.getValue(part.replace("~1", "/").replace("~0", "~")) : null;
    }
    if (!(at instanceof JsonObject o)) {
      throw new IllegalArgumentException("the contract has no " + ref);
    }
    return o;
  }

  /** The {@code $ref} of a response's JSON body schema (through a response {@code $ref}), or null. */
  private String schemaRef(JsonObject response) {
    JsonObject r = resolve(response);
    JsonObject json = r.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
    if (json == null) {
      return null;
    }
    JsonObject schema = json.getJsonObject("schema", new JsonObject());
    return schema.getString("$ref");
  }

  private List<Param> params(JsonArray list) {
    List<Param> out = new ArrayList<>();
    for (Object o : list) {
      JsonObject p = resolve((JsonObject) o);
      out.add(new Param(p.getString("name"), p.getString("in"), p.getBoolean("required", false),
        resolve(p.getJsonObject("schema", new JsonObject()))));
    }
    return out;
  }
}
