package com.paysvc.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;
import java.util.function.Function;

/**
 * A test class whose tests share one {@code P} (e.g. a platform of services on fresh databases): opened with the
 * class' {@link #settings()} before its first test, closed after its last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OnePerClass<P extends AutoCloseable> {
  private final Function<Map<String, String>, P> opener;
  protected P p;

  protected OnePerClass(Function<Map<String, String>, P> opener) {
    this.opener = opener;
  }

  /** Settings of this class, on top of the defaults of what it opens. */
  protected Map<String, String> settings() {
    return Map.of();
  }

  @BeforeAll
  protected final void openShared() {
    p = opener.apply(settings());
  }

  @AfterAll
  protected final void closeShared() throws Exception {
    if (p != null) {
      p.close();
    }
  }
}
