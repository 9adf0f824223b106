package com.paysvc.auth.password;

import io.vertx.core.Context;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * argon2id (RFC 9106) with BouncyCastle, stored as a PHC string
 * {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>} (unpadded standard base64), so each hash
 * carries its own parameters: they can be raised later and old hashes still verify (and are re-hashed at the
 * next login). CPU-heavy and blocking by design: call only from a worker thread ({@link PasswordHasher}).
 */
public final class Argon2id {
  /** Cost parameters: memory in KiB, passes, lanes. */
  public record Params(int memoryKib, int iterations, int parallelism) {
    public Params {
      if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB || iterations < 1 || iterations > 64
        || parallelism < 1 || parallelism > 16) {
        throw new IllegalArgumentException("argon2id parameters out of range");
      }
    }

    /**
     * At least as costly as one of OWASP's equivalent minimums (m = 47104/19456/12288/9216/7168 KiB with t = 1..5,
     * i.e. memory times passes of 35840 or more, with at least 7 MiB).
     */
    public boolean atLeastOwasp() {
      return memoryKib >= 7168 && (long) memoryKib * iterations >= 35840;
    }
  }

  /** OWASP's minimum for argon2id (Password Storage Cheat Sheet): m = 19 MiB, t = 2, p = 1. */
  public static final Params OWASP = new Params(19 * 1024, 2, 1);
  /** Upper bound for parameters read from a stored hash: a corrupt row must not allocate gigabytes. */
  static final int MAX_MEMORY_KIB = 1024 * 1024;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Pattern PHC = Pattern.compile(
    "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,3}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{11,88})\\$([A-Za-z0-9+/]{22,172})");
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Argon2id() {
  }

  /** A fresh PHC string for {@code password} with a random salt. */
  public static String hash(String password, Params params) {
    return hash(password, params, null);
  }

  /** Like {@link #hash(String, Params)}, taking the working memory from {@code pool} (null: allocate it). */
  public static String hash(String password, Params params, Argon2BytesGenerator.BlockPool pool) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] hash = derive(password, salt, params, HASH_BYTES, pool);
    return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p=" + params.parallelism()
      + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /** A parsed PHC string. */
  public record Stored(Params params, byte[] salt, byte[] hash) {
  }

  /** Parses a PHC string; IllegalArgumentException when it is not an argon2id v19 hash within bounds. */
  public static Stored parse(String phc) {
    Matcher m = phc == null ? null : PHC.matcher(phc);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("not an argon2id PHC string");
    }
    Params params = new Params(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    return new Stored(params, B64D.decode(m.group(4)), B64D.decode(m.group(5)));
  }

  /** True when {@code password} matches {@code stored}; the comparison takes the same time wherever they differ. */
  public static boolean verify(Stored stored, String password) {
    return verify(stored, password, null);
  }

  /** Like {@link #verify(Stored, String)}, taking the working memory from {@code pool} (null: allocate it). */
  public static boolean verify(Stored stored, String password, Argon2BytesGenerator.BlockPool pool) {
    byte[] actual = derive(password, stored.salt(), stored.params(), stored.hash().length, pool);
    return MessageDigest.isEqual(actual, stored.hash());
  }

  private static byte[] derive(String password, byte[] salt, Params params, int length, Argon2BytesGenerator.BlockPool pool) {
    if (Context.isOnEventLoopThread()) {
      // Tens of milliseconds of CPU: on an event loop it would stall every request of that loop. PasswordHasher runs
      // it on its own worker pool; anything else is a bug, refused here rather than found under load.
      throw new IllegalStateException("argon2id must not run on an event loop");
    }
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id);
    if (pool != null) {
      builder.withBlockPool(pool);
    }
    gen.init(builder
      .withVersion(Argon2Parameters.ARGON2_VERSION_13)
      .withMemoryAsKB(params.memoryKib())
      .withIterations(params.iterations())
      .withParallelism(params.parallelism())
      .withSalt(salt)
      .build());
    byte[] out = new byte[length];
    gen.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
