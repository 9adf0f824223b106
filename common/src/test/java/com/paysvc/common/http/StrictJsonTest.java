package com.paysvc.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every JSON text the process decodes through Vert.x (a body's {@code asJsonObject()}, the contract validator's
 * {@code Json.decodeValue}, {@code new JsonObject(...)}) refuses an object with a key twice, at any depth: two parsers
 * that disagree on which copy wins are how a signed {@code {"amount": -5, "amount": 100}} gets applied.
 */
class StrictJsonTest {
  /** Every public way into the codec, from text and from bytes. */
  private static final List<Function<String, Object>> DECODERS = List.of(
    JsonObject::new,
    s -> new JsonObject(Buffer.buffer(s)),
    s -> Buffer.buffer(s).toJsonObject(),
    s -> Json.decodeValue(s),
    s -> Json.decodeValue(Buffer.buffer(s)),
    s -> Json.decodeValue(s, Map.class),
    s -> Json.decodeValue(Buffer.buffer(s), Map.class));

  @Test
  void vertxDecodesWithThisCodec() {
    assertInstanceOf(StrictJson.Codec.class, Json.CODEC);
  }

  @Test
  void aKeyTwiceIsRefusedAtAnyDepthByEveryDecoder() {
    for (String text : List.of(
      "{\"amount\": -5, \"amount\": 100}",
      "{\"user\": {\"profile\": {\"is_active\": true, \"name\": \"a\", \"is_active\": false}}}",
      "{\"users\": [{\"phone\": \"+1\"}, {\"phone\": \"+2\", \"groups\": [], \"phone\": \"+3\"}]}",
      // The same name spelt with an escape is the same key.
      "{\"amount\": 1, \"\\u0061mount\": 2}")) {
      for (Function<String, Object> decode : DECODERS) {
        DecodeException e = assertThrows(DecodeException.class, () -> decode.apply(text), text);
        assertInstanceOf(StrictJson.DuplicateKeyException.class, e, text);
      }
    }
    DecodeException e = assertThrows(DecodeException.class, () -> new JsonArray("[{\"k\": 1, \"k\": 1}]"));
    assertEquals("k", ((StrictJson.DuplicateKeyException) e).key());
  }

  @Test
  void theSameKeyInDifferentObjectsIsFine() {
    JsonObject ok = new JsonObject("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}], \"c\": {\"b\": {\"a\": null}}}");
    assertEquals(1, ok.getJsonObject("a").getInteger("a"));
    assertEquals(2, ok.getJsonArray("b").getJsonObject(1).getInteger("a"));
    // Objects wider than the detector's first two names (it switches to a set there).
    StringBuilder wide = new StringBuilder("{");
    for (int i = 0; i < 50; i++) {
      wide.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    assertEquals(50, new JsonObject(wide.append('}').toString()).size());
    assertThrows(StrictJson.DuplicateKeyException.class, () -> new JsonObject(wide.insert(wide.length() - 1, ",\"k37\":0")
      .toString()));
  }

  @Test
  void malformedJsonIsStillAPlainDecodeError() {
    DecodeException e = assertThrows(DecodeException.class, () -> new JsonObject("{\"a\": "));
    assertTrue(!(e instanceof StrictJson.DuplicateKeyException), e.toString());
  }

  @Test
  void aDuplicateKeyBecomesA400NamingTheKeyShortened() {
    ApiException error = StrictJson.refusal(assertThrows(DecodeException.class,
      () -> new JsonObject("{\"amount\": -5, \"amount\": 100}")));
    assertEquals(ErrorCode.VALIDATION_ERROR, error.code());
    assertEquals("amount", error.details().getString("key"));
    assertTrue(error.getMessage().contains("amount"), error.getMessage());
    String longKey = "k".repeat(10_000);
    ApiException shortened = StrictJson.refusal(assertThrows(DecodeException.class,
      () -> new JsonObject("{\"" + longKey + "\": 1, \"" + longKey + "\": 2}")));
    assertTrue(shortened.details().getString("key").length() <= 64, shortened.details().encode());
    assertEquals(ErrorCode.VALIDATION_ERROR, StrictJson.refusal(new DecodeException("nope")).code());
  }

  @Test
  void encodingIsUnchanged() {
    JsonObject o = new JsonObject().put("a", 1).put("b", new JsonArray().add("x").add(new JsonObject().put("c", true)));
    assertEquals("{\"a\":1,\"b\":[\"x\",{\"c\":true}]}", o.encode());
    assertEquals(o, new JsonObject(o.toBuffer()));
  }
}
