# shellcheck shell=bash
# bin/lib/services.sh (sourced by bin/stack): the three Java services: their environment, jars, instances,
# readiness, the first admin.

# JVM flags for the services. Three JVMs share 2 cores with two PostgreSQL nodes, RabbitMQ and Redis:
#  - SerialGC: no parallel/concurrent GC threads competing for the 2 cores; with a heap this small a
#    young collection takes a few milliseconds, which is fine for these request/response services.
#  - Memory: each service stays under 256 MB resident under load (SPEC: peak RSS per service; bin/bench
#    measures it). Live data is small (users ~15 MB after a bench, auth ~55 MB with its argon2 working
#    memory): the heap starts at 64 MB and grows only when needed, up to 192 MB for bursts (a 10 MB XLS
#    upload is read whole). The rest is not heap: ~40 MB metaspace (capped at 96 MB: a leak fails
#    loudly), JIT code (cache capped at 48 MB), Netty's direct buffers (capped at 64 MB), thread stacks
#    (512 KB: nothing here recurses deeply). With -Xms128m -Xmx384m users reached 290 MB in bin/bench.
#  - MetaspaceSize 64m: the metaspace level that triggers a full collection. At the default (~21 MB) users made two
#    "Metadata GC Threshold" full collections while its classes loaded (24 ms at 1.9 s, 41 ms at 11 s: the second
#    one under the first requests after a start); its metaspace settles at ~38 MB. Not a reservation: RSS is unchanged.
#  - MaxNewSize 24m: SerialGC sizes the young generation at a third of the heap, and every page of it is touched
#    between collections. auth's heap grows to ~125 MB around its argon2 working memory (~54 MB live, old
#    generation), which made a 39 MB young generation, all resident: auth's VmHWM after a restart and the login
#    find-max was 241 MB, 227 MB with the cap (login 40 → 42 req/s). Young collections cost what survives them, not
#    the young generation's size. users' young generation stayed at 20–26 MB under load, at or near the cap (A/B at
#    15,000 cached reads/s: same collection count, CPU per read within noise).
#  - ExitOnOutOfMemoryError: fail loudly (the log says why) instead of limping on.
#  - vertx.cacheDirBase: Vert.x unpacks classpath resources (e.g. Swagger UI) into a cache dir: the instance's own
#    directory ($1, see service_home).
# Override completely with STACK_JAVA_OPTS.
default_java_opts() {
    echo "-Xms64m -Xmx192m -XX:MaxNewSize=24m -XX:MetaspaceSize=64m -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=48m -XX:MaxDirectMemorySize=64m -Xss512k -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Dvertx.cacheDirBase=$1/vertx-cache"
}

