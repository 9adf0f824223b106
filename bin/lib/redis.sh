# shellcheck shell=bash
# bin/lib/redis.sh (sourced by bin/stack): Redis (append-only file, fsync every second; the password is in a 0600
# config file, not on the command line).

redis_ping() { [[ $(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

start_redis() {
    alive redis && return 0
    require_port_free "$REDIS_PORT" redis
    local dir=$DATA_ROOT/redis
    install -d -o redis -g redis -m 700 "$dir"
    (umask 077; render_template "$ROOT/redis/redis.conf.tmpl" PORT="$REDIS_PORT" DIR="$dir" >"$dir/redis.conf")
    with_env REDIS_PASSWORD="$REDIS_PASSWORD" REDIS_AUTH_PASSWORD="$REDIS_AUTH_PASSWORD" \
        REDIS_USERS_PASSWORD="$REDIS_USERS_PASSWORD" REDIS_WEBHOOK_PASSWORD="$REDIS_WEBHOOK_PASSWORD" \
        -- sh "$ROOT/redis/render-acl.sh" "$ROOT/redis/users.acl" "$dir/users.acl" || die "cannot write Redis' ACL file"
    chown redis:redis "$dir/redis.conf" "$dir/users.acl"
    spawn redis redis "$dir" HOME="$dir" -- redis-server "$dir/redis.conf"
    wait_component redis 20 "redis to answer PING" redis_ping
}
