# shellcheck shell=bash
# bin/lib/control.sh (sourced by bin/stack): the control verbs that integration tests and the failure drills call
# (quiet on success, idempotent), and the drills themselves.

valid_instance() {
    [[ ${1:-} == auth || ${1:-} == users || ${1:-} == webhook ]] || die "expected a service: auth, users or webhook"
    [[ ${2:-} =~ ^[1-9]$ ]] || die "expected an instance number 1-9"
}

# instance-start: starts instance n (built jar, same settings), waits until it is ready and the gateway routes to it.
cmd_instance_start() {
    local svc=$1 n=$2
    start_service "$svc" "$n"
    wait_service_ready "$svc" "$n"
    if (( n == 1 )); then
        # Its own server in the backend, not just the gateway path: another instance may be answering that.
        wait_for 30 "HAProxy to see $svc/$svc UP" eval '[[ $(haproxy_server_state "$svc/$svc") == UP ]]' || exit 1
    else
        gateway_add "$svc" "$n"
    fi
}

# instance-stop: takes instance n out of the gateway first (no request is cut), then stops it gracefully.
cmd_instance_stop() {
    local svc=$1 n=$2
    (( n == 1 )) || gateway_remove "$svc" "$n"
    stop_component "$(instance_name "$svc" "$n")" 30 TERM
}

cmd_pg_switchover() {
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
    wait_for "$WAIT_TIMEOUT" "the write port to reach $candidate" \
        eval '[[ $(node_behind_port "$PG_WRITE_PORT") == "$candidate" ]]'
    wait_cluster_healthy
    [[ $(pg_leader) == "$candidate" ]] || die "leader is $(pg_leader || echo none), expected $candidate"
}

# The failure drills (loadtest/.../Drill.java): under a constant mixed load through the gateway, one failure
# is caused with the control verbs below, what a user feels is measured, and the verdict is the exit code.
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
