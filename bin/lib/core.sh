# shellcheck shell=bash
# bin/lib/core.sh (sourced by bin/stack): paths, the topology, small helpers, pidfiles and liveness, clean
# environments and detached daemons, Debian packages, the state directory and the lock.
# Expects ROOT (the repository) to be set by the sourcing script.
# shellcheck disable=SC2034  # the globals of this file are read by the other bin/lib files and bin/stack

# ------------------------------------------------------------------------------------------------
# Paths and ports
# ------------------------------------------------------------------------------------------------
STATE_DIR=$ROOT/.stack
RUN_DIR=$STATE_DIR/run
LOG_DIR=$STATE_DIR/logs
PATRONI_SHARED_CFG=$ROOT/compose/patroni.yml
HAPROXY_CFG=$ROOT/haproxy.cfg
BOOTSTRAP_SQL=$ROOT/sql/bootstrap.sql
PG_BIN_DIR=/usr/lib/postgresql/15/bin
PY=/usr/bin/python3                       # Debian's python3 (a dependency of patroni), not a pyenv shim
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WAIT_TIMEOUT=${STACK_WAIT_TIMEOUT:-120}   # seconds, for cluster-level waits

# Ports, gateway prefixes and Redis databases: topology.env, the one definition (the services' defaults come from it
# too). Parsed, not sourced: KEY=value lines only. A key missing there stops bin/stack at once (set -u).
declare -A TOPOLOGY=()
read_topology() {
    local key value
    while IFS='=' read -r key value; do
        if [[ $key =~ ^[A-Z][A-Z0-9_]*$ ]]; then TOPOLOGY[$key]=$value; fi
    done <"$ROOT/topology.env"
}
read_topology
ETCD_PORT=${TOPOLOGY[ETCD_PORT]}
ETCD_PEER_PORT=${TOPOLOGY[ETCD_PEER_PORT]}
PG_NODES=(pg1 pg2)
declare -A PG_PORT=([pg1]=${TOPOLOGY[PG1_PORT]} [pg2]=${TOPOLOGY[PG2_PORT]})
declare -A PG_REST_PORT=([pg1]=${TOPOLOGY[PG1_REST_PORT]} [pg2]=${TOPOLOGY[PG2_REST_PORT]})
PG_WRITE_PORT=${TOPOLOGY[PG_WRITE_PORT]}
PG_READ_PORT=${TOPOLOGY[PG_READ_PORT]}
GATEWAY_PORT=${TOPOLOGY[GATEWAY_PORT]}
STATS_PORT=${TOPOLOGY[STATS_PORT]}
GATEWAY_SOURCE_ADDR=${TOPOLOGY[GATEWAY_SOURCE_ADDR]}
REDIS_PORT=${TOPOLOGY[REDIS_PORT]}
REDIS_CACHE_PORT=${TOPOLOGY[REDIS_CACHE_PORT]}
RABBITMQ_PORT=${TOPOLOGY[RABBITMQ_PORT]}
RABBITMQ_MGMT_PORT=${TOPOLOGY[RABBITMQ_MGMT_PORT]}
RABBITMQ_DIST_PORT=${TOPOLOGY[RABBITMQ_DIST_PORT]}
EPMD_PORT=${TOPOLOGY[EPMD_PORT]}
RABBITMQ_NODE=rabbit@localhost            # every rabbitmqctl call must use the same node name
SERVICES=(auth users webhook)
declare -A SVC_PORT=([auth]=${TOPOLOGY[AUTH_PORT]} [users]=${TOPOLOGY[USERS_PORT]} [webhook]=${TOPOLOGY[WEBHOOK_PORT]})
declare -A SVC_PREFIX=([auth]=${TOPOLOGY[AUTH_PREFIX]} [users]=${TOPOLOGY[USERS_PREFIX]} [webhook]=${TOPOLOGY[WEBHOOK_PREFIX]})   # gateway paths (haproxy.cfg)
declare -A SVC_REDIS_DB=([auth]=${TOPOLOGY[AUTH_REDIS_DB]} [users]=${TOPOLOGY[USERS_REDIS_DB]} [webhook]=${TOPOLOGY[WEBHOOK_REDIS_DB]})

