package com.paysvc.webhook.service;

import com.paysvc.common.client.PeerClient;
import com.paysvc.common.db.Db;
import com.paysvc.common.events.Outbox;
import com.paysvc.webhook.store.PaymentsStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Resolves payer phones to users' user ids in the background, never on a notification's request path: users (and
 * auth, for webhook's token) may be down while notifications keep being accepted. Phones waiting for resolution are
 * claimed from the database (several instances never ask for the same one at once), looked up in users
 * ({@code by-identifier}, webhook's scope {@code users:lookup}, through a breaker); the answer — a user, or nobody —
 * releases the payments' deferred events to the outbox with the user id. A failure backs off (1 s, 2 s, … at most
 * {@code maxDelaySeconds}) and is tried again; nothing is dropped.
 */
public final class PayerResolver {
  public static final String WAKE_ADDRESS = "paysvc.webhook.resolver.wake";
  private static final Logger log = LoggerFactory.getLogger(PayerResolver.class);
  /** Looked up one after the other: a batch (10 × at most ~3 s: timeout and breaker) fits well inside its claim. */
  private static final int BATCH = 10;
  private static final int CLAIM_SECONDS = 60;
  /** A run that has not finished by then (a database call that never answers) no longer blocks the next ones. */
  private static final long RUN_TIMEOUT_MS = 120_000;

  private final Vertx vertx;
  private final Db db;
  private final PaymentsStore store;
  private final PeerClient users;
  private final Outbox outbox;
  private final int maxDelaySeconds;
  private final int maxWaitSeconds;
  private final Counter resolved;
  private final Counter releasedUnresolved;
  private final Counter failed;
  private long timer = -1;
  private MessageConsumer<Object> wake;
  private boolean running;
  private boolean again;

  /**
   * {@code maxWaitSeconds}: events that waited this long for their payer are published without the user id (a
   * payment's success is not held back indefinitely while users is unreachable).
   */
  public PayerResolver(Vertx vertx, Db db, PaymentsStore store, PeerClient users, Outbox outbox, int maxDelaySeconds,
                       int maxWaitSeconds, MeterRegistry registry) {
    this.vertx = vertx;
    this.db = db;
    this.store = store;
    this.users = users;
    this.outbox = outbox;
    this.maxDelaySeconds = maxDelaySeconds;
    this.maxWaitSeconds = maxWaitSeconds;
    this.releasedUnresolved = Counter.builder("paysvc_webhook_events_released_unresolved")
      .description("events published without the payer's user id after waiting too long for it").register(registry);
    this.resolved = Counter.builder("paysvc_webhook_payers_resolved").description("payer phones resolved (to a user or to nobody)")
      .register(registry);
    this.failed = Counter.builder("paysvc_webhook_payer_lookups_failed")
      .description("payer look-ups that failed (users or auth unavailable) and will be retried").register(registry);
  }

  /** Runs every {@code intervalMs}, and at once when woken (after a notification deferred an event). */
  public void start(long intervalMs) {
    // On this service's own context: runs never overlap.
    vertx.runOnContext(v -> {
      timer = vertx.setPeriodic(intervalMs, id -> run());
      wake = vertx.eventBus().localConsumer(WAKE_ADDRESS, msg -> run());
    });
  }

  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return wake == null ? Future.succeededFuture() : wake.unregister();
  }

  private void run() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    db.write(c -> store.releaseStale(c, maxWaitSeconds))
      .onSuccess(n -> {
        if (n > 0) {
          releasedUnresolved.increment(n);
          log.warn("{} event(s) published without their payer's user id after waiting {} s (users unreachable?)", n,
            maxWaitSeconds);
          outbox.wake();
        }
      })
      .compose(v -> db.write(c -> store.claimPayers(c, BATCH, CLAIM_SECONDS)))
      .compose(this::resolveAll)
      .timeout(RUN_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
      .onComplete(ar -> {
        running = false;
        if (ar.failed()) {
          log.debug("payer resolution skipped: {}", ar.cause().toString());
        } else if (again || ar.result() == BATCH) {
          vertx.runOnContext(v -> run());
        }
      });
  }

  private Future<Integer> resolveAll(List<String> phones) {
    Future<Void> chain = Future.succeededFuture();
    for (String phone : phones) {
      chain = chain.compose(v -> resolve(phone));
    }
    return chain.map(v -> phones.size());
  }

  private Future<Void> resolve(String phone) {
    String path = "/accounts/users/by-identifier?identifier=" + URLEncoder.encode(phone, StandardCharsets.UTF_8);
    return users.send(HttpMethod.GET, path, null, "payer-resolver")
      .compose(this::userId)
      .compose(userId -> db.write(c -> store.payerResolved(c, phone, userId))
        .onSuccess(released -> {
          resolved.increment();
          if (released > 0) {
            outbox.wake();
          }
        })
        .<Void>mapEmpty())
      .recover(err -> {
        failed.increment();
        log.warn("payer not resolved yet, retrying later: {}", err.getMessage());
        return db.write(c -> store.payerFailed(c, phone, err.getMessage(), maxDelaySeconds))
          .recover(e -> Future.succeededFuture()); // the claim runs out and the phone is taken again
      });
  }

  /**
   * 200: the user's id; 404: nobody has the phone (null); anything else (400: users and webhook disagree on phones;
   * 401/403: webhook's token or scope is wrong; 429) is not an answer: tried again later, logged.
   */
  private Future<UUID> userId(HttpResponse<Buffer> r) {
    if (r.statusCode() == 200) {
      return Future.succeededFuture(UUID.fromString(r.bodyAsJsonObject().getString("id")));
    }
    if (r.statusCode() == 404) {
      return Future.succeededFuture(null);
    }
    return Future.failedFuture("users answered " + r.statusCode());
  }
}