# The ONE place that maps bin/stack.env + topology.env to each service's environment (the Java side reads exactly these
# names). Add new variables here; a variable the service does not declare as a setting fails its SettingsDriftTest
# (the test reads this function's text: keep one SVC_ENV list per case branch).
service_env() {
    local svc=$1 upper=${1^^}
    local pw_var=${upper}_DB_PASSWORD secret_var=${upper}_CLIENT_SECRET
    local redis_pw_var=REDIS_${upper}_PASSWORD rabbit_pw_var=RABBITMQ_${upper}_PASSWORD
    local gw=http://127.0.0.1:$GATEWAY_PORT
    SVC_ENV=(
        # Loopback only: the gateway (HAProxy, on this host) is the way in; nobody on the network skips it.
        HTTP_HOST=127.0.0.1 HTTP_PORT="${SVC_PORT[$svc]}"
        PG_WRITE_HOST=127.0.0.1 PG_WRITE_PORT="$PG_WRITE_PORT"
        PG_DATABASE="$svc" PG_USER="${svc}_svc" PG_PASSWORD="${!pw_var}"
        # Each service its own Redis and broker user (redis/users.acl, rabbitmq/users/): its keys, its queues, its
        # events; the shared exchanges are the operator's (rabbitmq/provision.sh), so the service does not declare them.
        # Every service's JWT guard reads auth's revocations with this Redis user, on the security state's instance
        # (auth's own REDIS_PORT, the others' AUTH_REDIS_PORT); users' user exists on the cache's instance too
        # (redis/state.acl, redis/cache.acl).
        REDIS_HOST=127.0.0.1
        REDIS_USER="${svc}_svc" REDIS_PASSWORD="${!redis_pw_var}"
        RABBITMQ_HOST=127.0.0.1 RABBITMQ_PORT="$RABBITMQ_PORT" RABBITMQ_VHOST=/
        RABBITMQ_USER="${svc}_svc" RABBITMQ_PASSWORD="${!rabbit_pw_var}" EVENTS_DECLARE_SHARED=false
    )
    case $svc in
        # auth signs tokens with JWT_SIGNING_KEY and grants them to the service clients (client-credentials),
        # each with its own scopes (SERVICE_CLIENT_SCOPES, one definition shared with compose's comments).
        # JWT_PREVIOUS_PUBLIC_KEYS is optional in bin/stack.env: set only while a key rotation is in progress.
        # Calls between services (users, auth's token endpoint and JWKS) go through the gateway, which knows every
        # instance and which of them is up: a call to one instance's port would fail with it. users calls nobody: it
        # only verifies tokens (JWKS_URL), so it has no client secret and no peer URL.
        auth)    SVC_ENV+=(SERVICE_CLIENT_SECRET="${!secret_var}" USERS_URL="$gw" JWT_SIGNING_KEY="$JWT_SIGNING_KEY"
                           REDIS_PORT="$REDIS_PORT" REDIS_DB="${SVC_REDIS_DB[$svc]}"
                           JWT_PREVIOUS_PUBLIC_KEYS="${JWT_PREVIOUS_PUBLIC_KEYS:-}"
                           REFRESH_TOKEN_SECRET="$REFRESH_TOKEN_SECRET"
                           TRUSTED_PROXIES="$GATEWAY_SOURCE_ADDR/32"
                           SERVICE_CLIENTS="$(service_clients)") ;;
        # Only users reads the replica and has a Redis of its own besides auth (ServiceDefinition.dependencies): the
        # cache's instance.
        users)   SVC_ENV+=(JWKS_URL="$gw${SVC_PREFIX[auth]}/.well-known/jwks.json"
                           PG_READ_HOST=127.0.0.1 PG_READ_PORT="$PG_READ_PORT"
                           REDIS_PORT="$REDIS_CACHE_PORT" REDIS_DB="${SVC_REDIS_DB[$svc]}" AUTH_REDIS_PORT="$REDIS_PORT") ;;
        webhook) SVC_ENV+=(SERVICE_CLIENT_SECRET="${!secret_var}" AUTH_URL="$gw" USERS_URL="$gw" AUTH_REDIS_PORT="$REDIS_PORT"
                           JWKS_URL="$gw${SVC_PREFIX[auth]}/.well-known/jwks.json"
                           WEBHOOK_HMAC_SECRET="$WEBHOOK_HMAC_SECRET"
                           WEBHOOK_HMAC_PREVIOUS_SECRET="${WEBHOOK_HMAC_PREVIOUS_SECRET:-}") ;;
    esac
    # Java itself: keep JAVA_HOME of the caller. HOME is the instance's own directory (start_service).
    [[ -n ${JAVA_HOME:-} ]] && SVC_ENV+=(JAVA_HOME="$JAVA_HOME")
    return 0
}
# Least privilege: auth may look users up, read, create and deactivate them (sign-up, login, compensation);
# webhook may only look users up by identifier; users calls nobody. Only an admin person can grant admin.
declare -A CLIENT_SCOPES=([auth]="users:lookup users:read users:create users:deactivate" [users]="" [webhook]="users:lookup")
service_clients() {
    local c out="" secret_var
    for c in auth users webhook; do
        secret_var=${c^^}_CLIENT_SECRET
        out+="${out:+,}$c:${!secret_var}${CLIENT_SCOPES[$c]:+:${CLIENT_SCOPES[$c]}}"
    done
    printf '%s' "$out"
}
# The jar a service is built to; STACK_<SVC>_JAR runs another one (bin/bench ab: an earlier build against this one).
svc_jar() {
    local override=STACK_${1^^}_JAR
    if [[ -n ${!override:-} ]]; then printf '%s' "${!override}"; else printf '%s/%s/target/%s.jar' "$ROOT" "$1" "$1"; fi
}
java_bin() { if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then echo "$JAVA_HOME/bin/java"; else command -v java || die "java not found"; fi; }

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true; }
ready_code() { http_code "http://127.0.0.1:${SVC_PORT[$1]}/health/ready"; }
svc_ready() { [[ $(ready_code "$1") == 200 ]]; }

