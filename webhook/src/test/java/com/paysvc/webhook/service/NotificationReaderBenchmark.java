package com.paysvc.webhook.service;

import com.paysvc.common.testing.RouteTables;
import io.vertx.core.buffer.Buffer;
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
 * What reading one notification costs: its body parsed and checked against the contract's {@code Notification}
 * schema (webhook's openapi.yaml) by {@link Notification.Reader}. Most of it is vertx-json-schema's validator, whose
 * core, {@code SchemaValidatorImpl.validate}, is 9,290 bytes of bytecode: above HotSpot's 8,000-byte limit for
 * compiling a method at all, so with the default flags it runs in the interpreter forever
 * (eclipse-vertx/vertx-json-schema#121). The same benchmark in a JVM started with {@code -XX:-DontCompileHugeMethods}
 * shows what that costs. The services do not run with that flag: compiling the method took ~120 MB of the JIT's
 * arena at its peak, and webhook's peak RSS went from 179 to 282 MB (docs/benchmarks.md, tuning log).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NotificationReaderBenchmark {
  private static final Buffer BODY = Buffer.buffer("""
    {"event_id": "evt-0001", "transaction_id": "tx-0001", "status": "succeeded", "amount": 150000, "currency": "RUB",
     "payer_phone": "+79991234567", "order_id": "order-1", "occurred_at": "2026-12-03T10:00:00Z"}""");

  private Notification.Reader reader;

  @Setup
  public void setUp() throws Exception {
    reader = new Notification.Reader(RouteTables.openapi());
  }

  /** The JVM's default flags: the validator's core method interpreted. */
  @Benchmark
  @Fork(1)
  public Notification defaultFlags() {
    return reader.read(BODY);
  }

  /** That method compiled (not the services' flags: see above). */
  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-XX:-DontCompileHugeMethods")
  public Notification hugeMethodsCompiled() {
    return reader.read(BODY);
  }
}
