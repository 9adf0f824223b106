# shellcheck shell=bash
# bin/lib/control.sh (sourced by bin/stack): the control verbs that integration tests and the failure drills call
# (TestStack.stack, loadtest's Stack), and the drills themselves. Quiet on success (QUIET=1), idempotent; the ones
# that change something hold the stack lock. One function per verb: cmd_<verb>, called by bin/stack's dispatch.
# shellcheck disable=SC2034  # QUIET is read by say (bin/lib/core.sh)

# ------------------------------------------------------------------------------------------------
# PostgreSQL nodes (pg-leader and pg-replica are pg_leader / pg_replica of bin/lib/pg.sh)
# ------------------------------------------------------------------------------------------------
# pg-stop / pg-kill return only once HAProxy sees the node DOWN on both listeners (wait_haproxy_down).
cmd_pg_stop() { valid_node "${1:-}"; QUIET=1; take_lock; pg_stop "$1"; wait_haproxy_down "$1"; }
cmd_pg_kill() { valid_node "${1:-}"; QUIET=1; take_lock; pg_kill "$1"; wait_haproxy_down "$1"; }
cmd_pg_start() { valid_node "${1:-}"; QUIET=1; take_lock; load_env; prepare_dirs; start_pg "$1"; }
cmd_pg_switchover() { QUIET=1; load_env; take_lock; pg_switchover; }
cmd_pg_wait_healthy() { QUIET=1; load_env; wait_cluster_healthy; }
cmd_pg_wait_leader() {
    QUIET=1; load_env
    wait_for "${1:-$WAIT_TIMEOUT}" "a leader behind the write port" write_port_on_leader; pg_leader
}

# A planned switchover to the running replica; returns when the cluster is healthy again.
pg_switchover() {
    local leader candidate out
    leader=$(pg_leader) || die "no leader"
    candidate=$(pg_replica) || die "no running replica to switch over to"
    wait_cluster_healthy 60
    out=$(curl -sS --max-time 60 -X POST -H 'Content-Type: application/json' \
        -d "{\"leader\": \"$leader\", \"candidate\": \"$candidate\"}" \
        -w '\n%{http_code}' "http://127.0.0.1:${PG_REST_PORT[$leader]}/switchover") || die "switchover request failed"
    # Patroni answers 503 "Switchover status unknown" when the new leader has not taken the lock within its
    # 10 s poll (a busy machine); the switchover is still under way then, so the wait below decides.
    case ${out##*$'\n'} in
        200) ;;
        503) [[ $out == *"status unknown"* ]] || die "switchover refused: ${out%$'\n'*}"
             say "switchover still under way after Patroni's poll; waiting for $candidate" ;;
        *)   die "switchover refused: ${out%$'\n'*}" ;;
    esac
    wait_for "$WAIT_TIMEOUT" "the write port to reach $candidate" write_port_reaches "$candidate"
    wait_cluster_healthy
    [[ $(pg_leader) == "$candidate" ]] || die "leader is $(pg_leader || echo none), expected $candidate"
}

# ------------------------------------------------------------------------------------------------
# Redis and RabbitMQ
# ------------------------------------------------------------------------------------------------
cmd_redis_stop() { QUIET=1; take_lock; stop_component redis 20 TERM; }
cmd_redis_kill() { QUIET=1; take_lock; stop_component redis 10 KILL; }
cmd_redis_cache_stop() { QUIET=1; take_lock; stop_component redis-cache 20 TERM; }
cmd_redis_cache_kill() { QUIET=1; take_lock; stop_component redis-cache 10 KILL; }
# Starts whichever of the two instances is not running.
cmd_redis_start() { QUIET=1; take_lock; load_env; prepare_dirs; start_redis; }
cmd_rabbitmq_stop() { QUIET=1; take_lock; load_env_if_present; stop_rabbitmq; }
cmd_rabbitmq_start() { QUIET=1; take_lock; load_env; prepare_dirs; start_rabbitmq; }

# ------------------------------------------------------------------------------------------------
# Service instances
# ------------------------------------------------------------------------------------------------
valid_instance() {
    [[ ${1:-} == auth || ${1:-} == users || ${1:-} == webhook ]] || die "expected a service: auth, users or webhook"
    [[ ${2:-} =~ ^[1-9]$ ]] || die "expected an instance number 1-9"
}

# instance-start: starts instance n (built jar, same settings), waits until it is ready and the gateway routes to it.
instance_start() {
    local svc=$1 n=$2
    start_service "$svc" "$n"
    wait_service_ready "$svc" "$n"
    if (( n == 1 )); then
        # Its own server in the backend, not just the gateway path: another instance may be answering that.
        wait_for 30 "HAProxy to see $svc/$svc UP" haproxy_server_up "$svc/$svc" || exit 1
    else
        gateway_add "$svc" "$n"
    fi
}

# instance-stop: takes instance n out of the gateway first (no request is cut), then stops it gracefully.
instance_stop() {
    local svc=$1 n=$2
    (( n == 1 )) || gateway_remove "$svc" "$n"
    stop_service "$(instance_name "$svc" "$n")"
}

cmd_instance_start() { valid_instance "${1:-}" "${2:-}"; QUIET=1; take_lock; load_env; prepare_dirs; instance_start "$1" "$2"; }
cmd_instance_stop() { valid_instance "${1:-}" "${2:-}"; QUIET=1; take_lock; instance_stop "$1" "$2"; }
# instance-kill: SIGKILL of the JVM, a crash: its supervisor starts it again (bin/lib/supervise.sh).
cmd_instance_kill() { valid_instance "${1:-}" "${2:-}"; QUIET=1; take_lock; stop_component "$(instance_name "$1" "$2")" 10 KILL; }

# ------------------------------------------------------------------------------------------------
# Failure drills
# ------------------------------------------------------------------------------------------------
# The failure drills (loadtest/.../Drill.java): under a constant mixed load through the gateway, one failure
# is caused with the control verbs above, what a user feels is measured, and the verdict is the exit code.
DRILLS=(failover switchover replica redis rabbitmq users-instance instances)
cmd_drill() {
    local name=${1:-} svc jar
    [[ $# -gt 0 ]] && shift
    [[ " ${DRILLS[*]} " == *" $name "* ]] || die "drill: name one of: ${DRILLS[*]}"
    load_env                                        # exports bin/stack.env: the drill reads credentials from it
    for svc in "${SERVICES[@]}"; do svc_ready "$svc" || die "drill: $svc is not ready (run bin/stack up first)"; done
    jar=$ROOT/loadtest/target/loadtest.jar
    [[ -f $jar ]] || die "drill: $jar not found (mvn -B -DskipTests package)"
    # No lock held: the drill calls bin/stack's control verbs, which take it.
    cd "$ROOT" && PAYSVC_REPO_ROOT=$ROOT exec "$(java_bin)" -Xms256m -Xmx1g -XX:+UseSerialGC -jar "$jar" drill "$name" "$@"
}
