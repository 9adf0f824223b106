# shellcheck shell=bash
# bin/lib/redis.sh (sourced by bin/stack): the two Redis instances, split by what they hold (topology.env):
#  - redis: the security state (auth's deny-list, not-before times, limiters, the revocation channel), append-only file
#    fsynced every second, noeviction (redis/state.conf.tmpl, ACL users redis/state.acl);
#  - redis-cache: users' cache only, bounded by maxmemory with LRU eviction, no persistence (redis/cache.conf.tmpl,
#    redis/cache.acl).
# The passwords are in 0600 files (the ACL file holds their SHA-256 only), never on a command line.

# The cache's bound. 256 MB holds the detail of ~100,000 users under a few identifiers each (bin/bench's data set);
# past it the least recently used entries go, which costs a database read, nothing else.
REDIS_CACHE_MAXMEMORY=${STACK_REDIS_CACHE_MAXMEMORY:-256mb}

redis_ping_port() { [[ $(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }
redis_ping() { redis_ping_port "$REDIS_PORT"; }

# start_redis_instance COMPONENT PORT TEMPLATE ACL [KEY=VALUE...]: one instance in its own data directory.
start_redis_instance() {
    local name=$1 port=$2 tmpl=$3 acl=$4
    shift 4
    alive "$name" && return 0
    require_port_free "$port" "$name"
    local dir=$DATA_ROOT/$name
    install -d -o redis -g redis -m 700 "$dir"
    (umask 077; render_template "$ROOT/redis/$tmpl" BIND=127.0.0.1 PORT="$port" DIR="$dir" "$@" >"$dir/redis.conf")
    with_env REDIS_PASSWORD="$REDIS_PASSWORD" REDIS_AUTH_PASSWORD="$REDIS_AUTH_PASSWORD" \
        REDIS_USERS_PASSWORD="$REDIS_USERS_PASSWORD" REDIS_WEBHOOK_PASSWORD="$REDIS_WEBHOOK_PASSWORD" \
        -- sh "$ROOT/redis/render-acl.sh" "$ROOT/redis/$acl" "$dir/users.acl" || die "cannot write $name's ACL file"
    chown redis:redis "$dir/redis.conf" "$dir/users.acl"
    spawn "$name" redis "$dir" HOME="$dir" -- redis-server "$dir/redis.conf"
    wait_component "$name" 20 "$name to answer PING" redis_ping_port "$port"
}

start_redis() {
    start_redis_instance redis "$REDIS_PORT" state.conf.tmpl state.acl
    start_redis_instance redis-cache "$REDIS_CACHE_PORT" cache.conf.tmpl cache.acl MAXMEMORY="$REDIS_CACHE_MAXMEMORY"
}
