package com.paysvc.auth.service;

import io.vertx.core.json.JsonObject;

/** What login and refresh answer. */
public record TokenPair(String accessToken, String refreshToken, long expiresIn) {
  public JsonObject toJson() {
    return new JsonObject()
      .put("access_token", accessToken)
      .put("refresh_token", refreshToken)
      .put("token_type", "Bearer")
      .put("expires_in", expiresIn);
  }
}
