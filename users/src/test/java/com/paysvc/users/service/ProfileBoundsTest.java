package com.paysvc.users.service;

import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The service's check of a profile, counted as accounts.check_profile_v1 counts (V14): depth is the containers on the
 * deepest path with the profile as 1, keys are every object's members at every level, size is UTF-8 bytes.
 */
class ProfileBoundsTest {
  private final ProfileBounds bounds = new ProfileBounds(64, 3, 4);

  private ErrorCode refusal(Object profile) {
    return assertThrows(ApiException.class, () -> bounds.check(profile)).code();
  }

  @Test
  void depthCountsObjectsAndArraysWithTheProfileAsOne() {
    bounds.check(new JsonObject().put("a", new JsonObject().put("b", new JsonArray().add(1))));
    bounds.check(new JsonObject().put("a", new JsonArray().add(new JsonArray())));
    assertEquals(ErrorCode.VALIDATION_ERROR, refusal(new JsonObject().put("a", new JsonArray().add(new JsonArray().add(new JsonObject())))));
    // Nested values decoded from JSON are maps and lists inside the JsonObject: counted the same.
    assertEquals(ErrorCode.VALIDATION_ERROR, refusal(new JsonObject("{\"a\": {\"b\": [{\"c\": 1}]}}")));
    bounds.check(new JsonObject("{\"a\": {\"b\": [1, 2]}}"));
  }

  @Test
  void keysAreCountedAtEveryLevelButArrayElementsAreNot() {
    bounds.check(new JsonObject("{\"a\": {\"b\": 1, \"c\": 2}, \"d\": [1, 2, 3, 4, 5, 6]}"));
    assertEquals(ErrorCode.VALIDATION_ERROR, refusal(new JsonObject("{\"a\": {\"b\": 1, \"c\": 2}, \"d\": [{\"e\": 1}]}")));
  }

  @Test
  void sizeIsUtf8BytesAndComesFirst() {
    // {"k":"…"} is 8 bytes around the value.
    bounds.check(new JsonObject().put("k", "x".repeat(56)));
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, refusal(new JsonObject().put("k", "x".repeat(57))));
    // 28 characters, 56 bytes.
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, refusal(new JsonObject().put("k", "é".repeat(29))));
    bounds.check(new JsonObject().put("k", "é".repeat(28)));
    // Too deep and too large at once: the size decides.
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE,
      refusal(new JsonObject().put("a", new JsonObject().put("b", new JsonObject().put("c", new JsonObject().put("d", "x".repeat(60)))))));
  }

  @Test
  void onlyAnObjectIsAProfileAndNoneIsFine() {
    bounds.check(null);
    assertEquals(ErrorCode.VALIDATION_ERROR, refusal(new JsonArray().add(1)));
    assertEquals(ErrorCode.VALIDATION_ERROR, refusal("a string"));
  }

  @Test
  void noSettingMayAllowMoreThanTheDatabaseCap() {
    assertThrows(IllegalArgumentException.class, () -> new ProfileBounds(ProfileBounds.HARD_CAP_BYTES + 1, 4, 64));
  }
}