# Debian packages the stack needs (jq only for the README walk-through). postgresql-15 is deliberately NOT in this list: its binaries are
# normally preinstalled and listing it would upgrade the server; it is only added when
# /usr/lib/postgresql/15/bin/postgres is missing altogether.
REQUIRED_PKGS=(redis-server rabbitmq-server haproxy etcd-server etcd-client patroni socat curl openssl jq)

# ------------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------------
QUIET=0
say()  { [[ $QUIET == 1 ]] || printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: warning: %s\n' "$*" >&2; }
die()  { printf 'stack: error: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
elapsed() { local ms=$(( $(now_ms) - $1 )); printf '%d.%01ds' $((ms / 1000)) $(((ms % 1000) / 100)); }

require_root() { [[ $(id -u) == 0 ]] || die "run as root (PostgreSQL, Redis, etcd and RabbitMQ are started as their own users)"; }

# wait_for TIMEOUT_S DESCRIPTION CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
    local timeout=$1 desc=$2; shift 2
    local deadline=$(( $(date +%s) + timeout ))
    until "$@"; do
        if (( $(date +%s) >= deadline )); then
            printf 'stack: timeout after %ss waiting for %s\n' "$timeout" "$desc" >&2
            return 1
        fi
        sleep 0.2
    done
}

# wait_component NAME TIMEOUT_S DESCRIPTION CMD...: like wait_for, but gives up at once (with the tail
# of the component's log) when the component's process has died.
wait_component() {
    local name=$1 timeout=$2 desc=$3; shift 3
    local deadline=$(( $(date +%s) + timeout ))
    until "$@"; do
        if spawned_gone "$name"; then
            printf 'stack: %s exited while waiting for %s; last lines of %s:\n' "$name" "$desc" "$LOG_DIR/$name.log" >&2
            tail -n 30 "$LOG_DIR/$name.log" >&2 || true
            return 1
        fi
        if (( $(date +%s) >= deadline )); then
            printf 'stack: timeout after %ss waiting for %s; last lines of %s:\n' "$timeout" "$desc" "$LOG_DIR/$name.log" >&2
            tail -n 30 "$LOG_DIR/$name.log" >&2 || true
            return 1
        fi
        sleep 0.2
    done
}

# render_template FILE NAME=value...: FILE's text with every ${NAME} replaced by its value, inserted literally and in one
# pass (a '$', '&' or '${...}' inside a password stays as it is). A placeholder without a value is an error, so a
# template and its caller cannot drift apart silently. Values are arguments of a shell function, never of a process:
# nothing shows on a command line.
render_template() {
    local file=$1 text out="" kv name value found
    shift
    text=$(<"$file") || die "cannot read the template $file"
    while [[ $text =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
        name=${BASH_REMATCH[1]} found=0
        for kv in "$@"; do
            if [[ ${kv%%=*} == "$name" ]]; then value=${kv#*=} found=1; break; fi
        done
        (( found )) || die "$file: no value for \${$name}"
        out+=${text%%"${BASH_REMATCH[0]}"*}$value
        text=${text#*"${BASH_REMATCH[0]}"}
    done
    printf '%s\n' "$out$text"
}

# Is anything listening on 127.0.0.1/0.0.0.0:PORT (TCP)?
port_listening() { [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]; }

require_port_free() {
    local port=$1 what=$2
    if port_listening "$port"; then
        die "port $port (needed by $what) is already in use by a process this script did not start:
$(ss -Hltnp "sport = :$port" 2>/dev/null | sed 's/^/    /')
Stop it (e.g. a system-wide service) or run 'bin/stack down' if it is a leftover of another checkout."
    fi
}

# Single process state letter from /proc (R, S, Z, ...); fails if the process does not exist.
proc_state() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; printf '%s' "${s%% *}"; }
pid_gone() { local st; st=$(proc_state "$1") || return 0; [[ $st == Z || $st == X ]]; }
pid_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# ------------------------------------------------------------------------------------------------
# Pidfiles and liveness
# ------------------------------------------------------------------------------------------------
read_pid() {
    local f=$RUN_DIR/$1.pid p
    [[ -s $f ]] || return 1
    read -r p <"$f" || true
    [[ $p =~ ^[0-9]+$ ]] || return 1
    printf '%s' "$p"
}

# Text that must appear in the command line of a component's process (protects against pid reuse).
proc_pattern() {
    case $1 in
        etcd) echo "etcd --name paysvc-etcd" ;;
        pg1|pg2) echo "patroni $(pg_root)/$1.yml" ;;
        haproxy) echo "haproxy -db -f $(haproxy_dir)/haproxy.cfg" ;;
        redis|redis-cache) echo "redis-server" ;;
        rabbitmq) echo "rabbitmq-server" ;;
        epmd) echo "epmd -address 127.0.0.1" ;;
        auth|users|webhook) echo "/services/jars/$1-" ;;
        *-supervisor) echo "bin/lib/supervise.sh $RUN_DIR/${1%-supervisor}.pid" ;;
        auth[2-9]|users[2-9]|webhook[2-9]) echo "/services/jars/${1%[2-9]}-" ;;
        *) echo "//no-such-component//" ;;
    esac
}

