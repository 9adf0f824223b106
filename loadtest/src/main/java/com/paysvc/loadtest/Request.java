package com.paysvc.loadtest;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * One request of a scenario; {@code kind} names it in the results (mixed scenarios report each kind);
 * {@code notFoundExpected}: a 404 is the right answer (an unknown identifier), not an error; {@code answered}
 * (may be null) hears every HTTP answer of a measured request, e.g. to log what was acknowledged.
 */
record Request(String kind, HttpMethod method, String path, MultiMap headers, Buffer body, boolean notFoundExpected,
               Answered answered) {
  Request(String kind, HttpMethod method, String path, MultiMap headers, Buffer body) {
    this(kind, method, path, headers, body, false, null);
  }

  Request(String kind, HttpMethod method, String path, MultiMap headers, Buffer body, boolean notFoundExpected) {
    this(kind, method, path, headers, body, notFoundExpected, null);
  }

  /** Called on the generator's event loop with the status and body of an answer. */
  @FunctionalInterface
  interface Answered {
    void answer(int status, Buffer body);
  }
}