# Instance n of a service: component <svc> for n = 1, <svc><n> (e.g. users2) beyond, on port base + 10 (n - 1).
instance_name() { if (( $2 == 1 )); then echo "$1"; else echo "$1$2"; fi; }
instance_port() { echo $(( SVC_PORT[$1] + 10 * ($2 - 1) )); }

# The services run as this unprivileged user (they need no port below 1024 and no file of root's).
SVC_USER=paysvc
ensure_service_user() {
    id -u "$SVC_USER" >/dev/null 2>&1 && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SVC_USER" ||
        die "cannot create the system user $SVC_USER"
}

# A service instance's own directory (working dir, Vert.x file cache, upload spool): its user's only (0700), under the
# data root, which every daemon user can reach (see resolve_data_root).
service_home() {
    local d
    d=$(data_root)/services/$1
    install -d -m 755 "$(data_root)/services"
    install -d -o "$SVC_USER" -g "$SVC_USER" -m 700 "$d"
    printf '%s' "$d"
}

# The jar a service runs: a copy of the build, named by its content, readable by the service user wherever the
# checkout lives (a clone under /root is not), and never replaced under a running JVM by the next build.
service_jar() {
    local src sum dir dst
    src=$(svc_jar "$1")
    [[ -f $src ]] || die "$src not found (build with: mvn -B -DskipTests package)"
    sum=$(sha1sum "$src" | cut -c1-12)
    dir=$(data_root)/services/jars
    dst=$dir/$1-$sum.jar
    install -d -m 755 "$(data_root)/services" "$dir"
    [[ -f $dst ]] || install -m 644 "$src" "$dst"
    # Keep the two newest builds of each service (an older one may still run as another instance).
    find "$dir" -maxdepth 1 -name "$1-*.jar" -printf '%T@ %p\n' | sort -rn | tail -n +3 | cut -d' ' -f2- |
        while read -r old; do pgrep -f -- "$old" >/dev/null || rm -f -- "$old"; done
    printf '%s' "$dst"
}

# Every instance runs under bin/lib/supervise.sh (component <instance>-supervisor, as root), which starts the JVM as
# the service user, writes its pid to the instance's pidfile and starts it again when it dies (a crash, an
# OutOfMemoryError): nothing else restarts a service here (no systemd).
supervisor_of() { printf '%s-supervisor' "$1"; }
instance_running() { alive "$(supervisor_of "$1")"; }

start_service() {
    local svc=$1 n=${2:-1} jar comp port home log
    comp=$(instance_name "$svc" "$n")
    port=$(instance_port "$svc" "$n")
    instance_running "$comp" && return 0
    ensure_service_user
    jar=$(service_jar "$svc")
    home=$(service_home "$comp")
    require_port_free "$port" "$comp"
    service_env "$svc"
    # Later assignments win in env(1): this instance's port, home and spool dir.
    SVC_ENV+=(HTTP_PORT="$port" HOME="$home")
    [[ $svc == users ]] && SVC_ENV+=(USERS_UPLOADS_DIR="$home/uploads")
    local -a opts
    read -r -a opts <<<"${STACK_JAVA_OPTS:-$(default_java_opts "$home")}"
    log=$LOG_DIR/$comp.log
    (umask 027; : >>"$log")
    chmod 640 "$log"
    printf '\n===== %s  bin/stack: starting %s =====\n' "$(date '+%F %T')" "$comp" >>"$log"
    rm -f "$RUN_DIR/$comp.pid"
    # A JVM starting up (class loading, the JIT's first compilations) takes a core or more for seconds: the supervisor
    # starts it at nice 10, so that it yields to the instances already serving (which on a 2-core host otherwise time
    # out under load while a killed instance restarts: drill instances), and renices it to 0 once it is ready.
    spawn "$(supervisor_of "$comp")" root "$home" "${SVC_ENV[@]}" -- bash "$ROOT/bin/lib/supervise.sh" \
        "$RUN_DIR/$comp.pid" "$log" "http://127.0.0.1:$port/health/ready" -- \
        setpriv "--reuid=$SVC_USER" "--regid=$SVC_USER" --init-groups "$(java_bin)" "${opts[@]}" -jar "$jar"
    wait_for 10 "the supervisor of $comp to start it" test -s "$RUN_DIR/$comp.pid" || die "$comp did not start"
}

