package com.paysvc.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * CPU time and memory of the machine's processes, from /proc (Linux): which component used how much CPU over a window
 * (the CPU split of bin/bench) and how much memory a service holds (VmRSS, and VmHWM: the peak since it started).
 */
final class Proc {
  /** USER_HZ: the unit of /proc/<pid>/stat times; 100 on every Linux this runs on (sysconf is not reachable from Java). */
  static final long TICKS_PER_SECOND = 100;

  /** Components by name, each a set of pids found when a snapshot is taken (pidfile, processes of an OS user, …). */
  private final Map<String, Supplier<List<Integer>>> components = new LinkedHashMap<>();

  void add(String name, Supplier<List<Integer>> pids) {
    components.put(name, pids);
  }

  /** CPU ticks per pid per component, and the machine's busy and total ticks, at one moment. */
  record Snapshot(long nanos, Map<String, Map<Integer, Long>> ticks, long machineBusy, long machineTotal) {
  }

  /** CPU used between two snapshots, in cores (1.0 = one core busy the whole window), per component and in all. */
  record Split(double seconds, Map<String, Double> cores, double machineBusyCores, int machineCores) {
    double of(String component) {
      return cores.getOrDefault(component, 0.0);
    }

    /** CPU microseconds a component spent per request, for {@code requests} completed in the window. */
    double microsPerRequest(String component, long requests) {
      return requests == 0 ? Double.NaN : of(component) * seconds * 1e6 / requests;
    }

    /** Busy cores not accounted to any named component (the kernel's own work, other processes). */
    double other() {
      return Math.max(0, machineBusyCores - cores.values().stream().mapToDouble(Double::doubleValue).sum());
    }
  }

  Snapshot snapshot() {
    Map<String, Map<Integer, Long>> ticks = new LinkedHashMap<>();
    components.forEach((name, pids) -> {
      Map<Integer, Long> m = new HashMap<>();
      for (int pid : pids.get()) {
        long t = cpuTicks(pid);
        if (t >= 0) {
          m.put(pid, t);
        }
      }
      ticks.put(name, m);
    });
    long[] machine = machineTicks();
    return new Snapshot(System.nanoTime(), ticks, machine[0], machine[1]);
  }

  static Split split(Snapshot a, Snapshot b) {
    double seconds = (b.nanos() - a.nanos()) / 1e9;
    Map<String, Double> cores = new LinkedHashMap<>();
    b.ticks().forEach((name, end) -> {
      Map<Integer, Long> start = a.ticks().getOrDefault(name, Map.of());
      long sum = 0;
      for (Map.Entry<Integer, Long> e : end.entrySet()) {
        // A process started within the window counts from zero.
        sum += e.getValue() - start.getOrDefault(e.getKey(), 0L);
      }
      cores.put(name, sum / (double) TICKS_PER_SECOND / seconds);
    });
    int n = Runtime.getRuntime().availableProcessors();
    double total = b.machineTotal() - a.machineTotal();
    double busy = total <= 0 ? 0 : (b.machineBusy() - a.machineBusy()) / total * n;
    return new Split(seconds, cores, busy, n);
  }

  /** utime + stime of a process, in ticks; -1 when it is gone. */
  static long cpuTicks(int pid) {
    try {
      String s = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      // Fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** {busy, total} ticks of all cores from /proc/stat's first line (idle and iowait are not busy). */
  static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or -1. */
  static long statusKb(int pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The pid in a pidfile when that process is alive, else none. */
  static List<Integer> pidFile(Path file) {
    try {
      int pid = Integer.parseInt(Files.readString(file).trim());
      return Files.exists(Path.of("/proc", Integer.toString(pid))) ? List.of(pid) : List.of();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** Every process of an OS user (e.g. postgres: the postmasters, their backends and Patroni). */
  static List<Integer> ofUser(String user) {
    int uid = uid(user);
    if (uid < 0) {
      return List.of();
    }
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
        .filter(p -> {
          try {
            return Files.readAllLines(p.resolve("status")).stream().filter(l -> l.startsWith("Uid:")).findFirst()
              .map(l -> Integer.parseInt(l.split("\\s+")[1]) == uid).orElse(false);
          } catch (IOException | RuntimeException e) {
            return false;
          }
        })
        .map(p -> Integer.parseInt(p.getFileName().toString())).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  static int uid(String user) {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
        String[] f = line.split(":");
        if (f.length > 2 && f[0].equals(user)) {
          return Integer.parseInt(f[2]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  static int self() {
    return (int) ProcessHandle.current().pid();
  }
}
