# shellcheck shell=bash
# bin/lib/rabbitmq.sh (sourced by bin/stack): RabbitMQ (+ epmd). Runs as user rabbitmq with its own HOME (Erlang
# cookie), config, mnesia and plugin files under the data root; all logs on stdout -> .stack/logs/rabbitmq.log.

rabbit_dir() { printf '%s/rabbitmq' "$(data_root)"; }
rabbit_env() {
    local d
    d=$(rabbit_dir)
    RMQ_ENV=(
        HOME="$d"
        RABBITMQ_NODENAME="$RABBITMQ_NODE"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="$RABBITMQ_PORT"
        RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT"
        ERL_EPMD_ADDRESS=127.0.0.1
        ERL_EPMD_PORT="$EPMD_PORT"
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf"
        RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config"
        RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf"
        RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins"
        RABBITMQ_MNESIA_BASE="$d/mnesia"
        RABBITMQ_LOG_BASE="$d/log"
        RABBITMQ_LOGS=-
        RABBITMQ_PID_FILE="$d/rabbitmq.pid"
    )
}

rmqctl() {
    rabbit_env
    # Bounded: a CLI call must never hang bin/stack (e.g. against a broker that is still booting).
    (cd "$(rabbit_dir)" && with_env "${RMQ_ENV[@]}" -- timeout -k 5 60 \
        setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
        /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODE" "$@" 9>&-)
}

# curl reads the credentials as config from stdin ('curl -K -'): on the command line ps would show them.
# Inside curl's double quotes a backslash escapes the next character: escape backslashes and quotes.
rabbit_curl_auth() {
    local creds="${RABBITMQ_USER:-}:${RABBITMQ_PASSWORD:-}"
    creds=${creds//\\/\\\\}
    creds=${creds//\"/\\\"}
    printf 'user = "%s"\n' "$creds"
}
rabbit_api_code() {
    rabbit_curl_auth | curl -K - -s -o /dev/null -w '%{http_code}' --max-time 2 \
        "http://127.0.0.1:$RABBITMQ_MGMT_PORT/api/whoami" 2>/dev/null || true
}
rabbit_api_ok() { [[ $(rabbit_api_code) == 200 ]]; }
rabbit_up() { [[ $(rabbit_api_code) != 000 ]] && port_listening "$RABBITMQ_PORT"; }

# Spawn only (RabbitMQ takes ~10 s to boot; infra starts it first and waits for it at the end).
spawn_rabbitmq() {
    alive rabbitmq && return 0
    require_port_free "$RABBITMQ_PORT" rabbitmq
    require_port_free "$RABBITMQ_MGMT_PORT" "rabbitmq management"
    require_port_free "$RABBITMQ_DIST_PORT" "rabbitmq distribution"
    local d
    d=$(rabbit_dir)
    install -d -o rabbitmq -g rabbitmq -m 700 "$d" "$d/mnesia" "$d/log"
    # default_user/default_pass only take effect on the first boot (empty database): the user is then
    # created as administrator with full permissions on "/" and no guest user exists.
    (umask 077; render_template "$ROOT/rabbitmq/rabbitmq.conf.tmpl" PORT="$RABBITMQ_PORT" MGMT_PORT="$RABBITMQ_MGMT_PORT" \
        USER="$RABBITMQ_USER" PASSWORD="$RABBITMQ_PASSWORD" >"$d/rabbitmq.conf")
    echo '[rabbitmq_management].' >"$d/enabled_plugins"
    chown rabbitmq:rabbitmq "$d/rabbitmq.conf" "$d/enabled_plugins"
    # epmd (Erlang port mapper): start our own, bound to 127.0.0.1, unless one already runs (then it
    # is not ours and down leaves it alone). Otherwise erl would daemonize one we could not track.
    if ! alive epmd && ! port_listening "$EPMD_PORT"; then
        spawn epmd rabbitmq "$d" HOME="$d" -- epmd -address 127.0.0.1 -port "$EPMD_PORT"
        wait_component epmd 10 "epmd to listen" port_listening "$EPMD_PORT"
    fi
    rabbit_env
    spawn rabbitmq rabbitmq "$d" "${RMQ_ENV[@]}" -- /usr/lib/rabbitmq/bin/rabbitmq-server
}

# Wait for the broker, make sure our user works (fast path: one HTTP call), then set the policies. If the data dir
# predates the current password (bin/stack.env regenerated), fix the user with rabbitmqctl.
finish_rabbitmq() {
    wait_component rabbitmq 120 "RabbitMQ (AMQP $RABBITMQ_PORT + management $RABBITMQ_MGMT_PORT)" rabbit_up
    rabbit_api_ok || fix_rabbitmq_user
    provision_rabbitmq
}

fix_rabbitmq_user() {
    say "RabbitMQ user $RABBITMQ_USER: setting password, tags and permissions"
    # The password goes in on stdin, not as an argument where any local user could read it with ps.
    if ! rmqctl -q list_users 2>/dev/null | awk '{print $1}' | grep -qx "$RABBITMQ_USER"; then
        printf '%s' "$RABBITMQ_PASSWORD" | rmqctl -q add_user "$RABBITMQ_USER" >/dev/null
    else
        printf '%s' "$RABBITMQ_PASSWORD" | rmqctl -q change_password "$RABBITMQ_USER" >/dev/null
    fi
    rmqctl -q set_user_tags "$RABBITMQ_USER" administrator >/dev/null
    rmqctl -q set_permissions -p / "$RABBITMQ_USER" '.*' '.*' '.*' >/dev/null
    wait_for 20 "RabbitMQ to accept $RABBITMQ_USER" rabbit_api_ok
}

# The broker's shared topology, policies and one user per service (rabbitmq/provision.sh, shared with compose/): see
# that script and rabbitmq/users/. The policies (rabbitmq/policies/, name = file name):
# - paysvc-unrouted: events nobody's queue is bound for yet (a consumer not deployed so far) are parked, not
#   dropped: paysvc.events gets the alternate exchange paysvc.events.unrouted. A policy rather than an exchange
#   argument: it applies to an exchange that already exists and can change without re-declaring it.
# - paysvc-unrouted-queue: the parking queue keeps at most 100 000 events for 7 days (oldest dropped first), so
#   events no one will ever consume cannot fill the broker's disk.
provision_rabbitmq() {
    with_env RABBITMQ_API="http://127.0.0.1:$RABBITMQ_MGMT_PORT" RABBITMQ_USER="$RABBITMQ_USER" \
        RABBITMQ_PASSWORD="$RABBITMQ_PASSWORD" RABBITMQ_AUTH_PASSWORD="$RABBITMQ_AUTH_PASSWORD" \
        RABBITMQ_USERS_PASSWORD="$RABBITMQ_USERS_PASSWORD" RABBITMQ_WEBHOOK_PASSWORD="$RABBITMQ_WEBHOOK_PASSWORD" \
        -- sh "$ROOT/rabbitmq/provision.sh" >/dev/null || die "cannot provision RabbitMQ (rabbitmq/provision.sh)"
}

start_rabbitmq() { spawn_rabbitmq; finish_rabbitmq; }

stop_rabbitmq() {
    if alive rabbitmq; then
        local pid
        pid=$(read_pid rabbitmq)
        # Graceful stop through the CLI (needs the same node name, HOME/cookie and user). While the
        # broker is still booting the CLI cannot reach it: then SIGTERM (below) to the foreground
        # rabbitmq-server script, which stops the Erlang VM cleanly as well.
        if rabbit_up; then
            rmqctl -q stop >/dev/null 2>&1 || true
            wait_for 30 "rabbitmq-server (pid $pid) to exit" pid_gone "$pid" 2>/dev/null || true
        fi
    fi
    stop_component rabbitmq 20 TERM
    stop_component epmd 10 TERM
}
