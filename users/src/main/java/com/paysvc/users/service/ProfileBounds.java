package com.paysvc.users.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.users.store.AccountsStore.ProfileLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * How big a user's {@code profile} may be: serialized size, nesting depth and number of keys (at every level). Every
 * profile lives in Postgres, in each cached copy of the user's detail (one per identifier spelling) and in every
 * event about the user, so a caller must not choose its size (issue 27: 900 KB profiles filled Redis).
 *
 * <p>Checked twice with the same limits. Here, on the profile a request brings (a create's, a bulk item's with its
 * {@code source}, a PATCH's own keys), before any database work: its compact UTF-8 encoding, depth and keys. And in
 * the stored functions ({@code accounts.check_profile_v1}, {@code sql/users/V14__profile_bounds_and_role_changes.sql})
 * on the profile that will be stored, measured as stored: the UTF-8 bytes of its jsonb text, which is also what a read
 * returns and the cache holds (a few bytes more than the compact form: {@code ": "} and {@code ", "}), and for a
 * PATCH the merge with the old profile, so no profile grows past the bounds one PATCH at a time. The stricter of the
 * two decides; beneath both, the column's CHECK caps any profile at {@link #HARD_CAP_BYTES}.
 */
public final class ProfileBounds {
  /** The column's CHECK ({@code users_profile_size_cap}): no setting may allow more. */
  public static final int HARD_CAP_BYTES = 65_536;

  private final int maxBytes;
  private final int maxDepth;
  private final int maxKeys;
  private final ProfileLimits limits;

  public ProfileBounds(int maxBytes, int maxDepth, int maxKeys) {
    if (maxBytes > HARD_CAP_BYTES) {
      throw new IllegalArgumentException("a profile bound above the database's cap of " + HARD_CAP_BYTES + " bytes");
    }
    this.maxBytes = maxBytes;
    this.maxDepth = maxDepth;
    this.maxKeys = maxKeys;
    this.limits = new ProfileLimits(maxBytes, maxDepth, maxKeys);
  }

  /** The same limits, for the stored functions that check the profile as stored. */
  public ProfileLimits limits() {
    return limits;
  }

  /**
   * Refuses a profile that is not an object (400), larger than {@link #maxBytes} encoded compactly (413), nested
   * deeper than {@link #maxDepth} (containers on the deepest path, the profile counting 1) or with more than
   * {@link #maxKeys} keys over all its objects (400). {@code null} (no profile given) passes.
   */
  public void check(Object profile) {
    if (profile == null) {
      return;
    }
    if (!(profile instanceof JsonObject object)) {
      throw ApiException.validation("profile must be a JSON object");
    }
    int bytes = object.toBuffer().length();
    if (bytes > maxBytes) {
      throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "profile is " + bytes + " bytes, more than the " + maxBytes
        + " allowed", new JsonObject().put("max_bytes", maxBytes));
    }
    int[] keys = {0};
    int depth = walk(object.getMap(), 1, keys);
    if (depth > maxDepth) {
      throw new ApiException(ErrorCode.VALIDATION_ERROR, "profile is nested more than the " + maxDepth
        + " levels allowed", new JsonObject().put("max_depth", maxDepth));
    }
    if (keys[0] > maxKeys) {
      throw new ApiException(ErrorCode.VALIDATION_ERROR, "profile has " + keys[0] + " keys (all levels), more than the "
        + maxKeys + " allowed", new JsonObject().put("max_keys", maxKeys));
    }
  }

  /**
   * The depth of the container {@code value} at {@code depth}, adding its objects' keys to {@code keys}. Stops one
   * level past the limit: the size bound already holds, and deeper levels change no answer.
   */
  private int walk(Object value, int depth, int[] keys) {
    if (depth > maxDepth) {
      return depth;
    }
    int deepest = depth;
    Iterable<?> children;
    if (value instanceof Map<?, ?> map) {
      keys[0] += map.size();
      children = map.values();
    } else {
      children = (List<?>) value;
    }
    for (Object child : children) {
      Object container = container(child);
      if (container != null) {
        deepest = Math.max(deepest, walk(container, depth + 1, keys));
      }
    }
    return deepest;
  }

  /** A JSON object or array as its map or list (Vert.x holds nested values either way); null for a scalar. */
  private static Object container(Object value) {
    if (value instanceof JsonObject o) {
      return o.getMap();
    }
    if (value instanceof JsonArray a) {
      return a.getList();
    }
    return value instanceof Map<?, ?> || value instanceof List<?> ? value : null;
  }
}