# The spawned process died: its pid is gone or a zombie. Not '! alive': right after spawn the pid still runs
# the exec chain (setsid, nohup, env, setpriv) whose command line is not yet the component's.
spawned_gone() { local pid; pid=$(read_pid "$1") || return 0; pid_gone "$pid"; }

alive() {
    local pid st
    pid=$(read_pid "$1") || return 1
    st=$(proc_state "$pid") || return 1
    [[ $st != Z && $st != X ]] || return 1
    [[ $(pid_cmdline "$pid") == *"$(proc_pattern "$1")"* ]]
}

# stop_component NAME [TIMEOUT_S] [SIGNAL]: signal the process of the pidfile, wait, SIGKILL if needed.
stop_component() {
    local name=$1 timeout=${2:-30} sig=${3:-TERM} pid
    if ! alive "$name"; then rm -f "$RUN_DIR/$name.pid"; return 0; fi
    pid=$(read_pid "$name")
    kill -s "$sig" "$pid" 2>/dev/null || true
    if ! wait_for "$timeout" "$name (pid $pid) to exit" pid_gone "$pid" 2>/dev/null; then
        warn "$name (pid $pid) did not exit within ${timeout}s after SIG$sig; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_for 10 "$name (pid $pid) to die" pid_gone "$pid" || true
    fi
    rm -f "$RUN_DIR/$name.pid"
}

# Drops every variable the shell inherited (run inside a subshell): a child gets only what is exported after it.
clean_env() {
    local v
    while read -r v; do unset "$v" 2>/dev/null || true; done < <(compgen -e)
}

