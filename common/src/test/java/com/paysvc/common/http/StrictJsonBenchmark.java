package com.paysvc.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonFactory;
import io.vertx.core.spi.json.JsonCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What refusing duplicate keys costs a decode ({@link StrictJson}): the same body decoded by Vert.x's own codec (last
 * key wins) and by the process' strict one, for a 2can notification (8 keys), a bulk create of 100 users (nested
 * objects of 1 to 3 keys), one object of 200 keys, and a 1 MiB body of three-key objects (the detector keeps a hash
 * set of the names from an object's third key on: the worst a body under the common limit can cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StrictJsonBenchmark {
  @Param({"notification", "bulk100", "wide200", "objects1MiB"})
  public String body;

  private Buffer bytes;
  private final JsonCodec lax = JacksonFactory.CODEC;
  private final JsonCodec strict = new StrictJson().codec();

  @Setup
  public void setUp() {
    bytes = switch (body) {
      case "notification" -> Buffer.buffer("""
        {"event_id": "evt-0001", "transaction_id": "tx-0001", "status": "succeeded", "amount": 150000, "currency": "RUB",
         "payer_phone": "+79991234567", "order_id": "order-1", "occurred_at": "2026-12-03T10:00:00Z"}""");
      case "bulk100" -> {
        JsonArray users = new JsonArray();
        for (int i = 0; i < 100; i++) {
          users.add(new JsonObject().put("profile", new JsonObject().put("name", "User " + i).put("tier", "gold"))
            .put("contacts", new JsonArray().add(new JsonObject().put("type", "phone").put("value", "+7999" + (1_000_000 + i))))
            .put("groups", new JsonArray().add("client")));
        }
        yield new JsonObject().put("interface", "crm").put("users", users).toBuffer();
      }
      case "objects1MiB" -> {
        // The worst a 1 MiB body can be for the detector: as many small objects as fit (each gets its own).
        JsonArray objects = new JsonArray();
        // {"a":1,"b":2,"c":3} and its comma: 20 bytes each.
        for (int i = 0; i < (1024 * 1024 - 20) / 20; i++) {
          objects.add(new JsonObject().put("a", 1).put("b", 2).put("c", 3));
        }
        yield new JsonObject().put("items", objects).toBuffer();
      }
      default -> {
        JsonObject wide = new JsonObject();
        for (int i = 0; i < 200; i++) {
          wide.put("key_" + i, i);
        }
        yield wide.toBuffer();
      }
    };
    // As JsonObject(Buffer) and RequestBody.asJsonObject() decode: into a Map.
    if (!strict.fromBuffer(bytes, Map.class).equals(lax.fromBuffer(bytes, Map.class))) {
      throw new IllegalStateException("the codecs disagree on a body without duplicates");
    }
  }

  @Benchmark
  public Map<?, ?> lastKeyWins() {
    return lax.fromBuffer(bytes, Map.class);
  }

  @Benchmark
  public Map<?, ?> duplicatesRefused() {
    return strict.fromBuffer(bytes, Map.class);
  }
}
