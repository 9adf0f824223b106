# shellcheck shell=bash
# bin/lib/pg.sh (sourced by bin/stack): the two PostgreSQL nodes under Patroni, and the cluster-level steps
# (bootstrap SQL, DCS configuration, health of the whole cluster).

# Fixed Postgres role names used by Patroni (passwords in bin/stack.env).
PG_REPLICATION_USER=replicator
PG_REWIND_USER=rewind_user

pg_root() { printf '%s/pg' "$(data_root)"; }
pg_data_dir() { printf '%s/%s' "$(pg_root)" "$1"; }

# Per-node settings, passed as Patroni's own PATRONI_* variables (merged over compose/patroni.yml).
pg_env() {
    local node=$1 root
    root=$(pg_root)
    PG_ENV=(
        HOME="$root"
        PATRONI_NAME="$node"
        PATRONI_RESTAPI_LISTEN="127.0.0.1:${PG_REST_PORT[$node]}"
        PATRONI_RESTAPI_CONNECT_ADDRESS="127.0.0.1:${PG_REST_PORT[$node]}"
        PATRONI_POSTGRESQL_LISTEN="127.0.0.1:${PG_PORT[$node]}"
        PATRONI_POSTGRESQL_CONNECT_ADDRESS="127.0.0.1:${PG_PORT[$node]}"
        PATRONI_POSTGRESQL_DATA_DIR="$root/$node"
        PATRONI_POSTGRESQL_BIN_DIR="$PG_BIN_DIR"
        PATRONI_POSTGRESQL_PGPASS="$root/pgpass-$node"
        PATRONI_ETCD3_HOSTS="127.0.0.1:$ETCD_PORT"
        PATRONI_SUPERUSER_USERNAME="$PG_SUPERUSER"
        PATRONI_SUPERUSER_PASSWORD="$PG_SUPERUSER_PASSWORD"
        PATRONI_REPLICATION_USERNAME="$PG_REPLICATION_USER"
        PATRONI_REPLICATION_PASSWORD="$PG_REPLICATION_PASSWORD"
        PATRONI_REWIND_USERNAME="$PG_REWIND_USER"
        PATRONI_REWIND_PASSWORD="$PG_REWIND_PASSWORD"
    )
}

valid_node() { [[ ${1:-} == pg1 || ${1:-} == pg2 ]] || die "expected a node name: pg1 or pg2"; }

# PID of the node's postmaster (from postmaster.pid), if that process is really its postgres.
postmaster_pid() {
    local dir pid
    dir=$(pg_data_dir "$1")
    [[ -r $dir/postmaster.pid ]] || return 1
    read -r pid <"$dir/postmaster.pid" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    pid_gone "$pid" && return 1
    [[ $(pid_cmdline "$pid") == *postgres*"$dir"* ]] || return 1
    printf '%s' "$pid"
}

# PID of the node's postmaster: from postmaster.pid, else the process started with '-D <its data dir>'.
node_postmaster() {
    postmaster_pid "$1" && return 0
    # pgrep takes a regex: escape the path's metacharacters (a '.' in the state dir would match any char).
    pgrep -o -f -- "postgres -D $(pg_data_dir "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g') " || return 1
}

# A postmaster.pid left by a crash whose pid now belongs to another process makes postgres refuse to
# start ("lock file already exists"); remove it when no postgres of this node runs.
clean_stale_postmaster_pid() {
    local dir
    dir=$(pg_data_dir "$1")
    [[ -e $dir/postmaster.pid ]] || return 0
    postmaster_pid "$1" >/dev/null && return 0
    rm -f "$dir/postmaster.pid"
}

rest_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:${PG_REST_PORT[$1]}/$2" 2>/dev/null || true; }
rest_answers() { [[ $(rest_code "$1" health) != 000 ]]; }
is_primary() { [[ $(rest_code "$1" primary) == 200 ]]; }
is_replica() { [[ $(rest_code "$1" replica) == 200 ]]; }

