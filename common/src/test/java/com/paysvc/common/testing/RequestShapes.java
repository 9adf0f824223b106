package com.paysvc.common.testing;

import com.paysvc.common.testing.ContractOperations.Operation;
import com.paysvc.common.testing.ContractOperations.Param;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Hostile request shapes for every operation of a contract, derived from the contract alone and always the same list
 * (no randomness): every HTTP method with and without a body, missing, wrong and odd Content-Types, empty and
 * non-object bodies, invalid UTF-8, invalid %-escapes in path, query and form, huge numbers, wrong types, very long
 * strings and headers, malformed path parameters, trailing slashes, unknown and repeated query parameters. Each shape
 * starts from a plausible request (values from the schemas: examples, enums, formats, patterns) and breaks one thing.
 * Credentials are not part of a shape: {@link ShapeSweep} sends each shape with each credential of its operation.
 */
public final class RequestShapes {
  /** Methods every path is tried with (PROPFIND: a method token no route knows). */
  public static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
    "PROPFIND");
  /**
   * What a request no operation takes may answer: 404 or 405, or the refusal of a guard that covers a whole area
   * (e.g. every path under webhook's admin prefixes needs an admin's token, known routes or not).
   */
  static final Set<Integer> NO_OPERATION = Set.of(401, 403, 404, 405);
  static final String UUID = "3f2c1b7e-5d4a-4c3b-9a8e-1f2e3d4c5b6a";
  static final String JSON = "application/json";
  static final String FORM = "application/x-www-form-urlencoded";
  static final String MULTIPART = "multipart/form-data";
  private static final String BOUNDARY = "shapeboundary7MA4YWxk";
  /** Values tried against a string schema's pattern, in order: the first that matches is the sample. */
  private static final List<String> PATTERN_CANDIDATES = List.of("+79991234567", "fuzz_x", "RUB", "1796150000", UUID,
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "x");

  /**
   * One request: {@code op} is the operation it is meant for (null: a path no operation has); {@code expect} narrows what
   * the answer may be (null: any status the operation declares); {@code transport}: the request breaks HTTP itself (a
   * request line or headers over the server's limits, a malformed length), so 400, 414 and 431 are fine too;
   * {@code mainOnly}: only sent with the operation's main credential (the others get the short list).
   */
  public record Shape(Operation op, String name, String method, String target, List<String[]> headers, byte[] body,
                      Set<Integer> expect, boolean transport, boolean mainOnly) {
    public String label() {
      return (op == null ? "-" : op.id()) + " " + method + " " + name;
    }
  }

  private final ContractOperations contract;
  private final Map<String, String> pathValues;
  private final Map<String, JsonObject> bodies;

  /**
   * {@code pathValues}: a value per path parameter name (else one from its schema); {@code bodies}: a plausible JSON
   * body per operationId (else one from its schema).
   */
  public RequestShapes(ContractOperations contract, Map<String, String> pathValues, Map<String, JsonObject> bodies) {
    this.contract = contract;
    this.pathValues = pathValues;
    this.bodies = bodies;
  }

  /** Every shape of every operation, and of paths no operation has ({@code unmatched}: e.g. {@code /accounts/nope}). */
  public List<Shape> all(List<String> unmatched) {
    List<Shape> shapes = new ArrayList<>();
    Set<String> paths = new TreeSet<>();
    for (Operation op : contract.operations()) {
      if (RouteTables.OPS_ROUTES.contains(op.id())) {
        continue;
      }
      shapes.addAll(of(op));
      paths.add(op.path());
    }
    for (String path : paths) {
      shapes.addAll(methods(path));
    }
    for (String target : unmatched) {
      for (String method : List.of("GET", "POST", "DELETE")) {
        shapes.add(new Shape(null, "unmatched " + target, method, target, List.of(), null, NO_OPERATION, false, true));
      }
    }
    return shapes;
  }

  /** The shapes of one operation. */
  public List<Shape> of(Operation op) {
    List<Shape> shapes = new ArrayList<>();
    String method = op.method().toUpperCase(Locale.ROOT);
    String target = target(op, Map.of());
    String type = op.bodyTypes().isEmpty() ? null : op.bodyTypes().keySet().iterator().next();
    byte[] body = type == null ? null : sampleBody(op, type);

    shapes.add(shape(op, "plausible", method, target, type, body, null, false));
    query(op, shapes, method, body, type);
    path(op, shapes, method, body, type);
    transport(op, shapes, method, target, body, type);
    if (op.hasBody()) {
      contentTypes(op, shapes, method, target, body);
      for (String declared : op.bodyTypes().keySet()) {
        switch (declared) {
          case JSON -> json(op, shapes, method, target);
          case FORM -> form(op, shapes, method, target);
          case MULTIPART -> multipart(op, shapes, method, target);
          default -> throw new IllegalArgumentException(op + ": no shapes for " + declared);
        }
      }
    } else {
      // A body where none is declared: ignored or refused, never a 500.
      shapes.add(shape(op, "unexpected JSON body", method, target, JSON, bytes("{\"a\": 1}"), null, false));
      shapes.add(shape(op, "unexpected form body", method, target, FORM, bytes("a=%"), null, false));
      shapes.add(shape(op, "unexpected non-object JSON body", method, target, JSON, bytes("[null]"), null, false));
    }
    return shapes;
  }

  // ---------------------------------------------------------------------------------------------------------- query

  private void query(Operation op, List<Shape> shapes, String method, byte[] body, String type) {
    String base = target(op, Map.of());
    String join = base.contains("?") ? "&" : "?";
    // The platform's rule: a parameter the operation does not declare is refused, by name.
    shapes.add(shape(op, "unknown query parameter", method, base + join + "zz_unknown=1", type, body, Set.of(400), true));
    shapes.add(shape(op, "unknown query parameter without value", method, base + join + "debug", type, body, Set.of(400), true));
    shapes.add(shape(op, "malformed query name", method, base + join + "%=1", type, body, Set.of(400), true));
    shapes.add(shape(op, "malformed query value", method, base + join + "zz=%zz", type, body, Set.of(400), true));
    shapes.add(shape(op, "empty query parts", method, base + join + "&&", type, body, null, true));
    for (Param p : op.params("query")) {
      String name = p.name();
      String typo = name.substring(0, name.length() - 1);
      String without = target(op, Map.of(name, ""));
      String j = without.contains("?") ? "&" : "?";
      shapes.add(shape(op, "query " + name + " mistyped", method, without + j + typo + "=" + enc(sample(p.schema())), type,
        body, Set.of(400), true));
      shapes.add(shape(op, "query " + name + " in capitals", method, without + j + name.toUpperCase(Locale.ROOT) + "="
        + enc(sample(p.schema())), type, body, Set.of(400), true));
      shapes.add(shape(op, "query " + name + " twice", method, without + j + name + "=" + enc(sample(p.schema())) + "&" + name
        + "=" + enc(sample(p.schema())), type, body, "array".equals(p.schema().getString("type")) ? null : Set.of(400), true));
      shapes.add(shape(op, "query " + name + " malformed escape", method, without + j + name + "=%", type, body, Set.of(400), true));
      shapes.add(shape(op, "query " + name + " escaped percent", method, without + j + name + "=%25", type, body, null, true));
      shapes.add(shape(op, "query " + name + " invalid UTF-8", method, without + j + name + "=%C3%28", type, body, null, true));
      shapes.add(shape(op, "query " + name + " empty", method, without + j + name + "=", type, body, null, true));
      shapes.add(shape(op, "query " + name + " wrong type", method, without + j + name + "=abc%20def", type, body, null, true));
      shapes.add(shape(op, "query " + name + " huge number", method, without + j + name + "=99999999999999999999999", type,
        body, null, true));
      shapes.add(shape(op, "query " + name + " long", method, without + j + name + "=" + "q".repeat(3000), type, body, null, true));
      if (p.required()) {
        shapes.add(shape(op, "query " + name + " missing", method, without, type, body, Set.of(400), true));
      }
    }
  }

  // ----------------------------------------------------------------------------------------------------------- path

  private void path(Operation op, List<Shape> shapes, String method, byte[] body, String type) {
    String base = target(op, Map.of());
    String path = base.contains("?") ? base.substring(0, base.indexOf('?')) : base;
    String query = base.contains("?") ? base.substring(base.indexOf('?')) : "";
    shapes.add(shape(op, "trailing slash", method, path + "/" + query, type, body, null, true));
    if (op.hasBody()) {
      // Another spelling of the path must not escape the checks of its body.
      shapes.add(shape(op, "trailing slash with Content-Type 'text/plain'", method, path + "/" + query, "text/plain", body,
        Set.of(415), true));
    }
    shapes.add(shape(op, "double slash", method, path.replaceFirst("/", "//") + query, type, body, null, true));
    shapes.add(shape(op, "dot segment", method, path.replaceFirst("/([^/]+)$", "/./$1") + query, type, body, null, true));
    for (Param p : op.params("path")) {
      Map<String, String> bad = new LinkedHashMap<>();
      bad.put("malformed escape", "%");
      bad.put("invalid escape", "%zz");
      bad.put("NUL", "%00");
      bad.put("invalid UTF-8", "%C3%28");
      bad.put("encoded slash", "a%2Fb");
      bad.put("parent", "..");
      bad.put("quote", "%27%20OR%201%3D1--");
      bad.put("non-ASCII", "%C3%BC");
      bad.put("long", "p".repeat(1500));
      bad.put("upper-case UUID", UUID.toUpperCase(Locale.ROOT));
      bad.put("UUID in braces", "%7B" + UUID + "%7D");
      bad.put("UUID without hyphens", UUID.replace("-", ""));
      bad.put("not a UUID", "not-a-uuid");
      boolean uuid = isUuid(p.schema());
      // ".." and an encoded slash may lead elsewhere (another path, or none).
      Set<Integer> elsewhere = new TreeSet<>(op.statuses());
      elsewhere.addAll(NO_OPERATION);
      bad.forEach((name, value) -> {
        boolean leaves = name.equals("parent") || name.equals("encoded slash");
        boolean malformedUuid = uuid && !leaves && !name.equals("upper-case UUID");
        shapes.add(shape(op, "path " + p.name() + " " + name, method, target(op, Map.of(p.name(), value)), type, body,
          leaves ? elsewhere : malformedUuid ? Set.of(400) : null, true));
      });
    }
  }

  // ------------------------------------------------------------------------------------------------------ transport

  private void transport(Operation op, List<Shape> shapes, String method, String target, byte[] body, String type) {
    shapes.add(transportShape(op, "request line over 8 KB", method, target + (target.contains("?") ? "&" : "?") + "z="
      + "l".repeat(9000), type, body, List.of()));
    shapes.add(transportShape(op, "header over 8 KB", method, target, type, body, List.<String[]>of(new String[] {"X-Pad",
      "h".repeat(9000)})));
    shapes.add(transportShape(op, "long bearer", method, target, type, body, List.<String[]>of(new String[] {"Authorization",
      "Bearer " + "b".repeat(6000)})));
    List<String[]> many = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      many.add(new String[] {"X-Many-" + i, "v"});
    }
    shapes.add(transportShape(op, "120 headers", method, target, type, body, many));
    shapes.add(transportShape(op, "odd X-Forwarded-For", method, target, type, body, List.<String[]>of(new String[] {
      "X-Forwarded-For", "not-an-ip, 999.1.1.1, ::1, , 10.0.0.1"})));
    shapes.add(transportShape(op, "long X-Request-Id", method, target, type, body, List.<String[]>of(new String[] {"X-Request-Id",
      "r".repeat(2000)})));
    shapes.add(transportShape(op, "odd Accept", method, target, type, body, List.<String[]>of(new String[] {"Accept",
      "application/xml;q=0.9, */*;q=zz"})));
    byte[] b = body == null ? new byte[0] : body;
    List<String[]> typed = type == null ? new ArrayList<>() : new ArrayList<>(List.<String[]>of(new String[] {"Content-Type", type}));
    shapes.add(raw(op, "Content-Length not a number", method, target, with(typed, "Content-Length", "abc"), b));
    shapes.add(raw(op, "Content-Length negative", method, target, with(typed, "Content-Length", "-1"), b));
    shapes.add(raw(op, "Content-Length twice", method, target, with(with(typed, "Content-Length", Integer.toString(b.length)),
      "Content-Length", Integer.toString(b.length + 1)), b));
    shapes.add(raw(op, "chunked and Content-Length", method, target, with(with(typed, "Transfer-Encoding", "chunked"),
      "Content-Length", "3"), chunked(b)));
    shapes.add(raw(op, "chunked", method, target, with(typed, "Transfer-Encoding", "chunked"), chunked(b)));
    shapes.add(raw(op, "bad chunk size", method, target, with(typed, "Transfer-Encoding", "chunked"), bytes("zz\r\nabc\r\n0\r\n\r\n")));
    if (op.hasBody()) {
      // A declared length far over any limit, and only a little of it sent: refused at once, never waited for.
      shapes.add(new Shape(op, "Content-Length of 1 GiB", method, target, with(typed, "Content-Length", "1073741824"), b,
        null, true, true));
    }
  }

  // --------------------------------------------------------------------------------------------------------- bodies

  private void contentTypes(Operation op, List<Shape> shapes, String method, String target, byte[] body) {
    Set<Integer> unsupported = Set.of(415);
    for (String type : new String[] {null, "text/plain", "application/xml", "application/octet-stream", "garbage/;;;", ""}) {
      shapes.add(shape(op, "Content-Type " + (type == null ? "missing" : "'" + type + "'"), method, target, type, body,
        unsupported, false));
    }
    if (!op.bodyTypes().containsKey(FORM)) {
      shapes.add(shape(op, "Content-Type form with a malformed escape", method, target, FORM, bytes("a=%&b=%zz"), unsupported, false));
    }
    if (!op.bodyTypes().containsKey(MULTIPART)) {
      shapes.add(shape(op, "Content-Type multipart without boundary", method, target, MULTIPART, body, unsupported, false));
    }
    if (op.bodyTypes().containsKey(JSON)) {
      shapes.add(shape(op, "Content-Type JSON in capitals", method, target, "APPLICATION/JSON", body, null, false));
      shapes.add(shape(op, "Content-Type JSON UTF-16", method, target, JSON + "; charset=utf-16", body, null, false));
      shapes.add(shape(op, "Content-Type JSON with text", method, target, JSON + ", text/plain", body, null, false));
    }
  }

  private void json(Operation op, List<Shape> shapes, String method, String target) {
    Map<String, byte[]> odd = new LinkedHashMap<>();
    odd.put("empty", new byte[0]);
    odd.put("[null]", bytes("[null]"));
    odd.put("1", bytes("1"));
    odd.put("\"x\"", bytes("\"x\""));
    odd.put("null", bytes("null"));
    odd.put("true", bytes("true"));
    odd.put("[]", bytes("[]"));
    odd.put("{}", bytes("{}"));
    odd.put("unterminated object", bytes("{\"a\": "));
    odd.put("trailing garbage", bytes("{} x"));
    odd.put("two documents", bytes("{}{}"));
    odd.put("invalid UTF-8", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'});
    odd.put("lone 0xFF", new byte[] {(byte) 0xFF});
    odd.put("NUL byte", new byte[] {'{', 0, '}'});
    odd.put("byte order mark", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, sampleBody(op, JSON)));
    odd.put("nested 100000 arrays", bytes("[".repeat(100_000) + "]".repeat(100_000)));
    odd.put("nested 5000 objects", bytes("{\"a\":".repeat(5000) + "1" + "}".repeat(5000)));
    odd.put("number of 100000 digits", bytes("{\"a\": " + "9".repeat(100_000) + "}"));
    odd.put("string of 900000 characters", bytes("{\"a\": \"" + "s".repeat(900_000) + "\"}"));
    odd.put("100000 keys", bytes(manyKeys(100_000)));
    odd.forEach((name, body) -> shapes.add(shape(op, "JSON " + name, method, target, JSON, body, null, false)));
    JsonObject sample = sampleJson(op);
    for (String field : sample.fieldNames()) {
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("null", null);
      values.put("a number", 1);
      values.put("a string", "x");
      values.put("true", true);
      values.put("an array", new JsonArray().add(1));
      values.put("an object", new JsonObject().put("a", 1));
      values.put("1e999999", new RawNumber("1e999999"));
      values.put("a 40-digit number", new RawNumber("1234567890123456789012345678901234567890"));
      values.put("-0.0", new RawNumber("-0.0"));
      values.put("1.5", 1.5);
      values.put("100000 characters", "c".repeat(100_000));
      values.put("a NUL character", "a\u0000b");
      values.put("a control character", "a\nb\u001b");
      values.put("non-BMP characters", "\uD83D\uDCB8".repeat(50));
      values.put("a lone surrogate", new RawNumber("\"\\ud800\""));
      values.forEach((name, value) -> shapes.add(shape(op, "JSON " + field + " " + name, method, target, JSON,
        bytes(withField(sample, field, value)), null, true)));
    }
    shapes.add(shape(op, "JSON unknown field", method, target, JSON, bytes(sample.copy().put("zz_unknown", 1).encode()), null, true));
    if (!sample.isEmpty()) {
      String first = sample.fieldNames().iterator().next();
      String pair = new JsonObject().put(first, sample.getValue(first)).encode();
      String dup = pair.substring(0, pair.length() - 1) + "," + sample.encode().substring(1);
      shapes.add(shape(op, "JSON duplicate key " + first, method, target, JSON, bytes(dup), null, true));
    }
  }

  private void form(Operation op, List<Shape> shapes, String method, String target) {
    Map<String, String> odd = new LinkedHashMap<>();
    odd.put("malformed escape", "grant_type=%");
    odd.put("invalid escape", "grant_type=%zz&client_id=x");
    odd.put("escaped name malformed", "%=%");
    odd.put("invalid UTF-8", "grant_type=%C3%28");
    odd.put("field twice", new String(sampleBody(op, FORM), StandardCharsets.UTF_8) + "&grant_type=other");
    odd.put("empty", "");
    odd.put("no names", "=&=&");
    odd.put("semicolons", "a=1;b=2");
    odd.put("JSON as a form", "{\"grant_type\": \"client_credentials\"}");
    odd.put("100000 characters", "grant_type=" + "f".repeat(100_000));
    odd.put("10000 fields", "a=1&".repeat(10_000));
    odd.forEach((name, body) -> shapes.add(shape(op, "form " + name, method, target, FORM, bytes(body), null, true)));
  }

  private void multipart(Operation op, List<Shape> shapes, String method, String target) {
    String type = MULTIPART + "; boundary=" + BOUNDARY;
    Map<String, byte[]> odd = new LinkedHashMap<>();
    odd.put("other boundary", sampleBody(op, MULTIPART));
    odd.put("no closing boundary", bytes("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; "
      + "filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\nphone\r\n"));
    odd.put("no file part", bytes("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--" + BOUNDARY
      + "--\r\n"));
    odd.put("executable file", part("run.exe", "application/octet-stream", "MZ\u0000\u0001"));
    odd.put("empty file", part("u.csv", "text/csv", ""));
    odd.put("invalid UTF-8 file", concat(bytes("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; "
      + "filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\nphone\r\n"), new byte[] {(byte) 0xC3, 0x28, '\r', '\n'},
      bytes("\r\n--" + BOUNDARY + "--\r\n")));
    odd.put("garbage", bytes("not multipart at all"));
    odd.forEach((name, body) -> shapes.add(shape(op, "multipart " + name, method, target,
      name.equals("other boundary") ? MULTIPART + "; boundary=other" : type, body, null, true)));
  }

  // -------------------------------------------------------------------------------------------------------- methods

  /** Every method on {@code path}: those no operation declares are 404 or 405; the declared ones with odd bodies. */
  private List<Shape> methods(String path) {
    List<Shape> shapes = new ArrayList<>();
    for (String method : METHODS) {
      Operation op = contract.operations().stream()
        .filter(o -> o.path().equals(path) && o.method().equalsIgnoreCase(method)).findFirst().orElse(null);
      String target = op != null ? target(op, Map.of()) : concrete(path);
      Set<Integer> expect = op != null ? null : NO_OPERATION;
      if (op == null && method.equals("HEAD")) {
        // HEAD may be routed like GET: GET's answers are fine then.
        Operation get = contract.operations().stream().filter(o -> o.path().equals(path) && o.method().equals("get"))
          .findFirst().orElse(null);
        if (get != null) {
          Set<Integer> either = new TreeSet<>(get.statuses());
          either.addAll(NO_OPERATION);
          expect = either;
        }
      }
      shapes.add(new Shape(op, "method " + method + " " + path, method, target, List.of(), null, expect, false, false));
      Map<String, String[]> bodies = new LinkedHashMap<>();
      bodies.put("a JSON body", new String[] {JSON, "{\"a\": 1}"});
      bodies.put("a form body", new String[] {FORM, "grant_type=%"});
      bodies.put("[null]", new String[] {JSON, "[null]"});
      for (Map.Entry<String, String[]> b : bodies.entrySet()) {
        byte[] body = bytes(b.getValue()[1]);
        shapes.add(new Shape(op, "method " + method + " with " + b.getKey() + " " + path, method, target,
          List.of(new String[] {"Content-Type", b.getValue()[0]}, new String[] {"Content-Length", Integer.toString(body.length)}),
          body, expect, false, false));
      }
    }
    return shapes;
  }

  // -------------------------------------------------------------------------------------------------------- samples

  /** The operation's target with plausible values, {@code override} replacing some (an empty value drops a query one). */
  String target(Operation op, Map<String, String> override) {
    String path = op.path();
    for (Param p : op.params("path")) {
      String value = override.containsKey(p.name()) ? override.get(p.name()) : enc(pathValue(p));
      path = path.replace("{" + p.name() + "}", value);
    }
    StringBuilder query = new StringBuilder();
    for (Param p : op.params("query")) {
      if (!p.required() && !override.containsKey(p.name())) {
        continue;
      }
      String value = override.containsKey(p.name()) ? override.get(p.name()) : enc(sample(p.schema()));
      if (value.isEmpty() && override.containsKey(p.name())) {
        continue;
      }
      query.append(query.length() == 0 ? '?' : '&').append(p.name()).append('=').append(value);
    }
    return path + query;
  }

  private String concrete(String path) {
    String p = path;
    for (Operation op : contract.operations()) {
      if (op.path().equals(path)) {
        return target(op, Map.of());
      }
    }
    return p;
  }

  private String pathValue(Param p) {
    return pathValues.getOrDefault(p.name(), sample(p.schema()));
  }

  JsonObject sampleJson(Operation op) {
    JsonObject given = bodies.get(op.id());
    if (given != null) {
      return given.copy();
    }
    JsonObject schema = op.bodyTypes().get(JSON);
    Object sample = schema == null ? new JsonObject() : sampleValue(schema, 0);
    return sample instanceof JsonObject o ? o : new JsonObject();
  }

  byte[] sampleBody(Operation op, String type) {
    return switch (type) {
      case JSON -> bytes(sampleJson(op).encode());
      case FORM -> {
        JsonObject fields = (JsonObject) sampleValue(op.bodyTypes().get(FORM), 0);
        StringBuilder form = new StringBuilder();
        fields.forEach(e -> form.append(form.length() == 0 ? "" : "&").append(enc(e.getKey())).append('=')
          .append(enc(String.valueOf(e.getValue()))));
        yield bytes(form.toString());
      }
      case MULTIPART -> part("users.csv", "text/csv", "phone,user_groups\r\n+79991234567,\r\n");
      default -> bytes("x");
    };
  }

  private static byte[] part(String fileName, String type, String content) {
    return bytes("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
      + "\"\r\nContent-Type: " + type + "\r\n\r\n" + content + "\r\n--" + BOUNDARY + "--\r\n");
  }

  private Object sampleValue(JsonObject schemaRef, int depth) {
    JsonObject schema = contract.resolve(schemaRef);
    String type = type(schema);
    if (schema.containsKey("examples") && !schema.getJsonArray("examples").isEmpty()) {
      return schema.getJsonArray("examples").getValue(0);
    }
    if (schema.containsKey("enum")) {
      return schema.getJsonArray("enum").getValue(0);
    }
    switch (type) {
      case "object" -> {
        JsonObject o = new JsonObject();
        JsonObject props = schema.getJsonObject("properties", new JsonObject());
        if (depth < 3) {
          props.forEach(e -> o.put(e.getKey(), sampleValue((JsonObject) e.getValue(), depth + 1)));
        }
        return o;
      }
      case "array" -> {
        JsonArray a = new JsonArray();
        if (schema.containsKey("items") && depth < 3) {
          a.add(sampleValue(schema.getJsonObject("items"), depth + 1));
        }
        return a;
      }
      case "integer", "number" -> {
        return schema.getValue("minimum", 1);
      }
      case "boolean" -> {
        return true;
      }
      default -> {
        return sample(schema);
      }
    }
  }

  /** A plausible text value of a (string, integer or boolean) schema. */
  String sample(JsonObject schemaRef) {
    JsonObject schema = contract.resolve(schemaRef);
    if (schema.containsKey("examples") && !schema.getJsonArray("examples").isEmpty()) {
      return String.valueOf(schema.getJsonArray("examples").getValue(0));
    }
    if (schema.containsKey("enum")) {
      return String.valueOf(schema.getJsonArray("enum").getValue(0));
    }
    switch (type(schema)) {
      case "integer", "number" -> {
        return String.valueOf(schema.getValue("minimum", 1));
      }
      case "boolean" -> {
        return "true";
      }
      default -> {
        String format = schema.getString("format", "");
        if (format.equals("uuid") || isUuid(schema)) {
          return UUID;
        }
        if (format.equals("date-time")) {
          return "2026-12-01T12:00:00Z";
        }
        if (format.equals("password")) {
          return "pw-shape-12345678";
        }
        if (schema.containsKey("pattern")) {
          Pattern pattern = Pattern.compile(schema.getString("pattern"));
          return PATTERN_CANDIDATES.stream().filter(c -> pattern.matcher(c).find()).findFirst().orElse("x");
        }
        return "x".repeat(Math.max(1, schema.getInteger("minLength", 1)));
      }
    }
  }

  private boolean isUuid(JsonObject schemaRef) {
    JsonObject schema = contract.resolve(schemaRef);
    return "uuid".equals(schema.getString("format")) || schema.getString("pattern", "").contains("{8}-");
  }

  private static String type(JsonObject schema) {
    Object t = schema.getValue("type");
    if (t instanceof JsonArray a) {
      return a.stream().map(String::valueOf).filter(s -> !s.equals("null")).findFirst().orElse("string");
    }
    return t == null ? (schema.containsKey("properties") ? "object" : "string") : t.toString();
  }

  // -------------------------------------------------------------------------------------------------------- helpers

  /** A literal JSON value written as is (a number Java cannot hold, an escape no encoder writes). */
  private record RawNumber(String text) {
  }

  private static String withField(JsonObject sample, String field, Object value) {
    if (value instanceof RawNumber raw) {
      String marker = "\"@@raw@@\"";
      return sample.copy().put(field, "@@raw@@").encode().replace(marker, raw.text());
    }
    return sample.copy().put(field, value).encode();
  }

  private static String manyKeys(int n) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":0");
    }
    return b.append('}').toString();
  }

  private static Shape shape(Operation op, String name, String method, String target, String type, byte[] body,
                             Set<Integer> expect, boolean mainOnly) {
    List<String[]> headers = new ArrayList<>();
    if (body != null) {
      if (type != null) {
        headers.add(new String[] {"Content-Type", type});
      }
      headers.add(new String[] {"Content-Length", Integer.toString(body.length)});
    }
    return new Shape(op, name, method, target, headers, body, expect, false, mainOnly);
  }

  private static Shape transportShape(Operation op, String name, String method, String target, String type, byte[] body,
                                      List<String[]> extra) {
    Shape s = shape(op, name, method, target, type, body, null, true);
    List<String[]> headers = new ArrayList<>(extra);
    headers.addAll(s.headers());
    return new Shape(op, name, method, target, headers, body, null, true, true);
  }

  private static Shape raw(Operation op, String name, String method, String target, List<String[]> headers, byte[] body) {
    return new Shape(op, name, method, target, headers, body, null, true, true);
  }

  private static List<String[]> with(List<String[]> headers, String name, String value) {
    List<String[]> all = new ArrayList<>(headers);
    all.add(new String[] {name, value});
    return all;
  }

  private static byte[] chunked(byte[] body) {
    return concat(bytes(Integer.toHexString(body.length) + "\r\n"), body, bytes("\r\n0\r\n\r\n"));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
