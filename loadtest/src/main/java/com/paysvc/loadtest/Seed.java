package com.paysvc.loadtest;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The harness' own data, created through the API and idempotent: user i has e-mail {@code lt<i>@loadtest.local},
 * phone {@code +1555<i, 7 digits>}, second_login {@code lt_<i>}, groups client (and driver for every third one);
 * login account j is second_login {@code lt_login_<j>} with password {@code lt-password-<j>}. A batch whose last
 * user exists is skipped, so a second run only checks.
 */
final class Seed {
  static final int BATCH = 1000;
  /** Batches in flight: users' bulk insert is one transaction per batch; a few keep its primary busy. */
  static final int PARALLEL = 4;

  private Seed() {
  }

  static String email(int i) {
    return "lt" + i + "@loadtest.local";
  }

  static String phone(int i) {
    return "+1555" + String.format("%07d", i);
  }

  static String login(int i) {
    return "lt_" + i;
  }

  static String account(int j) {
    return "lt_login_" + j;
  }

  static String password(int j) {
    return "lt-password-" + j;
  }

  /** Creates the users that are missing, BATCH at a time, PARALLEL batches at once; prints what it did. */
  static Future<Void> users(Api api, int count) {
    long t0 = System.nanoTime();
    int[] created = {0};
    int batches = (count + BATCH - 1) / BATCH;
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < PARALLEL; lane++) {
      lanes.add(lane(api, count, batches, next, created));
    }
    return Future.all(lanes).<Void>mapEmpty().onSuccess(v -> System.out.printf("seed: %d users in place (%d created) in %.1f s%n",
      count, created[0], (System.nanoTime() - t0) / 1e9));
  }

  /** Takes the next batch until none is left. */
  private static Future<Void> lane(Api api, int count, int batches, java.util.concurrent.atomic.AtomicInteger next, int[] created) {
    int b = next.getAndIncrement();
    if (b >= batches) {
      return Future.succeededFuture();
    }
    int from = b * BATCH;
    int to = Math.min(count, from + BATCH);
    return exists(api, login(to - 1)).compose(done -> done ? Future.<Void>succeededFuture() : create(api, from, to, created))
      .compose(v -> lane(api, count, batches, next, created));
  }

  private static Future<Void> create(Api api, int from, int to, int[] created) {
    JsonArray items = new JsonArray();
    for (int i = from; i < to; i++) {
      JsonArray groups = new JsonArray().add("client");
      if (i % 3 == 0) {
        groups.add("driver");
      }
      items.add(new JsonObject().put("profile", new JsonObject().put("name", "Load test " + i))
        .put("contacts", new JsonArray()
          .add(new JsonObject().put("type", "email").put("value", email(i)))
          .add(new JsonObject().put("type", "phone").put("value", phone(i)))
          .add(new JsonObject().put("type", "second_login").put("value", login(i))))
        .put("groups", groups));
    }
    return api.call(HttpMethod.POST, "/accounts/users/bulk", new JsonObject().put("interface", "loadtest").put("users", items))
      .compose(r -> {
        if (r.statusCode() != 200) {
          return Future.failedFuture("bulk create answered " + r.statusCode() + ": " + r.bodyAsString());
        }
        Object c = r.bodyAsJsonObject().getValue("created");
        created[0] += c instanceof JsonArray a ? a.size() : c instanceof Number num ? num.intValue() : 0;
        return Future.<Void>succeededFuture();
      });
  }

  /** Login accounts (sign-ups hash a password each: a few hundred, a few per second per core). */
  static Future<Void> accounts(Api api, int count) {
    long t0 = System.nanoTime();
    return exists(api, account(count - 1)).compose(done -> {
      if (done) {
        System.out.printf("seed: %d login accounts in place%n", count);
        return Future.succeededFuture();
      }
      Future<Void> chain = Future.succeededFuture();
      for (int j = 0; j < count; j++) {
        int n = j;
        chain = chain.compose(v -> api.anonymous("/auth/register", new JsonObject().put("second_login", account(n))
            .put("password", password(n)), "127.250." + (n / 250) + "." + (n % 250 + 1))
          .compose(r -> r.statusCode() == 201 || r.statusCode() == 409 ? Future.<Void>succeededFuture()
            : Future.failedFuture("sign-up answered " + r.statusCode() + ": " + r.bodyAsString())));
      }
      return chain.onSuccess(v -> System.out.printf("seed: %d login accounts in %.1f s%n", count, (System.nanoTime() - t0) / 1e9));
    });
  }

  private static Future<Boolean> exists(Api api, String identifier) {
    return api.call(HttpMethod.GET, "/accounts/users/by-identifier?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8), null)
      .map(r -> r.statusCode() == 200);
  }
}