start_pg() {
    local node=$1 root
    alive "$node" && return 0
    # Patroni died (crash, SIGKILL) but its postgres lives on: stop that orphan (it is ours: postmaster.pid in
    # the node's data dir) so that Patroni starts it again under its control.
    if node_postmaster "$node" >/dev/null; then pg_stop "$node"; fi
    require_port_free "${PG_PORT[$node]}" "PostgreSQL $node"
    require_port_free "${PG_REST_PORT[$node]}" "Patroni REST API of $node"
    root=$(pg_root)
    install -d -o postgres -g postgres -m 700 "$root"
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    # One copy of the shared file per node (identical content) so that each node's command line is
    # unique, which is how the liveness check recognises the process.
    install -o postgres -g postgres -m 600 "$PATRONI_SHARED_CFG" "$root/$node.yml"
    clean_stale_postmaster_pid "$node"
    pg_env "$node"
    spawn "$node" postgres "$root" "${PG_ENV[@]}" -- patroni "$root/$node.yml"
    wait_component "$node" 60 "the Patroni REST API of $node" rest_answers "$node"
}

# Graceful: SIGTERM makes Patroni shut its postgres down (fast mode), release the leader key, and exit.
pg_stop() {
    local node=$1 pm grace=20
    alive "$node" || grace=0        # no Patroni to stop it: go straight to pg_ctl
    stop_component "$node" 90 TERM
    # Looked up after Patroni exited: a postgres Patroni was still starting (bootstrap) may have had no
    # postmaster.pid yet, and would otherwise outlive it (and a 'down --purge' would delete its data dir).
    pm=$(node_postmaster "$node" || true)
    if [[ -n $pm ]] && ! pid_gone "$pm"; then
        if ! wait_for "$grace" "postmaster of $node to exit" pid_gone "$pm" 2>/dev/null; then
            warn "postmaster of $node (pid $pm) still running after Patroni exited; stopping it"
            # SIGINT = pg_ctl's fast shutdown, sent directly: pg_ctl needs a postmaster.pid, which a postgres
            # that was still starting may not have written yet.
            kill -INT "$pm" 2>/dev/null || true
            wait_for 20 "postmaster of $node to shut down" pid_gone "$pm" 2>/dev/null || kill -KILL "$pm" 2>/dev/null || true
            wait_for 10 "postmaster of $node to die" pid_gone "$pm" || true
        fi
    fi
}

