package com.paysvc.common.launch;

import com.paysvc.common.config.Config;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * A one-shot command of a service's jar besides {@code run} and {@code migrate} (e.g. auth's
 * {@code bootstrap-admin}). It gets the validated configuration (the service's migrations have run when
 * {@code MIGRATE_ON_START} is on) and returns the process exit code.
 */
public interface ServiceCommand {
  /** One line for {@code --help}, e.g. {@code "--email E --password-stdin   create the first admin"}. */
  String usage();

  int run(Invocation invocation);

  /**
   * False for a tool that needs none of the service's settings (no database, no migrations): it runs with a null
   * config, and a person can use it without the service's environment.
   */
  default boolean needsService() {
    return true;
  }

  /** What a command runs with. */
  record Invocation(Config config, ServiceSettings settings, List<String> args, InputStream in, PrintStream out,
                    PrintStream err) {
  }
}
