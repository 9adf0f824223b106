package com.paysvc.loadtest;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the platform acknowledged during a run, by what it was (a notification's event id, a created user's id, …),
 * so that it can be compared with the database afterwards: nothing acknowledged may be missing.
 */
final class Acks {
  static final String NOTIFICATIONS = "webhook notifications (200)";
  static final String USERS_CREATED = "users created (201)";
  static final String USERS_DEACTIVATED = "users deactivated (200)";

  private final Map<String, Queue<String>> byWhat = new ConcurrentHashMap<>();

  void add(String what, String key) {
    byWhat.computeIfAbsent(what, w -> new ConcurrentLinkedQueue<>()).add(key);
  }

  List<String> get(String what) {
    Queue<String> q = byWhat.get(what);
    return q == null ? List.of() : List.copyOf(q);
  }
}
