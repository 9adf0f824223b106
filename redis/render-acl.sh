#!/bin/sh
# render-acl.sh DEFS OUT: writes the Redis aclfile OUT (mode 0600) from DEFS (redis/state.acl or redis/cache.acl) and passwords read from
# the environment, never from the command line: REDIS_PASSWORD for the operator's default user (every key and
# command), REDIS_<SERVICE>_PASSWORD for <service>_svc. Only SHA-256 hashes of the passwords are written.
# Used by bin/stack (native) and compose/docker-compose.yml (the redis container), so both run the same users.
set -eu
defs=$1
out=$2
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
umask 077
{
    printf 'user default on #%s ~* &* +@all\n' "$(sha "${REDIS_PASSWORD:?REDIS_PASSWORD is not set}")"
    grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$defs" | while read -r _ name rules; do
        var=REDIS_$(printf '%s' "${name%_svc}" | tr '[:lower:]' '[:upper:]')_PASSWORD
        eval "pw=\${$var:-}"
        [ -n "$pw" ] || { echo "render-acl: $var is not set" >&2; exit 1; }
        printf 'user %s on #%s %s\n' "$name" "$(sha "$pw")" "$rules"
    done
} >"$out.tmp"
mv "$out.tmp" "$out"