# Stops an instance gracefully: its supervisor passes SIGTERM on (the JVM drains) and restarts nothing.
stop_service() {
    local comp=$1
    stop_component "$(supervisor_of "$comp")" 40 TERM
    # Nothing left normally (the supervisor removed the pidfile); a JVM it lost (killed with it) drains on its own.
    stop_component "$comp" 30 TERM
    rm -f "$RUN_DIR/$comp.restarts"
}

instance_ready() { [[ $(http_code "http://127.0.0.1:$(instance_port "$1" "$2")/health/ready") == 200 ]]; }

wait_service_ready() {
    local svc=$1 n=${2:-1}
    # Gone means the supervisor gave up (the JVM kept dying at start), not one JVM's death: it restarts those.
    if ! wait_component "$(supervisor_of "$(instance_name "$svc" "$n")")" "${STACK_SERVICE_TIMEOUT:-90}" \
            "$svc #$n /health/ready = 200" instance_ready "$svc" "$n"; then
        echo "stack: last /health/ready answer of $svc #$n:" >&2
        curl -s --max-time 2 "http://127.0.0.1:$(instance_port "$svc" "$n")/health/ready" >&2 || true
        echo >&2
        tail -n 30 "$LOG_DIR/$(instance_name "$svc" "$n").log" >&2 || true
        exit 1
    fi
}

# HAProxy marks a backend up only after its own health check passed (every 2 s): "up" must mean reachable
# through the gateway too, not just on the service port.
gateway_ready() { [[ $(http_code "http://127.0.0.1:$GATEWAY_PORT${SVC_PREFIX[$1]}/health/ready") == 200 ]]; }

# The first admin (SPEC section 7): idempotent, the password on stdin (never on a command line).
bootstrap_admin() {
    local jar home
    jar=$(service_jar auth)
    home=$(service_home bootstrap-admin)
    service_env auth
    SVC_ENV+=(HOME="$home")
    (umask 027; : >>"$LOG_DIR/bootstrap-admin.log")
    chmod 640 "$LOG_DIR/bootstrap-admin.log"
    if printf '%s' "$ADMIN_PASSWORD" | (cd "$home" && with_env "${SVC_ENV[@]}" -- timeout -k 5 120 \
            setpriv "--reuid=$SVC_USER" "--regid=$SVC_USER" --init-groups \
            "$(java_bin)" -jar "$jar" bootstrap-admin --email "$ADMIN_EMAIL" --password-stdin \
            >>"$LOG_DIR/bootstrap-admin.log" 2>&1 9>&-); then
        say "first admin $ADMIN_EMAIL is in place (password: ADMIN_PASSWORD in $ENV_FILE)"
    else
        tail -n 20 "$LOG_DIR/bootstrap-admin.log" >&2
        die "bootstrap-admin failed (log: $LOG_DIR/bootstrap-admin.log)"
    fi
}

maybe_build() {
    local svc missing=0
    for svc in "${SERVICES[@]}"; do [[ -f $(svc_jar "$svc") ]] || missing=1; done
    [[ -f $ROOT/loadtest/target/loadtest.jar ]] || missing=1
    (( missing )) || return 0
    command -v mvn >/dev/null || die "a service jar is missing and mvn is not installed"
    say "building the service jars and the load-test harness (mvn -B -q -DskipTests package)"
    (cd "$ROOT" && mvn -B -q -DskipTests package 9>&-) || die "maven build failed"
    for svc in "${SERVICES[@]}"; do [[ -f $(svc_jar "$svc") ]] || die "build did not produce $(svc_jar "$svc")"; done
}

# Extra instances are servers added to HAProxy at run time: after HAProxy (re)started, those still running join again.
rejoin_gateway() {
    local svc n
    for svc in "${SERVICES[@]}"; do
        for n in 2 3 4 5 6 7 8 9; do
            if instance_running "$(instance_name "$svc" "$n")" && [[ -z $(haproxy_server_state "$svc/$(instance_name "$svc" "$n")") ]]; then
                gateway_add "$svc" "$n"
            fi
        done
    done
}
