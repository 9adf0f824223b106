package com.paysvc.auth.service;

import com.paysvc.auth.password.PasswordHasher;
import com.paysvc.auth.store.AuthStore;
import com.paysvc.auth.users.UserRecord;
import com.paysvc.auth.users.UsersClient;
import com.paysvc.common.db.Db;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-up, a two-step saga across two services: the user is created in users, then its password hash is stored
 * here. If the second step fails, the first is compensated (the user deactivated, its contacts released so the
 * e-mail/phone can sign up again), retried with back-off until users accepts it: no account without a password
 * stays active. The password is hashed before anything is created, so a saturated hashing pool creates nothing.
 */
public final class Registration {
  private static final Logger log = LoggerFactory.getLogger(Registration.class);
  private static final int COMPENSATION_ATTEMPTS = 8;
  private static final long COMPENSATION_FIRST_DELAY_MS = 200;

  private final Vertx vertx;
  private final Db db;
  private final AuthStore store;
  private final UsersClient users;
  private final PasswordHasher hasher;
  private final Counter compensated;
  private final Counter compensationFailed;

  public Registration(Vertx vertx, Db db, AuthStore store, UsersClient users, PasswordHasher hasher, MeterRegistry registry) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.users = users;
    this.hasher = hasher;
    this.compensated = Counter.builder("paysvc_auth_registration_compensated")
      .description("registrations undone in users because the password could not be stored").register(registry);
    this.compensationFailed = Counter.builder("paysvc_auth_registration_compensation_failed")
      .description("registrations whose undo in users failed every attempt (an operator must deactivate the user)")
      .register(registry);
  }

  /** {@code contacts}: [{type, value}] of email / phone / second_login (at least one). Returns users' detail JSON. */
  public Future<JsonObject> register(JsonArray contacts, JsonObject profile, String password, String requestId) {
    return hasher.hash(password)
      .compose(hash -> users.create(profile, contacts, null, requestId)
        .compose(user -> db.write(c -> store.createCredentials(c, user.id(), hash))
          .compose(created -> created ? Future.succeededFuture(user.json())
            : Future.failedFuture(new IllegalStateException("credentials already present for a new user")))
          .recover(err -> {
            log.error("registration of user {} failed after it was created in users, undoing it: {}", user.id(), err.toString());
            compensate(user, requestId, 1);
            return Future.failedFuture(new ApiException(ErrorCode.DATABASE_ERROR,
              "the registration could not be completed and was undone; retry shortly"));
          })));
  }

  /** Deactivates the user, then releases its contacts; retried with back-off (the client has its answer already). */
  private Future<Void> compensate(UserRecord user, String requestId, int attempt) {
    Future<Void> undo = users.deactivate(user.id(), requestId);
    for (UserRecord.Contact c : user.contacts()) {
      undo = undo.compose(v -> users.releaseContact(c.id(), requestId));
    }
    return undo
      .onSuccess(v -> {
        compensated.increment();
        log.info("registration of user {} undone (deactivated, {} contact(s) released)", user.id(), user.contacts().size());
      })
      .recover(err -> {
        if (attempt >= COMPENSATION_ATTEMPTS) {
          compensationFailed.increment();
          log.error("registration of user {} could NOT be undone after {} attempts: deactivate it by hand ({})",
            user.id(), attempt, err.toString());
          return Future.failedFuture(err);
        }
        Promise<Void> later = Promise.promise();
        vertx.setTimer(COMPENSATION_FIRST_DELAY_MS << (attempt - 1), t -> compensate(user, requestId, attempt + 1)
          .onComplete(later));
        return later.future();
      });
  }
}
