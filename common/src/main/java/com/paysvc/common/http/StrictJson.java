package com.paysvc.common.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * The JSON codec of the whole process: Vert.x's own (Jackson's streaming parser, the same factory and read limits)
 * with Jackson's duplicate detection on, so that an object with a key twice, at any depth, fails to decode. Parsers
 * that disagree on which copy of a key wins are a known payment-fraud vector (a signed
 * {@code {"amount": -5, "amount": 100}} was applied with the last value); refusing them leaves nothing to disagree on.
 *
 * <p>Registered through Vert.x's public {@link JsonFactory} SPI ({@code META-INF/services/io.vertx.core.spi.JsonFactory}),
 * which {@code Json.CODEC} loads once: every decode through Vert.x uses it, a request body's {@code asJsonObject()}, the
 * contract validator's {@code Json.decodeValue}, webhook's notification reader, {@code new JsonObject(text)}. Encoding
 * is Vert.x's, unchanged.
 *
 * <p>Cost: the detector remembers the first two names of an object and switches to a hash set from the third
 * (JMH, StrictJsonBenchmark: docs/architecture.md); no JSON is parsed on the cached reads.
 */
public final class StrictJson implements JsonFactory {
  private static final Codec CODEC = new Codec();
  private static final String DUPLICATE = "Duplicate field '";
  /** A key is named in the answer up to this many characters (it is the caller's text). */
  private static final int KEY_SHOWN = 64;

  /** Ahead of any other factory on the class path (Vert.x takes the lowest order; its own is the fallback). */
  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }

  /** Vert.x's Jackson codec with every decode strict about duplicate keys. */
  public static final class Codec extends JacksonCodec {
    @Override
    public <T> T fromString(String json, Class<T> type) throws DecodeException {
      return strict(JacksonCodec.createParser(json), type);
    }

    @Override
    public <T> T fromBuffer(Buffer json, Class<T> type) throws DecodeException {
      return strict(JacksonCodec.createParser(json), type);
    }

    @Override
    public Object fromString(String json) throws DecodeException {
      return fromString(json, Object.class);
    }

    @Override
    public Object fromBuffer(Buffer json) throws DecodeException {
      return fromBuffer(json, Object.class);
    }
  }

  private static <T> T strict(JsonParser parser, Class<T> type) {
    // Enabled on the parser, not on Vert.x's factory (not public): the parser's root context gets its detector here.
    parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    try {
      return JacksonCodec.fromParser(parser, type);
    } catch (DecodeException e) {
      // Jackson reports a duplicate as a JsonParseException of this message (DupDetector, since 2.3): no type of its own.
      if (e.getCause() instanceof JsonParseException jpe && jpe.getOriginalMessage() != null
        && jpe.getOriginalMessage().startsWith(DUPLICATE) && jpe.getOriginalMessage().endsWith("'")) {
        String message = jpe.getOriginalMessage();
        String key = message.substring(DUPLICATE.length(), message.length() - 1);
        throw new DuplicateKeyException(key.length() > KEY_SHOWN ? key.substring(0, KEY_SHOWN) : key, e);
      }
      throw e;
    }
  }

  /** An object of the text had {@link #key()} twice (its first 64 characters: the key is the sender's text). */
  public static final class DuplicateKeyException extends DecodeException {
    private final String key;

    DuplicateKeyException(String key, Throwable cause) {
      super("duplicate key '" + key + "'", cause);
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /** A body that failed to decode, as the client's 400: the duplicate key named, or plain "not JSON". */
  public static ApiException refusal(DecodeException e) {
    if (e instanceof DuplicateKeyException dup) {
      String key = dup.key();
      return new ApiException(ErrorCode.VALIDATION_ERROR,
        "the JSON body has the key '" + key + "' twice in one object: duplicate keys are refused",
        new JsonObject().put("key", key));
    }
    return new ApiException(ErrorCode.VALIDATION_ERROR, "request body is not valid JSON");
  }
}
