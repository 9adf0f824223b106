#!/usr/bin/env bash
# bin/lib/supervise.sh PIDFILE LOG READY_URL -- CMD...: keeps one service instance running (bin/lib/services.sh starts
# every instance through it, as root; CMD drops to the service user itself).
#
# - Runs CMD with its output appended to LOG and writes its pid to PIDFILE (the instance's pidfile: bin/stack, the
#   drills and bin/bench find the JVM there).
# - CMD exits on its own (a crash, -XX:+ExitOnOutOfMemoryError, a SIGKILL): it is started again after 1 s, doubling up
#   to 30 s while it keeps dying young; a run that lasted a minute resets the delay. Three deaths in a row within
#   10 s of their start (a configuration error, a port taken) end the supervision: the instance is down, and
#   `bin/stack up` / `instance-start` report it instead of waiting for a loop.
# - SIGTERM or SIGINT: passed to CMD (a graceful drain), then this exits with CMD's status; nothing is restarted.
# - Each restart is counted in PIDFILE's directory (<name>.restarts, shown by `bin/stack status`) and logged to LOG.
# - CMD starts at nice 10 (a starting JVM must not starve the instances that serve); once READY_URL answers 200,
#   every thread of it goes back to nice 0.
set -u
pidfile=$1 log=$2 ready_url=$3
shift 3
[[ ${1:-} == -- ]] && shift
restarts_file=${pidfile%.pid}.restarts

child=0 stopping=0
stop() {
    stopping=1
    if (( child > 0 )); then kill -TERM "$child" 2>/dev/null || true; fi
}
trap stop TERM INT

note() { printf '%s supervise: %s\n' "$(date '+%F %T')" "$*" >>"$log"; }

# Back to normal priority once ready (niceness is per thread on Linux; threads started later inherit their creator's).
renice_when_ready() {
    local pid=$1 i tid
    for (( i = 0; i < 600; i++ )); do
        kill -0 "$pid" 2>/dev/null || return 0
        if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ready_url" 2>/dev/null) == 200 ]]; then
            for tid in /proc/"$pid"/task/*; do renice -n 0 -p "${tid##*/}" >/dev/null 2>&1 || true; done
            return 0
        fi
        sleep 0.5
    done
}

restarts=0 delay=1 young=0
printf '0\n' >"$restarts_file"
while :; do
    started=$SECONDS
    nice -n 10 "$@" >>"$log" 2>&1 </dev/null &
    child=$!
    printf '%s\n' "$child" >"$pidfile.tmp" && mv -f "$pidfile.tmp" "$pidfile"
    renice_when_ready "$child" &
    rc=0
    # wait returns early (status > 128) when a trapped signal arrives: keep waiting until the child is gone.
    while kill -0 "$child" 2>/dev/null; do
        wait "$child"
        rc=$?
    done
    if (( stopping )); then
        rm -f "$pidfile"
        exit "$rc"
    fi
    lived=$(( SECONDS - started ))
    if (( lived < 10 )); then young=$(( young + 1 )); else young=0; fi
    if (( young >= 3 )); then
        note "exited with status $rc, ${lived}s after its start, the third time in a row: not restarted again"
        rm -f "$pidfile"
        exit 1
    fi
    if (( lived >= 60 )); then delay=1; fi
    restarts=$(( restarts + 1 ))
    printf '%s\n' "$restarts" >"$restarts_file"
    note "exited with status $rc after ${lived}s; restart $restarts in ${delay}s"
    # Interruptible: a SIGTERM during the pause stops the supervision at once.
    sleep "$delay" &
    wait $! || true
    if (( stopping )); then
        rm -f "$pidfile"
        exit 0
    fi
    delay=$(( delay * 2 > 30 ? 30 : delay * 2 ))
done
