package com.paysvc.loadtest;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** The scenarios of the harness (see {@link Options#USAGE}). */
final class Scenarios {
  /** How many seeded users the read scenarios ask for (the hot set), and the share of unknown identifiers. */
  static final int HOT_SET = 10_000;
  static final double UNKNOWN_SHARE = 0.01;

  private Scenarios() {
  }

  static Scenario create(Options o, Api api, String webhookSecret) {
    return switch (o.scenario()) {
      case "by-identifier" -> new ByIdentifier(api, o.users());
      case "by-identifier-uncached" -> new Uncached(api, o.users());
      case "user-detail" -> new UserDetail(api, o.users());
      case "login" -> new Login(o.loginAccounts());
      case "webhook-ingest" -> new WebhookIngest(o.duplicates(), webhookSecret);
      case "mixed" -> new Mixed(api, o, webhookSecret);
      case "drill-mix" -> new DrillMix(api, o.users(), webhookSecret);
      default -> throw new IllegalArgumentException(o.scenario());
    };
  }

  static MultiMap bearer(String token) {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token);
  }

  /** The hot set: HOT_SET seeded users (the same ones every run), their ids looked up once. */
  static final class HotSet {
    final int[] users;
    final String[] ids;

    private HotSet(int[] users, String[] ids) {
      this.users = users;
      this.ids = ids;
    }

    /** The last set loaded: the scenarios of one process share it (mixed needs it twice, bin/bench every run). */
    private static volatile HotSet last;
    private static volatile int lastSeeded;

    static Future<HotSet> load(Api api, int seeded) {
      HotSet known = last;
      if (known != null && lastSeeded == seeded) {
        return Future.succeededFuture(known);
      }
      return fetch(api, seeded).onSuccess(h -> {
        last = h;
        lastSeeded = seeded;
      });
    }

    private static Future<HotSet> fetch(Api api, int seeded) {
      Random r = new Random(42);
      int n = Math.min(HOT_SET, seeded);
      int[] users = new int[n];
      for (int i = 0; i < n; i++) {
        users[i] = r.nextInt(seeded);
      }
      String[] ids = new String[n];
      // 32 look-ups at a time.
      Promise<HotSet> done = Promise.promise();
      int[] next = {0};
      int[] pending = {0};
      boolean[] failed = {false};
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (pending[0] < 32 && next[0] < n && !failed[0]) {
          int i = next[0]++;
          pending[0]++;
          api.call(HttpMethod.GET, "/accounts/users/by-identifier?identifier=" + enc(Seed.login(users[i])), null)
            .onComplete(ar -> {
              pending[0]--;
              if (ar.succeeded() && ar.result().statusCode() == 200) {
                ids[i] = ar.result().bodyAsJsonObject().getString("id");
              } else if (!failed[0]) {
                failed[0] = true;
                done.tryFail("cannot look up seeded user " + Seed.login(users[i]) + " (run without --no-seed?): "
                  + (ar.succeeded() ? ar.result().statusCode() + " " + ar.result().bodyAsString() : ar.cause().getMessage()));
              }
              if (next[0] == n && pending[0] == 0 && !failed[0]) {
                done.tryComplete(new HotSet(users, ids));
              } else {
                pump[0].run();
              }
            });
        }
      };
      pump[0].run();
      return done.future();
    }
  }

  /** Reads over the hot set with a bearer token: the paths are built once, from the hot set, on the first prepare. */
  abstract static class HotSetReads implements Scenario {
    private final Api api;
    private final int seeded;
    volatile MultiMap headers;
    private volatile boolean built;

    HotSetReads(Api api, int seeded) {
      this.api = api;
      this.seeded = seeded;
    }

    /** Builds the request paths from the hot set (called once). */
    abstract void build(HotSet hot);

    @Override
    public Future<Void> prepare() {
      return api.token().compose(t -> {
        headers = bearer(t);
        return built ? Future.succeededFuture() : HotSet.load(api, seeded).map(hot -> {
          build(hot);
          built = true;
          return null;
        });
      });
    }
  }

  /** by-identifier over the hot set, the four kinds in turn, 1 % unknown. */
  static final class ByIdentifier extends HotSetReads {
    private volatile String[] paths;
    private volatile boolean[] unknown;

    ByIdentifier(Api api, int seeded) {
      super(api, seeded);
    }

    @Override
    void build(HotSet hot) {
      List<String> list = new ArrayList<>();
      List<Boolean> isUnknown = new ArrayList<>();
      Random r = new Random(7);
      for (int i = 0; i < hot.users.length; i++) {
        int u = hot.users[i];
        String identifier = switch (i % 4) {
          case 0 -> hot.ids[i];
          case 1 -> Seed.phone(u);
          case 2 -> Seed.email(u);
          default -> Seed.login(u);
        };
        list.add(path(identifier));
        isUnknown.add(false);
        if (r.nextDouble() < UNKNOWN_SHARE) {
          list.add(path("+1666" + String.format("%07d", r.nextInt(10_000_000))));
          isUnknown.add(true);
        }
      }
      boolean[] u = new boolean[isUnknown.size()];
      for (int i = 0; i < u.length; i++) {
        u[i] = isUnknown.get(i);
      }
      unknown = u;
      paths = list.toArray(new String[0]);
    }

    static String path(String identifier) {
      return "/accounts/users/by-identifier?identifier=" + enc(identifier);
    }

    @Override
    public Request request(long n) {
      int i = (int) (n % paths.length);
      return new Request("by-identifier", HttpMethod.GET, paths[i], headers, null, unknown[i]);
    }
  }

  /**
   * Each request an identifier not asked for before in this process, over every step of a --find-max and every run of
   * bin/bench (warm-up, steps, the half-rate run): seeded users from a random start, each by its phone, e-mail and
   * second_login in turn (three cache keys per user: users caches a found user under the canonical identifier, so an
   * upper-case e-mail is the e-mail's key; 300 000 for 100 000 users): cache misses, as long as the users cache had not seen them within
   * its TTL of 600 s (bin/bench reports the hit ratio from users' metrics, so a run right after another shows it).
   * Once every identifier has been asked for, they repeat: {@link #exhausted()} says so, and the run is invalid.
   */
  static final class Uncached implements Scenario {
    static final int KEYS_PER_USER = 3;
    private final Api api;
    private final int seeded;
    private static final long START = ThreadLocalRandom.current().nextInt(1_000_000);
    private static final AtomicLong NEXT = new AtomicLong();
    private volatile MultiMap headers;

    Uncached(Api api, int seeded) {
      this.api = api;
      this.seeded = seeded;
    }

    @Override
    public Future<Void> prepare() {
      return api.token().map(t -> {
        headers = bearer(t);
        return null;
      });
    }

    @Override
    public Request request(long n) {
      long i = NEXT.getAndIncrement();
      int user = (int) ((START + i / KEYS_PER_USER) % seeded);
      String identifier = switch ((int) (i % KEYS_PER_USER)) {
        case 0 -> Seed.phone(user);
        case 1 -> Seed.email(user);
        default -> Seed.login(user);
      };
      return new Request("by-identifier-uncached", HttpMethod.GET, ByIdentifier.path(identifier), headers, null);
    }

    @Override
    public String exhausted() {
      return exhausted(NEXT.get(), seeded);
    }

    static String exhausted(long asked, int seeded) {
      return asked <= (long) KEYS_PER_USER * seeded ? null : String.format(Locale.ROOT,
        "identifiers repeat: %d asked for, %d seeded users have %d (cache hits, not misses)", asked, seeded,
        (long) KEYS_PER_USER * seeded);
    }
  }

  static final class UserDetail extends HotSetReads {
    private volatile String[] paths;

    UserDetail(Api api, int seeded) {
      super(api, seeded);
    }

    @Override
    void build(HotSet hot) {
      String[] p = new String[hot.ids.length];
      for (int i = 0; i < p.length; i++) {
        p[i] = "/accounts/users/" + hot.ids[i];
      }
      paths = p;
    }

    @Override
    public Request request(long n) {
      return new Request("user-detail", HttpMethod.GET, paths[(int) (n % paths.length)], headers, null);
    }
  }

  /** Logins of the seeded accounts, from many client addresses (the per-IP limit is not what is measured). */
  static final class Login implements Scenario {
    /** Client addresses of the logins: 64 keeps each far below auth's per-address limit at any login rate here. */
    static final int CLIENT_ADDRESSES = 64;
    private final int accounts;

    Login(int accounts) {
      this.accounts = accounts;
    }

    @Override
    public Future<Void> prepare() {
      return Future.succeededFuture();
    }

    /** Logins from many client addresses (the per-address login limit is not what is measured). */
    @Override
    public int clientAddresses() {
      return CLIENT_ADDRESSES;
    }

    @Override
    public Request request(long n) {
      int j = (int) (n % accounts);
      MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
      return new Request("login", HttpMethod.POST, "/auth/login", h,
        new JsonObject().put("identifier", Seed.account(j)).put("password", Seed.password(j)).toBuffer());
    }
  }

  /** Signed notifications, unique event ids; a share re-sends an earlier one (a duplicate: 200, nothing new). */
  static final class WebhookIngest implements Scenario {
    private final double duplicates;
    private final AtomicReferenceArray<Request> sent = new AtomicReferenceArray<>(1024);
    private final ThreadLocal<Mac> mac;
    private final String secret;
    private final Acks acks = new Acks();

    WebhookIngest(double duplicates, String secret) {
      this.duplicates = duplicates;
      this.secret = secret;
      this.mac = ThreadLocal.withInitial(() -> {
        try {
          Mac m = Mac.getInstance("HmacSHA256");
          m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
          return m;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }

    @Override
    public Acks acks() {
      return acks;
    }

    @Override
    public Future<Void> prepare() {
      return secret == null || secret.isEmpty()
        ? Future.failedFuture("set WEBHOOK_HMAC_SECRET (e.g. set -a; . bin/stack.env; set +a)") : Future.succeededFuture();
    }

    @Override
    public Request request(long n) {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      if (duplicates > 0 && n > 1024 && r.nextDouble() < duplicates) {
        Request earlier = sent.get(r.nextInt(1024));
        if (earlier != null) {
          return new Request("webhook-duplicate", earlier.method(), earlier.path(), earlier.headers(), earlier.body());
        }
      }
      String tx = "lt-tx-" + UUID.randomUUID();
      String eventId = "lt-evt-" + UUID.randomUUID();
      Buffer body = new JsonObject().put("event_id", eventId).put("transaction_id", tx)
        .put("status", "succeeded").put("amount", 1000 + r.nextInt(100_000)).put("currency", "RUB")
        .put("order_id", "lt-order-" + n).put("occurred_at", Instant.now().toString()).toBuffer();
      String ts = Long.toString(System.currentTimeMillis() / 1000);
      Mac m = mac.get();
      m.update(ts.getBytes(StandardCharsets.US_ASCII));
      m.update((byte) '.');
      String sig = HexFormat.of().formatHex(m.doFinal(body.getBytes()));
      MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json").add("X-Timestamp", ts)
        .add("X-Signature", sig);
      Request req = new Request("webhook-ingest", HttpMethod.POST, "/webhooks/2can", h, body, false, (status, answer) -> {
        if (status == 200) {
          acks.add(Acks.NOTIFICATIONS, eventId);
        }
      });
      sent.set((int) (n % 1024), req);
      return req;
    }
  }

  /** 85 % by-identifier, 10 % user-detail, 4.5 % webhook-ingest, 0.5 % login (each request's kind is reported). */
  static final class Mixed implements Scenario {
    private final ByIdentifier reads;
    private final UserDetail details;
    private final WebhookIngest webhooks;
    private final Login logins;

    Mixed(Api api, Options o, String webhookSecret) {
      this.reads = new ByIdentifier(api, o.users());
      this.details = new UserDetail(api, o.users());
      this.webhooks = new WebhookIngest(o.duplicates(), webhookSecret);
      this.logins = new Login(o.loginAccounts());
    }

    @Override
    public Future<Void> prepare() {
      return reads.prepare().compose(v -> details.prepare()).compose(v -> webhooks.prepare()).compose(v -> logins.prepare());
    }

    @Override
    public Acks acks() {
      return webhooks.acks();
    }

    /** Its logins come from many client addresses, as {@link Login}'s. */
    @Override
    public int clientAddresses() {
      return Login.CLIENT_ADDRESSES;
    }

    @Override
    public Request request(long n) {
      int slot = (int) (n % 200);
      if (slot == 0) {
        return logins.request(n);
      }
      if (slot < 10) {
        return webhooks.request(n);
      }
      if (slot < 30) {
        return details.request(n);
      }
      return reads.request(n);
    }
  }

  /**
   * The load of the failure drills, through the gateway: 70 % by-identifier, 15 % user-detail (reads); 10 %
   * webhook-ingest, 4 % user creation, 1 % deactivation of a user created in the run (writes, each acknowledged one
   * logged to be checked against the database; a deactivation is the event auth consumes).
   */
  static final class DrillMix implements Scenario {
    static final java.util.Set<String> READS = java.util.Set.of("by-identifier", "user-detail");
    private final Api api;
    private final ByIdentifier reads;
    private final UserDetail details;
    private final WebhookIngest webhooks;
    private final Acks acks;
    private final java.util.Queue<String> toDeactivate = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private volatile MultiMap json;

    DrillMix(Api api, int seeded, String webhookSecret) {
      this.api = api;
      this.reads = new ByIdentifier(api, seeded);
      this.details = new UserDetail(api, seeded);
      this.webhooks = new WebhookIngest(0, webhookSecret);
      this.acks = webhooks.acks();
    }

    @Override
    public Future<Void> prepare() {
      return reads.prepare().compose(v -> details.prepare()).compose(v -> webhooks.prepare()).compose(v -> api.token())
        .map(t -> {
          json = bearer(t).add("Content-Type", "application/json");
          return null;
        });
    }

    @Override
    public Acks acks() {
      return acks;
    }

    @Override
    public Request request(long n) {
      int slot = (int) (n % 100);
      if (slot < 10) {
        return webhooks.request(n);
      }
      if (slot < 14) {
        Buffer body = new JsonObject().put("profile", new JsonObject().put("name", "Drill " + n))
          .put("contacts", new JsonArray().add(new JsonObject().put("type", "email").put("value", "drill-" + run + "-" + n + "@loadtest.local")))
          .put("groups", new JsonArray().add("client")).toBuffer();
        return new Request("user-create", HttpMethod.POST, "/accounts/users", json, body, false, (status, answer) -> {
          if (status == 201) {
            String id = new JsonObject(answer).getString("id");
            acks.add(Acks.USERS_CREATED, id);
            toDeactivate.add(id);
          }
        });
      }
      if (slot == 14) {
        String id = toDeactivate.poll();
        if (id != null) {
          return new Request("user-deactivate", HttpMethod.PATCH, "/accounts/users/" + id, json,
            new JsonObject().put("is_active", false).toBuffer(), false, (status, answer) -> {
              if (status == 200) {
                acks.add(Acks.USERS_DEACTIVATED, id);
              }
            });
        }
      }
      if (slot < 30) {
        return details.request(n);
      }
      return reads.request(n);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
