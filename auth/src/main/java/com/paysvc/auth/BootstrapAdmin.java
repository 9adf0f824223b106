package com.paysvc.auth;

import com.paysvc.auth.password.PasswordHasher;
import com.paysvc.auth.service.SigningKeys;
import com.paysvc.auth.service.TokenIssuer;
import com.paysvc.auth.store.AuthStore;
import com.paysvc.auth.users.UserRecord;
import com.paysvc.auth.users.UsersClient;
import com.paysvc.common.client.PeerClient;
import com.paysvc.common.client.PeerSettings;
import com.paysvc.common.client.ServiceToken;
import com.paysvc.common.config.Config;
import com.paysvc.common.db.Db;
import com.paysvc.common.db.DbFactory;
import com.paysvc.common.launch.ServiceCommand;
import com.paysvc.common.security.Caller;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar auth.jar bootstrap-admin --email E --password-stdin [--reset-password] [--promote-existing]}: makes
 * sure the first admin exists — a user in users with that e-mail, in group {@code admin}, with a password here.
 * Idempotent: an admin with that e-mail is left as it is (its password kept unless {@code --reset-password}).
 *
 * <p>A user with that e-mail who is <em>not</em> an admin is refused: anyone can sign up, so the address may have
 * been taken by somebody else before the operator ran this. {@code --promote-existing} makes it an admin anyway, and
 * then always sets the given password and ends its sessions, so whoever chose the old password is locked out.
 *
 * <p>Nobody is admin yet, so there is nobody to ask: the command holds auth's signing key (it runs with auth's
 * environment) and signs itself a short-lived admin token for its calls to users. Whoever holds that key can mint
 * any token anyway; the command adds no power. The password is read from stdin, never from the command line.
 */
final class BootstrapAdmin implements ServiceCommand {
  private static final String SUBJECT = "system:bootstrap-admin";
  private static final int MIN_PASSWORD = 8;

  @Override
  public String usage() {
    return "--email E --password-stdin [--reset-password] [--promote-existing]   create the first admin (idempotent)";
  }

  @Override
  public int run(Invocation inv) {
    String email = null;
    boolean passwordStdin = false;
    boolean reset = false;
    boolean promote = false;
    List<String> args = inv.args();
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--email" -> email = i + 1 < args.size() ? args.get(++i) : null;
        case "--password-stdin" -> passwordStdin = true;
        case "--reset-password" -> reset = true;
        case "--promote-existing" -> promote = true;
        default -> {
          inv.err().println("bootstrap-admin: unknown argument " + args.get(i) + " (usage: " + usage() + ")");
          return 2;
        }
      }
    }
    if (email == null || !email.contains("@") || !passwordStdin) {
      inv.err().println("bootstrap-admin: usage: " + usage());
      return 2;
    }
    String password;
    try {
      password = new BufferedReader(new InputStreamReader(inv.in(), StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      password = null;
    }
    if (password == null || password.length() < MIN_PASSWORD) {
      inv.err().println("bootstrap-admin: give a password of at least " + MIN_PASSWORD + " characters on stdin");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    try {
      String outcome = bootstrap(vertx, inv.config(), inv, email, password, reset, promote)
        .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      inv.out().println("bootstrap-admin: " + email + " " + outcome);
      return 0;
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      inv.err().println("bootstrap-admin: failed: " + cause.getMessage());
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(x -> null).join();
    }
  }

  private static Future<String> bootstrap(Vertx vertx, Config config, Invocation inv, String email, String password,
                                          boolean reset, boolean promote) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SigningKeys keys = AuthDefinition.signingKeys(config);
    TokenIssuer issuer = AuthDefinition.tokenIssuer(config, keys);
    ServiceToken adminToken = new ServiceToken(() -> {
      TokenIssuer.Issued t = issuer.issue(SUBJECT, new JsonArray().add(Caller.ADMIN), new JsonObject());
      return Future.succeededFuture(new ServiceToken.Grant(t.token(), t.expiresIn()));
    });
    PeerClient peer = new PeerClient(vertx, AuthDefinition.webClient(vertx), "users", config.get(PeerSettings.USERS_URL),
      adminToken, config.get(PeerSettings.USERS_TIMEOUT_MS), registry);
    UsersClient users = new UsersClient(peer);
    // The primary only, as the service (AuthDefinition.dependencies()).
    Db db = DbFactory.create(vertx, config, config.get(inv.settings().pgDatabase), config.get(inv.settings().pgUser), false,
      registry);
    PasswordHasher hasher = AuthDefinition.passwordHasher(vertx, config, registry);
    AuthStore store = new AuthStore();
    String rid = "bootstrap-admin-" + UUID.randomUUID();

    return users.byIdentifier(email, true, rid)
      .compose(existing -> {
        if (existing == null) {
          return users.create(new JsonObject().put("name", "admin"),
              new JsonArray().add(new JsonObject().put("type", "email").put("value", email)),
              new JsonArray().add(Caller.ADMIN), rid)
            .map(u -> new Step(u, "created", false));
        }
        if (!existing.active()) {
          return Future.failedFuture("user " + existing.id() + " with this e-mail is deactivated: reactivate it first "
            + "(PATCH /accounts/users/{id} {\"is_active\": true})");
        }
        if (existing.groups().contains(Caller.ADMIN)) {
          return Future.succeededFuture(new Step(existing, "already present", false));
        }
        if (!promote) {
          return Future.failedFuture("user " + existing.id() + " has this e-mail but is not an admin: it may not be yours "
            + "(anyone can sign up). Use another e-mail, or --promote-existing to make it an admin with this password");
        }
        return users.groupId(Caller.ADMIN, rid).compose(group -> group == null
          ? Future.failedFuture("users has no group 'admin'")
          : users.addMembership(existing.id(), group, rid).map(v -> new Step(existing, "added to group admin", true)));
      })
      .compose(step -> db.readPrimary(c -> store.credentials(c, step.user().id()))
        .compose(hash -> {
          if (hash != null && !reset && !step.newPassword()) {
            return Future.succeededFuture(step.what() + ", password kept");
          }
          return hasher.hash(password)
            .compose(h -> db.write(c -> store.setCredentials(c, step.user().id(), h, null)))
            // The ended sessions' access tokens live out their minutes: an operator's reset, not an emergency stop.
            .map(n -> step.what() + (hash == null ? ", password set" : ", password reset"));
        })
        .map(what -> "(user " + step.user().id() + "): " + what))
      .eventually(() -> Future.join(db.close(), hasher.close()).onComplete(ar -> peer.close()));
  }

  /** {@code newPassword}: whatever password it had is replaced (a promoted account). */
  private record Step(UserRecord user, String what, boolean newPassword) {
  }
}
