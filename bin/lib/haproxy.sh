# shellcheck shell=bash
# bin/lib/haproxy.sh (sourced by bin/stack): HAProxy (Postgres write/read ports, the HTTP gateway, stats), its
# runtime API, and the gateway's extra service instances.

# HAProxy runs as the haproxy user (Debian's package makes it): its config copy and its runtime socket live in a
# directory of its own. The socket path must fit in sockaddr_un (108 bytes); /run for deep data roots.
haproxy_dir() { printf '%s/haproxy' "$(data_root)"; }
haproxy_sock() {
    local s
    s=$(haproxy_dir)/haproxy.sock
    (( ${#s} <= 100 )) || s=/run/paysvc-haproxy-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)/haproxy.sock
    printf '%s' "$s"
}

haproxy_env() {
    HAP_ENV=(
        HAPROXY_BIND=127.0.0.1
        HAPROXY_SOURCE="$GATEWAY_SOURCE_ADDR"
        HAPROXY_STATS_SOCKET="$(haproxy_sock)"
        HAPROXY_DNS=127.0.0.11:53
        PG1_ADDR="127.0.0.1:${PG_PORT[pg1]}"   PG1_CHECK_PORT="${PG_REST_PORT[pg1]}"
        PG2_ADDR="127.0.0.1:${PG_PORT[pg2]}"   PG2_CHECK_PORT="${PG_REST_PORT[pg2]}"
        AUTH_ADDR="127.0.0.1:${SVC_PORT[auth]}"
        USERS_ADDR="127.0.0.1:${SVC_PORT[users]}"
        WEBHOOK_ADDR="127.0.0.1:${SVC_PORT[webhook]}"
        HAPROXY_STATS_USER=admin HAPROXY_STATS_PASSWORD="$HAPROXY_STATS_PASSWORD"
    )
}

# "proxy/server status" lines from the runtime API (status: UP, DOWN, "UP 1/2", MAINT, no check ...).
haproxy_states() {
    echo "show stat" | socat -T 2 - "UNIX-CONNECT:$(haproxy_sock)" 2>/dev/null |
        awk -F, '$1 !~ /^#/ && $2 != "FRONTEND" && $2 != "BACKEND" && NF > 18 { print $1 "/" $2 " " $18 }'
}

# Right after start every server counts as UP until its first checks; wait until exactly one write
# server is UP and the other one is really DOWN.
haproxy_write_settled() {
    local states up=0 down=0 n s
    states=$(haproxy_states) || return 1
    for n in "${PG_NODES[@]}"; do
        s=$(awk -v k="pg_write/$n" '$1 == k { $1 = ""; sub(/^ /, ""); print }' <<<"$states")
        [[ $s == UP ]] && up=$((up + 1))
        [[ $s == DOWN ]] && down=$((down + 1))
    done
    (( up == 1 && down == 1 ))
}

start_haproxy() {
    alive haproxy && return 0
    local p
    for p in "$PG_WRITE_PORT" "$PG_READ_PORT" "$GATEWAY_PORT" "$STATS_PORT"; do require_port_free "$p" haproxy; done
    haproxy_env
    local out dir cfg
    # Not root: the listeners are above 1024, and the config is a copy it may read (the checkout may be out of its reach).
    dir=$(haproxy_dir)
    cfg=$dir/haproxy.cfg
    install -d -o haproxy -g haproxy -m 750 "$dir" "$(dirname "$(haproxy_sock)")"
    install -m 640 -o root -g haproxy "$HAPROXY_CFG" "$cfg"
    out=$(with_env "${HAP_ENV[@]}" -- setpriv --reuid=haproxy --regid=haproxy --init-groups haproxy -c -q -f "$cfg" 2>&1) ||
        die "haproxy.cfg is invalid: $out"
    rm -f "$(haproxy_sock)"
    spawn haproxy haproxy "$dir" "${HAP_ENV[@]}" -- haproxy -db -f "$cfg"
    wait_component haproxy 30 "HAProxy: exactly one write server UP" haproxy_write_settled
}

# After a node stops, HAProxy needs two failed checks (~1-1.5 s) to mark it DOWN; until then new
# connections could still be sent to it. pg-stop / pg-kill return only once both listeners see it DOWN.
haproxy_sees_down() {
    local states
    states=$(haproxy_states) || return 1
    grep -Eq "^pg_write/$1 (DOWN|MAINT)" <<<"$states" && grep -Eq "^pg_read/$1 (DOWN|MAINT)" <<<"$states"
}
wait_haproxy_down() {
    alive haproxy || return 0
    wait_for 15 "HAProxy to mark $1 DOWN" haproxy_sees_down "$1" || true
}

# Extra instances join the gateway's backend at run time through HAProxy's runtime API (a dynamic server: the
# backend's httpchk applies; default-server settings do not, so the check timings are spelled out as in
# haproxy.cfg). Instance 1 is in haproxy.cfg itself.
haproxy_cmd() { printf '%s\n' "$1" | socat -T 2 - "UNIX-CONNECT:$(haproxy_sock)"; }
haproxy_server_state() { haproxy_states | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }
haproxy_server_up() { [[ $(haproxy_server_state "$1") == UP ]]; }
gateway_add() {
    local svc=$1 n=$2 comp out
    comp=$(instance_name "$svc" "$n")
    if [[ -z $(haproxy_server_state "$svc/$comp") ]]; then
        out=$(haproxy_cmd "add server $svc/$comp 127.0.0.1:$(instance_port "$svc" "$n") check inter 2s fastinter 1s downinter 2s fall 2 rise 1 slowstart 5s")
        [[ $out == *"New server registered"* ]] || die "HAProxy refused 'add server $svc/$comp': $out"
    fi
    haproxy_cmd "enable health $svc/$comp" >/dev/null
    haproxy_cmd "enable server $svc/$comp" >/dev/null
    wait_for 30 "HAProxy to see $svc/$comp UP" haproxy_server_up "$svc/$comp" || exit 1
}
# Current sessions of one server (column scur of 'show stat').
haproxy_server_sessions() {
    echo "show stat" | socat -T 2 - "UNIX-CONNECT:$(haproxy_sock)" 2>/dev/null |
        awk -F, -v b="$1" -v s="$2" '$1 == b && $2 == s { print $5 }'
}
haproxy_server_idle() { [[ $(haproxy_server_sessions "$1" "$2") == 0 ]]; }
# Drain first (no new requests, the running ones finish), then remove: nobody's request is cut.
gateway_remove() {
    local svc=$1 n=$2 comp
    comp=$(instance_name "$svc" "$n")
    [[ -n $(haproxy_server_state "$svc/$comp") ]] || return 0
    haproxy_cmd "set server $svc/$comp state drain" >/dev/null
    wait_for 15 "$svc/$comp to finish its requests" haproxy_server_idle "$svc" "$comp" || true
    haproxy_cmd "set server $svc/$comp state maint" >/dev/null
    haproxy_cmd "shutdown sessions server $svc/$comp" >/dev/null
    haproxy_cmd "del server $svc/$comp" >/dev/null
}
