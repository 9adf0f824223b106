package com.paysvc.auth.service;

import com.paysvc.auth.password.PasswordHasher;
import com.paysvc.auth.store.AuthStore;
import com.paysvc.auth.users.UserRecord;
import com.paysvc.auth.users.UsersClient;
import com.paysvc.common.db.Db;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.security.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * Sessions of people: login, refresh (rotation with reuse detection), logout, and the end of every session of a
 * user (logout everywhere, deactivation). A session is a refresh-token family; its access tokens carry its id as
 * {@code sid}.
 */
public final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);
  /** The one answer for "no such identifier", "no password set" and "wrong password". */
  private static final String BAD_LOGIN = "invalid identifier or password";

  /** Lifetimes of refresh tokens and sessions, and the replay grace window, in seconds. */
  public record Policy(int refreshTtlSeconds, int sessionMaxAgeSeconds, int graceSeconds) {
  }

  private final Db db;
  private final AuthStore store;
  private final UsersClient users;
  private final PasswordHasher hasher;
  private final LoginLimiter limiter;
  private final TokenIssuer issuer;
  private final RefreshTokens refreshTokens;
  private final Revocations revocations;
  private final Policy policy;
  private final Counter reuseDetected;
  private final Counter rolesFallback;
  private final Counter lockedAnswered;

  public Sessions(Db db, AuthStore store, UsersClient users, PasswordHasher hasher, LoginLimiter limiter,
                  TokenIssuer issuer, RefreshTokens refreshTokens, Revocations revocations, Policy policy,
                  MeterRegistry registry) {
    this.db = db;
    this.store = store;
    this.users = users;
    this.hasher = hasher;
    this.limiter = limiter;
    this.issuer = issuer;
    this.refreshTokens = refreshTokens;
    this.revocations = revocations;
    this.policy = policy;
    this.reuseDetected = Counter.builder("paysvc_auth_refresh_reuse_detected")
      .description("sessions revoked because a rotated refresh token was presented again").register(registry);
    this.rolesFallback = Counter.builder("paysvc_auth_refresh_roles_fallback")
      .description("refreshes that used the session's roles because users could not be asked").register(registry);
    this.lockedAnswered = Counter.builder("paysvc_auth_login_locked")
      .description("logins answered as a wrong password, unchecked, because the account was locked for the client or for "
        + "everyone").register(registry);
  }

  // ------------------------------------------------------------------------------------------------ login

  /**
   * Resolves the identifier through users, counts the attempt, verifies the password off the event loop (an
   * unknown identifier against a dummy hash: same answer, same cost), then starts a session. An account that is locked
   * for this client (or for everyone) is answered exactly like a wrong password — same status, body, headers, and the
   * same work (its stored hash is read, a dummy hash computed) — without its password being checked: a different answer
   * told an attacker which identifiers share one account. Only a locked client IP is told (429): it is the caller's own.
   */
  public Future<TokenPair> login(String identifier, String password, String ip, String requestId) {
    return limiter.ipAllowed(ip).compose(v -> resolve(identifier, requestId)).compose(user -> {
      String account = user != null ? user.id().toString() : limiter.unknownAccount(identifier);
      return limiter.attempt(account, ip).compose(attempt -> storedHash(user).compose(hash ->
        hasher.verify(attempt.admitted() ? hash : null, password).compose(check -> {
          if (!attempt.admitted()) {
            lockedAnswered.increment();
            return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, BAD_LOGIN));
          }
          if (user == null || !check.matches()) {
            return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, BAD_LOGIN));
          }
          // Before the answer, so the client's next attempt finds its failures forgiven.
          return limiter.succeeded(account, ip)
            .recover(e -> {
              log.debug("login count not reset: {}", e.toString());
              return Future.succeededFuture();
            })
            .compose(v -> {
              if (!user.active()) {
                return Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, "this account is deactivated"));
              }
              if (check.needsRehash()) {
                rehash(user.id(), hash, password);
              }
              return start(user.id(), user.groups());
            });
        })));
    });
  }

  /** The user's stored hash; none for an unknown identifier. */
  private Future<String> storedHash(UserRecord user) {
    return user == null ? Future.succeededFuture(null) : db.readPrimary(c -> store.credentials(c, user.id()));
  }

  /** The active user, else (rare: unknown or deactivated) the deactivated one, else null. */
  private Future<UserRecord> resolve(String identifier, String requestId) {
    return users.byIdentifier(identifier, false, requestId)
      .compose(u -> u != null ? Future.succeededFuture(u) : users.byIdentifier(identifier, true, requestId));
  }

  /** Replaces a hash of older parameters; best effort, after the answer (the old hash still verifies). */
  private void rehash(UUID userId, String oldHash, String password) {
    hasher.hash(password)
      .compose(newHash -> db.write(c -> store.rehash(c, userId, oldHash, newHash)))
      .onSuccess(done -> log.info("password hash of {} upgraded to {}", userId, hasher.params()))
      .onFailure(e -> log.warn("password hash of {} not upgraded: {}", userId, e.toString()));
  }

  private Future<TokenPair> start(UUID userId, List<String> roles) {
    RefreshTokens.Token token = refreshTokens.fresh();
    UUID family = UUID.randomUUID();
    return db.write(c -> store.startSession(c, userId, family, roles, token.hash(), policy.refreshTtlSeconds(),
        policy.sessionMaxAgeSeconds()))
      .map(started -> pair(userId, roles, family, AuthStore.iat(started.issuedAt(), started.notBefore()), token));
  }

  private TokenPair pair(UUID userId, List<String> roles, UUID family, long iat, RefreshTokens.Token refresh) {
    TokenIssuer.Issued access = issuer.issueAt(userId.toString(), new JsonArray(roles),
      new JsonObject().put("sid", family.toString()), iat);
    return new TokenPair(access.token(), refresh.text(), access.expiresIn());
  }

  // ------------------------------------------------------------------------------------------------ refresh

  /**
   * Rotates {@code presented} (one atomic step in the database, see {@code auth.rotate_refresh_v1}) and issues an
   * access token with the user's current groups; a deactivated user's session ends here too.
   */
  public Future<TokenPair> refresh(String presented, String requestId) {
    RefreshTokens.Token token = RefreshTokens.parse(presented);
    if (token == null) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid refresh token"));
    }
    RefreshTokens.Token child = refreshTokens.child(token);
    return db.write(c -> store.rotate(c, token.hash(), child.hash(), policy.graceSeconds(), policy.refreshTtlSeconds()))
      .compose(rotation -> switch (rotation.outcome()) {
        // iat: the second of the rotation, so a logout-everywhere that waited for this rotation's lock cuts it off too.
        case ROTATED, REPLAYED -> currentRoles(rotation, requestId)
          .map(roles -> pair(rotation.userId(), roles, rotation.familyId(),
            AuthStore.iat(rotation.issuedAt(), rotation.notBefore()), child));
        case REUSED -> {
          reuseDetected.increment();
          log.warn("refresh token reuse in session {} of user {}: session revoked", rotation.familyId(), rotation.userId());
          yield Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED,
            "refresh token already used: the session has been ended, log in again"));
        }
        case EXPIRED -> Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "refresh token expired"));
        case REVOKED -> Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "the session has ended"));
        case UNKNOWN -> Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid refresh token"));
      });
  }

  /**
   * The user's groups now (they may have changed since the login), recorded with the session when they changed. When
   * users cannot be asked, the session's last known roles are used (counted) — except {@code admin}, which is never
   * granted from a record that may be stale: a refresh should not fail because users is briefly away, and the
   * deactivation event still ends the session.
   */
  private Future<List<String>> currentRoles(AuthStore.Rotation rotation, String requestId) {
    return users.byId(rotation.userId(), requestId).transform(ar -> {
      if (ar.failed()) {
        rolesFallback.increment();
        log.debug("refresh of {} with the session's roles: {}", rotation.userId(), ar.cause().toString());
        return Future.succeededFuture(rotation.roles().stream().filter(r -> !Caller.ADMIN.equals(r)).toList());
      }
      UserRecord user = ar.result();
      if (user == null || !user.active()) {
        return db.write(c -> store.revokeFamily(c, rotation.familyId(), user == null ? "user_gone" : "deactivated"))
          .compose(v -> Future.failedFuture(user == null
            ? new ApiException(ErrorCode.UNAUTHORIZED, "the session has ended")
            : new ApiException(ErrorCode.FORBIDDEN, "this account is deactivated")));
      }
      if (!user.groups().equals(rotation.roles())) {
        db.write(c -> store.setFamilyRoles(c, rotation.familyId(), user.groups()))
          .onFailure(e -> log.debug("roles of session {} not recorded: {}", rotation.familyId(), e.toString()));
      }
      return Future.succeededFuture(user.groups());
    });
  }

  // ------------------------------------------------------------------------------------------------ logout

  /**
   * Ends the caller's session: the access token is deny-listed until it expires and its refresh family revoked;
   * with {@code everywhere}, every session of the user ends and its not-before time moves to now.
   */
  public Future<Void> logout(Caller caller, boolean everywhere) {
    UUID session = caller.sessionId() == null ? null : UUID.fromString(caller.sessionId());
    Future<Void> family = session == null ? Future.succeededFuture()
      : db.write(c -> store.revokeFamily(c, session, "logout")).mapEmpty();
    return family
      .compose(v -> revocations.denyToken(caller.jti(), caller.expiresAt()))
      // Every access token of the session, not only this one (another tab's, an earlier refresh's).
      .compose(v -> session == null ? Future.succeededFuture() : revocations.endSessions(List.of(session)))
      .compose(v -> everywhere && userId(caller) != null ? endAll(userId(caller), "logout_all") : Future.succeededFuture());
  }

  /** The person a token speaks for; null for service clients and the bootstrap command (no sessions of their own). */
  private static UUID userId(Caller caller) {
    if (caller.isService()) {
      return null;
    }
    try {
      return UUID.fromString(caller.subject());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Ends every session of the user now: refresh families revoked, not-before time in the database and Redis, and each
   * ended session revoked by id (tokens issued within the second of an earlier cut outlive the time alone).
   */
  public Future<Void> endAll(UUID userId, String reason) {
    return db.write(c -> store.endUserSessions(c, userId, reason))
      .compose(ended -> revocations.cutOff(userId, ended.notBefore(), ended.sessions()));
  }

  /**
   * {@code user.deactivated}: the same inside the event's transaction (the event id is recorded with it). The
   * database is the record: if Redis cannot be written now, the handler still succeeds and auth writes Redis from
   * the database as soon as Redis answers again ({@link Revocations}), so a Redis outage never loses the revocation.
   */
  public Future<Void> endAll(SqlConnection conn, UUID userId, String reason) {
    return store.endUserSessions(conn, userId, reason)
      .compose(ended -> revocations.cutOff(userId, ended.notBefore(), ended.sessions())
        .recover(err -> {
          log.warn("not-before time of {} waits for Redis: {}", userId, err.getMessage());
          return Future.succeededFuture();
        }));
  }
}
