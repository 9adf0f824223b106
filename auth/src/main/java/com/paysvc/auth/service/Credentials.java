package com.paysvc.auth.service;

import com.paysvc.auth.password.PasswordHasher;
import com.paysvc.auth.store.AuthStore;
import com.paysvc.auth.users.UsersClient;
import com.paysvc.common.db.Db;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import com.paysvc.common.security.Caller;
import io.vertx.core.Future;

import java.util.List;
import java.util.UUID;

/**
 * {@code PUT /auth/credentials/{user_id}}: a user changes its own password with the old one (counted by the login
 * limiter like a login; a locked account is 429 here, the caller holds its token) — an admin too, for its own: a stolen admin token must not become a permanent takeover —
 * or an admin sets another user's. Every other session of the user ends at once (refresh tokens revoked, their access
 * tokens rejected by session): the caller's own session survives its own change, an admin's reset ends them all.
 */
public final class Credentials {
  private final Db db;
  private final AuthStore store;
  private final UsersClient users;
  private final PasswordHasher hasher;
  private final LoginLimiter limiter;
  private final Revocations revocations;

  public Credentials(Db db, AuthStore store, UsersClient users, PasswordHasher hasher, LoginLimiter limiter,
                     Revocations revocations) {
    this.db = db;
    this.store = store;
    this.users = users;
    this.hasher = hasher;
    this.limiter = limiter;
    this.revocations = revocations;
  }

  public Future<Void> set(Caller caller, UUID userId, String password, String oldPassword, String ip, String requestId) {
    boolean self = !caller.isService() && caller.subject().equalsIgnoreCase(userId.toString());
    if (!self && caller.isAdmin()) {
      return users.byId(userId, requestId).compose(user -> user == null
        ? Future.failedFuture(ApiException.notFound("user"))
        : hasher.hash(password).compose(hash -> db.write(c -> store.setCredentials(c, userId, hash, null))))
        .compose(this::endSessions);
    }
    if (!self) {
      return Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, "only the user itself or an admin may set this password"));
    }
    if (oldPassword == null) {
      return Future.failedFuture(ApiException.validation("old_password is required to change your own password"));
    }
    String account = userId.toString();
    return limiter.attempt(account, ip)
      // The caller holds a token of this account: its own lock is no secret to it, unlike at login.
      .compose(attempt -> attempt.admitted() ? Future.<Void>succeededFuture()
        : Future.failedFuture(LimiterRedis.limited("too many wrong passwords for this account, retry later",
          attempt.lockedSeconds())))
      .compose(v -> db.readPrimary(c -> store.credentials(c, userId)))
      .compose(stored -> hasher.verify(stored, oldPassword))
      .compose(check -> check.matches()
        ? limiter.succeeded(account, ip).otherwiseEmpty().compose(v -> hasher.hash(password))
        : Future.failedFuture(new ApiException(ErrorCode.FORBIDDEN, "old_password is wrong")))
      .compose(hash -> db.write(c -> store.setCredentials(c, userId, hash,
        caller.sessionId() == null ? null : UUID.fromString(caller.sessionId()))))
      .compose(this::endSessions);
  }

  /** The password is set whatever Redis says: a failed write is caught up from the database (see Revocations). */
  private Future<Void> endSessions(List<UUID> ended) {
    return revocations.endSessions(ended).otherwiseEmpty();
  }
}
