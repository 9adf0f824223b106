package com.paysvc.users.service;

import com.paysvc.common.db.Db;
import com.paysvc.users.store.AccountsStore;
import io.vertx.core.Future;

import java.util.UUID;

/**
 * Who is an admin now, as the primary says. A token's roles are the group names at its issue and live up to 15
 * minutes: a user taken out of the group admin keeps {@code admin} in its token until auth has ended its sessions
 * ({@code user.roles_changed}). Writes admitted by that role ask here first, so the membership is current when it
 * matters; one primary round trip per such write, never on a read.
 */
public final class Admins {
  private final Db db;
  private final AccountsStore store;

  public Admins(Db db, AccountsStore store) {
    this.db = db;
    this.store = store;
  }

  /** Whether the user is active and an active member of the group admin. */
  public Future<Boolean> isActiveAdmin(UUID userId) {
    return db.readPrimary(c -> store.isActiveAdmin(c, userId));
  }
}
