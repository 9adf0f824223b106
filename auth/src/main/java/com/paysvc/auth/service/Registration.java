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
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sign-up, a two-step saga across two services: the user is created in users, then its password hash stored here.
 * Before the first step auth notes the sign-up down ({@code auth.pending_registrations}); the second step stores the
 * hash and removes the note in one transaction. If the second step fails, the first is undone at once (the user
 * deactivated, its contacts released so the e-mail/phone can sign up again). Whatever could not be undone — auth
 * died between the steps, or users was away for the undo — leaves its note behind, and a sweeper undoes it later:
 * no account without a password stays active. The password is hashed before anything is written, so a saturated
 * hashing pool creates nothing.
 */
public final class Registration {
  private static final Logger log = LoggerFactory.getLogger(Registration.class);
  private static final int SWEEP_BATCH = 20;
  /** A note is worked on by one sweeper for this long (users' timeouts are seconds). */
  private static final int CLAIM_SECONDS = 60;
  /** Clock skew allowed between auth's note and users' created_at. */
  private static final long SKEW_SECONDS = 5;
  /**
   * users creates a sign-up's user within seconds of its note (one call, a 2 s timeout); a user with the same
   * identifiers created later belongs to a newer sign-up, which may be between its own two steps right now.
   */
  private static final long CREATED_WITHIN_SECONDS = 30;

  private final Vertx vertx;
  private final Db db;
  private final AuthStore store;
  private final UsersClient users;
  private final PasswordHasher hasher;
  private final AttemptLimiter signups;
  private final Counter compensated;
  private final Counter swept;
  private long sweeper = -1;