# Hard crash of a node: SIGKILL Patroni, its postmaster and every postgres process of that node at once.
pg_kill() {
    local node=$1 pid pm
    local -a victims=() children=()
    pid=$(read_pid "$node" 2>/dev/null || true)
    if [[ -n $pid ]] && alive "$node"; then mapfile -t children < <(pgrep -P "$pid" || true); victims+=("$pid" "${children[@]}"); fi
    pm=$(node_postmaster "$node" || true)
    if [[ -n $pm ]]; then mapfile -t children < <(pgrep -P "$pm" || true); victims+=("$pm" "${children[@]}"); fi
    (( ${#victims[@]} )) || { rm -f "$RUN_DIR/$node.pid"; return 0; }
    kill -KILL "${victims[@]}" 2>/dev/null || true
    local v
    for v in "${victims[@]}"; do wait_for 10 "pid $v to die" pid_gone "$v" || true; done
    rm -f "$RUN_DIR/$node.pid"
}

pg_leader() { local n; for n in "${PG_NODES[@]}"; do if is_primary "$n"; then echo "$n"; return 0; fi; done; return 1; }
pg_replica() { local n; for n in "${PG_NODES[@]}"; do if is_replica "$n"; then echo "$n"; return 0; fi; done; return 1; }
leader_exists() { pg_leader >/dev/null; }

# A cluster left in maintenance mode (a test or drill that paused it was killed) never starts Postgres again:
# resume it. The flag lives in etcd, so it outlives every process.
patroni_api_answers() { curl -sS --max-time 1 "http://127.0.0.1:${PG_REST_PORT[pg1]}/patroni" >/dev/null 2>&1; }
resume_if_paused() {
    wait_for 30 "Patroni's REST API" patroni_api_answers || return 0
    if curl -sS --max-time 2 "http://127.0.0.1:${PG_REST_PORT[pg1]}/patroni" | grep -q '"pause": *true'; then
        say "Patroni was left in maintenance mode (an interrupted test or drill): resuming"
        pg_env pg1
        with_env "${PG_ENV[@]}" -- patronictl -c "$(pg_root)/pg1.yml" resume --wait >/dev/null
    fi
}

# psql as the superuser through a port (5432 write, 5433 read, or a node's own port).
psql_su() {
    local port=$1; shift
    PGPASSWORD=$PG_SUPERUSER_PASSWORD PGCONNECT_TIMEOUT=2 psql -X -q -At -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres "$@"
}

# Which node answers on a port (nodes are told apart by their own port numbers).
node_behind_port() {
    local p n
    p=$(psql_su "$1" -c 'select inet_server_port()' 2>/dev/null) || return 1
    for n in "${PG_NODES[@]}"; do [[ $p == "${PG_PORT[$n]}" ]] && { echo "$n"; return 0; }; done
    return 1
}

write_port_on_leader() {
    local l w
    l=$(pg_leader) || return 1
    w=$(node_behind_port "$PG_WRITE_PORT") || return 1
    [[ $l == "$w" ]] && [[ $(psql_su "$PG_WRITE_PORT" -c 'select pg_is_in_recovery()' 2>/dev/null) == f ]]
}
read_port_answers() { node_behind_port "$PG_READ_PORT" >/dev/null; }
write_port_reaches() { [[ $(node_behind_port "$PG_WRITE_PORT") == "$1" ]]; }

# ------------------------------------------------------------------------------------------------
# Cluster-level steps
# ------------------------------------------------------------------------------------------------
run_bootstrap_sql() {
    # Passwords go through the environment (psql \getenv in the script), not the command line.
    AUTH_DB_PASSWORD=$AUTH_DB_PASSWORD USERS_DB_PASSWORD=$USERS_DB_PASSWORD WEBHOOK_DB_PASSWORD=$WEBHOOK_DB_PASSWORD \
        psql_su "$PG_WRITE_PORT" -f "$BOOTSTRAP_SQL" >/dev/null
}

# The failure-detection timings (ttl, loop_wait, retry_timeout), postgresql.parameters and synchronous_mode
# live in the DCS:
# bootstrap.dcs of compose/patroni.yml only seeds them when a cluster is created. Apply them to the running
# cluster when they differ, so that a cluster made by an older checkout gets today's timings too.
# synchronous_mode: true with 'up --sync' / 'infra --sync' or PG_SYNCHRONOUS_MODE=true, else false.
SYNC_FLAG=0
apply_dcs_config() {
    local want=false leader patch
    case ${PG_SYNCHRONOUS_MODE:-false} in true|on|1|yes) want=true ;; esac
    (( SYNC_FLAG )) && want=true
    leader=$(pg_leader) || return 0
    patch=$(curl -fsS --max-time 2 "http://127.0.0.1:${PG_REST_PORT[$leader]}/config" 2>/dev/null |
        "$PY" -c '
import json, sys, yaml
cur = json.load(sys.stdin)
want = yaml.safe_load(open(sys.argv[1]))["bootstrap"]["dcs"]
patch = {k: want[k] for k in ("ttl", "loop_wait", "retry_timeout") if cur.get(k) != want[k]}
wp = want.get("postgresql", {}).get("parameters", {})
cp = cur.get("postgresql", {}).get("parameters", {})
params = {k: v for k, v in wp.items() if str(cp.get(k)) != str(v)}
if params:
    patch["postgresql"] = {"parameters": params}
sync = sys.argv[2] == "true"
if bool(cur.get("synchronous_mode", False)) != sync:
    patch["synchronous_mode"] = sync
print(json.dumps(patch) if patch else "")
' "$PATRONI_SHARED_CFG" "$want") || { warn "cannot read Patroni's configuration"; return 0; }
    [[ -n $patch ]] || return 0
    say "Patroni: applying $patch"
    curl -fsS --max-time 5 -X PATCH -H 'Content-Type: application/json' \
        -d "$patch" "http://127.0.0.1:${PG_REST_PORT[$leader]}/config" >/dev/null
}

sync_mode_on() {
    local leader
    leader=$(pg_leader) || return 1
    [[ $(curl -fsS --max-time 2 "http://127.0.0.1:${PG_REST_PORT[$leader]}/config" 2>/dev/null |
         "$PY" -c 'import json,sys; print(str(json.load(sys.stdin).get("synchronous_mode", False)).lower())' 2>/dev/null) == true ]]
}

# One leader, one replica streaming from it, the write port on the leader, the read port on the
# replica, and HAProxy's view of both listeners agreeing.
cluster_healthy() {
    local leader replica states
    leader=$(pg_leader) || return 1
    replica=$(pg_replica) || return 1
    [[ $leader != "$replica" ]] || return 1
    [[ $(node_behind_port "$PG_WRITE_PORT") == "$leader" ]] || return 1
    [[ $(psql_su "$PG_WRITE_PORT" -c \
        "select count(*) from pg_stat_replication where state = 'streaming' and application_name = '$replica'" 2>/dev/null) == 1 ]] || return 1
    states=$(haproxy_states) || return 1
    grep -qx "pg_write/$leader UP" <<<"$states" || return 1
    grep -qx "pg_write/$replica DOWN" <<<"$states" || return 1
    grep -qx "pg_read/$replica UP" <<<"$states" || return 1
    grep -qx "pg_read/$leader DOWN" <<<"$states" || return 1
    [[ $(node_behind_port "$PG_READ_PORT") == "$replica" ]]
}

wait_cluster_healthy() {
    if ! wait_for "${1:-$WAIT_TIMEOUT}" "one leader + one streaming replica behind HAProxy" cluster_healthy; then
        status_pg_lines >&2 || true
        printf 'HAProxy: %s\n' "$(haproxy_states | grep '^pg_' | tr '\n' ' ')" >&2
        return 1
    fi
}

status_pg_lines() {
    local json
    json=$(for n in "${PG_NODES[@]}"; do
               curl -fsS --max-time 1 "http://127.0.0.1:${PG_REST_PORT[$n]}/cluster" 2>/dev/null && break
           done) || true
    local n pid st role
    for n in "${PG_NODES[@]}"; do
        if alive "$n"; then st=running; pid=$(read_pid "$n"); else st=stopped; pid=-; fi
        role=$(printf '%s' "$json" | "$PY" -c '
import json, sys
try:
    d = json.load(sys.stdin)
except Exception:
    sys.exit(0)
for m in d.get("members", []):
    if m.get("name") == sys.argv[1]:
        lag = m.get("lag")
        extra = "" if lag is None else ", lag %s" % lag
        print("%s (%s%s)" % (m.get("role"), m.get("state"), extra))
' "$n" 2>/dev/null || true)
        printf '%-9s %-8s pid %-8s port %-5s  REST %s  %s\n' "$n" "$st" "$pid" "${PG_PORT[$n]}" \
            "${PG_REST_PORT[$n]}" "${role:-not in cluster}"
    done
}

# patronictl with the cluster's settings (the verb; e.g. 'bin/stack patronictl list').
cmd_patronictl() {
    load_env; pg_env pg1
    exec_with_env "${PG_ENV[@]}" -- patronictl -c "$(pg_root)/pg1.yml" "$@"
}
