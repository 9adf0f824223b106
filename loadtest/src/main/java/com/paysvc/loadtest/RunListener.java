package com.paysvc.loadtest;

import io.vertx.core.json.JsonObject;

/**
 * Hears one open-loop run: when its measured window begins and ends (e.g. to sample CPU time over exactly that
 * window), each second, and the finished run's JSON (to add what it measured). Called on a Vert.x thread: keep
 * each call short.
 */
interface RunListener {
  RunListener NONE = new RunListener() {
  };

  /** The warm-up is over: requests from now on are measured. */
  default void measuring(int rate) {
  }

  /** The last request of the schedule is due (answers may still be on their way). */
  default void scheduleEnded(int rate) {
  }

  default void second(Results.Second s, Results results) {
  }

  /** The run's JSON result, before it is printed and stored. */
  default void completed(JsonObject run, Results results) {
  }

  /** Whether {@link #answered} is called (the drills analyse every request). */
  default boolean samples() {
    return false;
  }

  /** A measured request ended (only when {@link #samples()}); on the generator's event loop. */
  default void answered(Results.Sample s) {
  }
}
