package com.paysvc.common.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.UnaryOperator;

/**
 * A Lua script run by its SHA1 ({@code EVALSHA}): Redis neither receives nor hashes its text on every call. A Redis
 * that does not hold it (first use, restart, failover, {@code SCRIPT FLUSH}) answers NOSCRIPT; the call is then made
 * once more with the text ({@code EVAL}, which also caches it there).
 */
public record RedisScript(String text, String sha1) {
  public static RedisScript of(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return new RedisScript(text, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is a required algorithm of every Java platform", e);
    }
  }

  /** Runs the script on {@code redis}; {@code args} appends numkeys, the keys and the arguments to the request. */
  public Future<Response> run(Redis redis, UnaryOperator<Request> args) {
    return redis.send(args.apply(Request.cmd(Command.EVALSHA).arg(sha1)))
      .recover(err -> err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")
        ? redis.send(args.apply(Request.cmd(Command.EVAL).arg(text)))
        : Future.failedFuture(err));
  }
}
