package com.paysvc.loadtest;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Samples every component's CPU time when a run's measured window begins and ends (on a thread of its own: reading
 * /proc is not work for the generator's event loops) and adds the split to the run's JSON: cores used per component
 * and the CPU microseconds the measured service spent per request.
 */
final class CpuWindow implements RunListener {
  private final Proc proc;
  private final String service;
  private final ExecutorService sampler;
  private volatile CompletableFuture<Proc.Snapshot> start;
  private volatile CompletableFuture<Proc.Snapshot> end;

  CpuWindow(Proc proc, String service, ExecutorService sampler) {
    this.proc = proc;
    this.service = service;
    this.sampler = sampler;
  }

  @Override
  public void measuring(int rate) {
    start = CompletableFuture.supplyAsync(proc::snapshot, sampler);
  }

  @Override
  public void scheduleEnded(int rate) {
    end = CompletableFuture.supplyAsync(proc::snapshot, sampler);
  }

  @Override
  public void completed(JsonObject run, Results results) {
    if (start == null || end == null) {
      return;
    }
    // Both are long done: the run completes only after its last answer, well after the schedule ended.
    Proc.Split split = Proc.split(start.join(), end.join());
    JsonObject cores = new JsonObject();
    split.cores().forEach(cores::put);
    cores.put("other", split.other());
    run.put("cpu", new JsonObject().put("window_s", split.seconds()).put("cores", cores)
      .put("machine_busy_cores", split.machineBusyCores()).put("machine_cores", split.machineCores())
      .put("service", service).put("service_us_per_request", split.microsPerRequest(service, results.requests())));
  }
}