# exec_with_env [VAR=value ...] -- CMD...: replaces the current shell (call it in a subshell) with CMD, whose environment
# is exactly PATH, the locale, TZ and the given variables. They are exported by the shell itself (a builtin): a value
# never appears on a command line, where any local user could read it in /proc/<pid>/cmdline (env -i VAR=secret did
# that for as long as env ran).
exec_with_env() {
    local -a envs=()
    local tz=${TZ:-UTC} kv
    while [[ $# -gt 0 && $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    clean_env
    export PATH="$SYS_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ="$tz"
    for kv in "${envs[@]}"; do export "${kv?}"; done
    exec "$@"
}
# with_env: the same in a subshell, for commands that return.
with_env() { (exec_with_env "$@"); }

# spawn NAME USER CWD [VAR=value ...] -- CMD...: start a daemon detached, record its pid.
# The environment is exactly the given variables (exec_with_env); setpriv (which execs, unlike su/runuser) switches user,
# so $! is the daemon's own pid. fd 9 (the stack lock) is closed so that daemons never hold it. The log is 0640:
# root writes it (the daemon inherits the open file), root and its group read it.
spawn() {
    local name=$1 user=$2 cwd=$3; shift 3
    local -a envs=() priv=()
    while [[ $# -gt 0 && $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    [[ $user == root ]] || priv=(setpriv "--reuid=$user" "--regid=$user" --init-groups)
    local log=$LOG_DIR/$name.log
    (umask 027; : >>"$log")
    chmod 640 "$log"
    printf '\n===== %s  bin/stack: starting %s =====\n' "$(date '+%F %T')" "$name" >>"$log"
    (cd "$cwd" && exec_with_env "${envs[@]}" -- setsid nohup "${priv[@]}" "$@" </dev/null >>"$log" 2>&1 9>&-) &
    echo $! >"$RUN_DIR/$name.pid"
}

# ------------------------------------------------------------------------------------------------
# Debian packages, the state directory, the lock
# ------------------------------------------------------------------------------------------------
ensure_packages() {
    local -a missing=()
    local p
    for p in "${REQUIRED_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [[ -x $PG_BIN_DIR/postgres ]] || missing+=(postgresql-15)
    command -v psql >/dev/null || missing+=(postgresql-client-15)
    [[ -x $PY ]] || missing+=(python3)
    (( ${#missing[@]} == 0 )) && return 0
    apt_install "${missing[@]}"
}

# apt_install PKG...: installs Debian packages (as root), quietly; the output goes to .stack/logs/apt.log, its tail to
# stderr when apt-get fails. Also used by .ci/run (shellcheck).
apt_install() {
    say "installing missing Debian packages: $*"
    # Debian starts daemons right after installing them (when an init system allows it); they would
    # grab our ports. A temporary policy-rc.d forbids that (exit 101 = action forbidden).
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; created_policy=1
    fi
    local rc=0
    {
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
            --no-install-recommends "$@"
    } >"$LOG_DIR/apt.log" 2>&1 || rc=$?
    [[ $created_policy == 1 ]] && rm -f "$policy"
    if [[ $rc != 0 ]]; then
        tail -n 20 "$LOG_DIR/apt.log" >&2
        die "apt-get failed (full log: $LOG_DIR/apt.log)"
    fi
}

# The data directories must be reachable by the daemon users (postgres, etcd, redis, rabbitmq):
# PostgreSQL refuses to run as root, and setpriv'ed daemons need search permission on every path
# component above their data dir. If the repo lives somewhere they cannot traverse (a clone under
# /root, mode 0700), the data goes to /var/lib/paysvc/<sha1 of the repo path>/ instead. The choice is
# recorded in .stack/dataroot so that down, status and --purge find it again.
resolve_data_root() {
    if [[ -s $STATE_DIR/dataroot ]]; then
        DATA_ROOT=$(<"$STATE_DIR/dataroot")
        return 0
    fi
    DATA_ROOT=$STATE_DIR/data
    local u
    for u in postgres etcd redis rabbitmq; do
        if ! setpriv "--reuid=$u" "--regid=$u" --init-groups test -x "$STATE_DIR" 2>/dev/null; then
            DATA_ROOT=/var/lib/paysvc/$(printf '%s' "$ROOT" | sha1sum | cut -c1-40)
            say "$STATE_DIR is not reachable by user $u; keeping data in $DATA_ROOT"
            break
        fi
    done
    printf '%s\n' "$DATA_ROOT" >"$STATE_DIR/dataroot"
}

# Read-only variant for verbs that must not create anything.
data_root() {
    if [[ -z ${DATA_ROOT:-} ]]; then
        if [[ -s $STATE_DIR/dataroot ]]; then DATA_ROOT=$(<"$STATE_DIR/dataroot"); else DATA_ROOT=$STATE_DIR/data; fi
    fi
    printf '%s' "$DATA_ROOT"
}

prepare_dirs() {
    mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR"
    chmod 755 "$STATE_DIR"
    chmod 700 "$RUN_DIR"
    # Logs may hold request ids, user ids and e-mail addresses: root and its group only.
    chmod 750 "$LOG_DIR"
    find "$LOG_DIR" -maxdepth 1 -type f -exec chmod 640 {} +
    resolve_data_root
    install -d -m 755 "$DATA_ROOT"
}

# Mutating verbs take an exclusive lock so that two invocations (e.g. a test run and a developer's
# 'bin/stack infra') do not start components twice.
take_lock() {
    mkdir -p "$RUN_DIR"
    exec 9>"$RUN_DIR/lock"
    flock -w 600 9 || die "another bin/stack is still running (lock $RUN_DIR/lock)"
}
