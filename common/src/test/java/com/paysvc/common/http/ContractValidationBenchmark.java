package com.paysvc.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the contract's request validation (vertx-json-schema, under vertx-openapi's router and webhook's
 * notification reader) costs for one small JSON body: the body parsed, then validated. The validator's core,
 * {@code SchemaValidatorImpl.validate}, is 9,290 bytes of bytecode, above HotSpot's 8,000-byte limit for compiling a
 * method at all, so with the default flags it runs in the interpreter forever (eclipse-vertx/vertx-json-schema#121).
 * The same benchmark in a JVM started with {@code -XX:-DontCompileHugeMethods} shows what that costs. The services do
 * not run with that flag: compiling the method took ~120 MB of the JIT's arena at its peak, and webhook's peak RSS
 * went from 179 to 282 MB (docs/benchmarks.md, tuning log). No stack needed:
 * {@code bin/bench jmh ContractValidationBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ContractValidationBenchmark {
  /** A 2can-style notification's shape: lengths, an enum, an integer range, patterns, a date-time, nullable fields. */
  private static final JsonObject SCHEMA = new JsonObject("""
    {"type": "object",
     "required": ["event_id", "transaction_id", "status", "amount", "currency", "occurred_at"],
     "properties": {
       "event_id": {"type": "string", "minLength": 1, "maxLength": 128},
       "transaction_id": {"type": "string", "minLength": 1, "maxLength": 128},
       "status": {"type": "string", "enum": ["pending", "succeeded", "failed", "refunded"]},
       "amount": {"type": "integer", "minimum": 0, "maximum": 1000000000000000},
       "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
       "payer_phone": {"type": ["string", "null"], "pattern": "^\\\\+[1-9][0-9]{1,14}$"},
       "order_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 128},
       "occurred_at": {"type": "string", "format": "date-time", "maxLength": 64}}}""");

  private static final Buffer BODY = Buffer.buffer("""
    {"event_id": "evt-0001", "transaction_id": "tx-0001", "status": "succeeded", "amount": 150000, "currency": "RUB",
     "payer_phone": "+79991234567", "order_id": "order-1", "occurred_at": "2026-12-03T10:00:00Z"}""");

  private Validator validator;

  @Setup
  public void setUp() {
    validator = Validator.create(JsonSchema.of(SCHEMA.copy()),
      new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app://bench/"));
    if (!Boolean.TRUE.equals(validate().getValid())) {
      throw new IllegalStateException("the benchmark's body does not match its schema");
    }
  }

  /** The JVM's default flags: the validator's core method interpreted. */
  @Benchmark
  @Fork(1)
  public OutputUnit defaultFlags() {
    return validate();
  }

  /** That method compiled (not the services' flags: see above). */
  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-XX:-DontCompileHugeMethods")
  public OutputUnit hugeMethodsCompiled() {
    return validate();
  }

  private OutputUnit validate() {
    return validator.validate(Json.decodeValue(BODY));
  }
}