  /** {@code signups}: sign-ups per client IP (each costs a password hash and tells whether an identifier is taken). */
  public Registration(Vertx vertx, Db db, AuthStore store, UsersClient users, PasswordHasher hasher, AttemptLimiter signups,
                      MeterRegistry registry) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.users = users;
    this.hasher = hasher;
    this.signups = signups;
    this.compensated = Counter.builder("paysvc_auth_registration_compensated")
      .description("users undone in users because their sign-up could not be completed").register(registry);
    this.swept = Counter.builder("paysvc_auth_registration_swept")
      .description("sign-ups left behind (crash, failed undo) that the sweeper closed").register(registry);
  }

  /** {@code contacts}: [{type, value}] of email / phone / second_login (at least one). Returns users' detail JSON. */
  public Future<JsonObject> register(JsonArray contacts, JsonObject profile, String password, String ip, String requestId) {
    UUID note = UUID.randomUUID();
    List<String> identifiers = new ArrayList<>();
    contacts.forEach(c -> identifiers.add(((JsonObject) c).getString("value")));
    return signups.attempt(ip)
      .compose(v -> hasher.hash(password))
      .compose(hash -> db.write(c -> store.beginRegistration(c, note, identifiers))
        .compose(v -> users.create(profile, contacts, null, requestId)
          .onFailure(err -> {
            // users answered no (400/409): nothing was created. Otherwise (a timeout) it may have been: the note stays.
            if (err instanceof ApiException api && api.code().status() < 500) {
              db.write(c -> store.endRegistration(c, note)).onFailure(e -> log.debug("note {} stays: {}", note, e.toString()));
            }
          }))
        .compose(user -> complete(note, user, hash, requestId)));
  }

  private Future<JsonObject> complete(UUID note, UserRecord user, String hash, String requestId) {
    return db.write(c -> store.registrationUser(c, note, user.id())
        .compose(v -> store.completeRegistration(c, note, user.id(), hash)))
      .compose(done -> done ? Future.succeededFuture(user.json())
        : Future.failedFuture(new IllegalStateException("credentials already present for a new user")))
      .recover(err -> {
        log.error("sign-up of user {} failed after users created it, undoing it: {}", user.id(), err.toString());
        undo(user, requestId)
          .compose(v -> db.write(c -> store.endRegistration(c, note)))
          .onFailure(e -> log.warn("sign-up {} of user {} not closed yet ({}): the sweeper will", note, user.id(), e.toString()));
        return Future.failedFuture(new ApiException(ErrorCode.DATABASE_ERROR,
          "the registration could not be completed and was undone; retry shortly"));
      });
  }

  /** Deactivates the user and releases its contacts (idempotent: an inactive user, a released contact are fine). */
  private Future<Void> undo(UserRecord user, String requestId) {
    Future<Void> undo = user.active() ? users.deactivate(user.id(), requestId) : Future.succeededFuture();
    for (UserRecord.Contact c : user.contacts()) {
      undo = undo.compose(v -> users.releaseContact(c.id(), requestId));
    }
    return undo.onSuccess(v -> {
      compensated.increment();
      log.info("user {} of an unfinished sign-up undone (deactivated, {} contact(s) released)", user.id(), user.contacts().size());
    });
  }

  // ------------------------------------------------------------------------------------------------ sweeper

  /** Every {@code everyMs}, closes notes older than {@code staleSeconds}. */
  public void startSweeper(long everyMs, int staleSeconds) {
    sweeper = vertx.setPeriodic(everyMs, id -> sweep(staleSeconds)
      .onFailure(e -> log.debug("registration sweep skipped: {}", e.toString())));
  }

  public void stopSweeper() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
  }

  Future<Void> sweep(int staleSeconds) {
    return db.write(c -> store.claimStaleRegistrations(c, staleSeconds, CLAIM_SECONDS, SWEEP_BATCH))
      .compose(notes -> {
        Future<Void> chain = Future.succeededFuture();
        for (AuthStore.PendingRegistration n : notes) {
          chain = chain.compose(v -> close(n).recover(e -> {
            // users or the database away: the claim runs out and a later sweep tries again.
            log.warn("unfinished sign-up {} not closed yet: {}", n.id(), e.toString());
            return Future.succeededFuture();
          }));
        }
        return chain;
      });
  }

  /** Finds what the sign-up may have created in users; undoes every such user that has no password here. */
  private Future<Void> close(AuthStore.PendingRegistration note) {
    String rid = "registration-sweep-" + note.id();
    return candidates(note, rid)
      .compose(found -> {
        Future<Void> chain = Future.succeededFuture();
        for (UserRecord user : found) {
          chain = chain.compose(v -> db.readPrimary(c -> store.credentials(c, user.id()))
            // A password here means a finished account (someone else's, or this one completed): never touched.
            .compose(hash -> hash != null ? Future.<Void>succeededFuture() : undo(user, rid)));
        }
        return chain;
      })
      .compose(v -> db.write(c -> store.endRegistration(c, note.id())))
      .onSuccess(v -> {
        swept.increment();
        log.info("unfinished sign-up {} from {} closed", note.id(), note.createdAt());
      });
  }

  private Future<List<UserRecord>> candidates(AuthStore.PendingRegistration note, String rid) {
    if (note.userId() != null) {
      return users.byId(note.userId(), rid).map(u -> u == null ? List.of() : List.of(u));
    }
    // users answered, but auth died before noting the id: the user holds every identifier of the note (a sign-up
    // creates them all) and was created right after it.
    Instant from = note.createdAt().toInstant().minusSeconds(SKEW_SECONDS);
    Instant to = note.createdAt().toInstant().plusSeconds(CREATED_WITHIN_SECONDS);
    Map<UUID, UserRecord> found = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (String identifier : note.identifiers()) {
      chain = chain.compose(v -> users.byIdentifier(identifier, true, rid).map(u -> {
        if (u != null && u.createdAt() != null && !u.createdAt().isBefore(from) && !u.createdAt().isAfter(to)
          && holdsAll(u, note.identifiers())) {
          found.put(u.id(), u);
        }
        return null;
      }));
    }
    return chain.map(v -> List.copyOf(found.values()));
  }

  private static boolean holdsAll(UserRecord user, List<String> identifiers) {
    return identifiers.stream().allMatch(i -> user.contacts().stream().anyMatch(c -> c.value().equalsIgnoreCase(i.trim())));
  }
}
