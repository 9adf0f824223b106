package com.paysvc.loadtest;

import io.vertx.core.Future;

/** What a run sends: prepared once (tokens, identifiers), then asked for request n, n = 0, 1, 2, … from any thread. */
interface Scenario {
  Future<Void> prepare();

  Request request(long n);

  /**
   * How many client addresses the requests come from: request n leaves from loopback address n mod this (127.0.0.0/8
   * answers on every address), so that limits per client address (auth's, which the gateway fills in from the
   * connection) apply to each of them and not to the generator as one client. 1: every request from the default one.
   */
  default int clientAddresses() {
    return 1;
  }

  /**
   * Why the requests sent so far no longer measure what the scenario claims (null: they do): a run during which this
   * turned non-null is reported invalid and ends a --find-max.
   */
  default String exhausted() {
    return null;
  }

  /** What the platform acknowledged so far (writes), to check against the database. */
  default Acks acks() {
    return new Acks();
  }
}
