package com.paysvc.users.service;

import com.paysvc.common.db.DbErrors;
import com.paysvc.common.http.ApiException;
import com.paysvc.common.http.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates many users, each in its own transaction: one bad item is reported and never undoes or stops the
 * others. A few items run at once so a batch does not monopolise the primary pool. An item or row naming the group
 * admin, sent by a caller that is not an admin, fails on its own with 403 FORBIDDEN like any other bad item.
 */
public final class BulkService {
  private static final int PARALLEL = 4;

  private final UserService users;

  public BulkService(UserService users) {
    this.users = users;
  }

  /** Items of {@code POST /users/bulk}; {@code index} counts from 0. */
  public Future<JsonObject> createAll(JsonArray items, String source, boolean byAdmin, String correlationId) {
    List<Item> work = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject user = items.getJsonObject(i).copy();
      if (source != null) {
        JsonObject profile = user.getJsonObject("profile", new JsonObject());
        if (!profile.containsKey("source")) {
          profile.put("source", source);
        }
        user.put("profile", profile);
      }
      work.add(new Item(i, user, null));
    }
    return run(work, "index", byAdmin, correlationId);
  }

  /** Rows of an uploaded file; {@code row} counts from 1. */
  public Future<JsonObject> createFromRows(List<UploadRow> rows, boolean byAdmin, String correlationId) {
    List<Item> work = new ArrayList<>();
    for (UploadRow r : rows) {
      JsonObject user = r.error() != null ? null : new JsonObject()
        .put("profile", new JsonObject().put("source", "upload"))
        .put("contacts", new JsonArray().add(new JsonObject().put("type", "phone").put("value", r.phone())))
        .put("groups", new JsonArray(r.groups()));
      work.add(new Item(r.row(), user, r.error()));
    }
    return run(work, "row", byAdmin, correlationId);
  }

  private record Item(int position, JsonObject user, String readError) {
  }

  private record Outcome(int position, UUID id, ApiException error) {
  }

  private Future<JsonObject> run(List<Item> work, String positionName, boolean byAdmin, String correlationId) {
    Outcome[] outcomes = new Outcome[work.size()];
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(PARALLEL, work.size()); lane++) {
      lanes.add(lane(work, outcomes, next, byAdmin, correlationId));
    }
    return Future.all(lanes).map(v -> {
      JsonArray created = new JsonArray();
      JsonArray failed = new JsonArray();
      for (Outcome o : outcomes) {
        if (o.error() == null) {
          created.add(new JsonObject().put(positionName, o.position()).put("id", o.id().toString()));
        } else {
          failed.add(new JsonObject().put(positionName, o.position()).put("error_code", o.error().code().name())
            .put("message", o.error().getMessage()));
        }
      }
      return new JsonObject().put("created", created).put("failed", failed);
    });
  }

  /**
   * Takes items one after another until none is left; never fails (every failure is an item's outcome). Items
   * that are settled at once (read errors, a database refused up front) are taken in a loop: recursing once per
   * such item overflowed the stack on a file of thousands of bad rows.
   */
  private Future<Void> lane(List<Item> work, Outcome[] outcomes, AtomicInteger next, boolean byAdmin, String correlationId) {
    while (true) {
      int i = next.getAndIncrement();
      if (i >= work.size()) {
        return Future.succeededFuture();
      }
      Item item = work.get(i);
      Future<Outcome> one = item.readError() != null
        ? Future.succeededFuture(new Outcome(item.position(), null, new ApiException(ErrorCode.VALIDATION_ERROR, item.readError())))
        : users.create(item.user(), byAdmin, correlationId)
          .map(user -> new Outcome(item.position(), CachedReads.idOf(user), null))
          .otherwise(err -> new Outcome(item.position(), null, asApi(err)));
      if (one.isComplete()) {
        outcomes[i] = one.result();
        continue;
      }
      Promise<Void> done = Promise.promise();
      one.onComplete(ar -> {
        outcomes[i] = ar.result();
        lane(work, outcomes, next, byAdmin, correlationId).onComplete(done);
      });
      return done.future();
    }
  }

  private static ApiException asApi(Throwable err) {
    if (err instanceof ApiException api) {
      return api;
    }
    if (DbErrors.isInfrastructure(err)) {
      return new ApiException(ErrorCode.DATABASE_ERROR, "the database is unavailable, retry this item");
    }
    return new ApiException(ErrorCode.INTERNAL_ERROR, "internal error");
  }
}
