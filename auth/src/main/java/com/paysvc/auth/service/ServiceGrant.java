package com.paysvc.auth.service;

import com.paysvc.common.security.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The client-credentials grant itself (RFC 6749 §4.4): a known client with its secret gets a token with role
 * {@code service} and exactly its own scopes. Used by {@code POST /auth/token} and by auth for its own calls to
 * users (the same grant, without a network hop to itself).
 */
public final class ServiceGrant {
  private final ServiceClients clients;
  private final TokenIssuer issuer;

  public ServiceGrant(ServiceClients clients, TokenIssuer issuer) {
    this.clients = clients;
    this.issuer = issuer;
  }

  /** The token, or null when the id or secret is wrong. */
  public TokenIssuer.Issued grant(String clientId, String secret) {
    ServiceClients.Client client = clients.authenticate(clientId, secret);
    if (client == null) {
      return null;
    }
    return issuer.issue("client:" + client.id(), new JsonArray().add(Caller.SERVICE),
      new JsonObject().put("client_id", client.id()).put("scope", client.scopeClaim()));
  }
}
