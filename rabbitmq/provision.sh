#!/bin/sh
# provision.sh: what the broker's operator owns, through the management API (idempotent, run after every start):
#   - the shared topology (topology/): the events exchange, the parking exchange and queue for unrouted events, the
#     dead-letter exchange. The services may not declare them (their users cannot configure them).
#   - the policies (policies/<name>.json).
#   - one user per service (users/<name>/): permissions.json (configure/write/read regexps on "/") and
#     topic-permissions.json (routing keys it may publish and bind on paysvc.events), so a service can publish only
#     its own events and touch only its own queues.
# Environment (never the command line): RABBITMQ_API (e.g. http://127.0.0.1:15672), RABBITMQ_USER and
# RABBITMQ_PASSWORD (the operator's administrator), RABBITMQ_<SERVICE>_PASSWORD for users/<service>_svc.
# Used by bin/stack (native) and by compose's rabbitmq-init, so both run the same broker.
# shellcheck disable=SC2094  # each JSON file is only read (as fd 3 of curl), never written
set -eu
here=$(cd "$(dirname "$0")" && pwd)
api=${RABBITMQ_API:?RABBITMQ_API is not set}
: "${RABBITMQ_USER:?}" "${RABBITMQ_PASSWORD:?}"

# The administrator's credentials as curl config on stdin; backslashes and quotes escaped for curl's quoting.
creds() { printf 'user = "%s"\n' "$(printf '%s:%s' "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" | sed 's/[\\"]/\\&/g')"; }
# call METHOD PATH: the request body comes on fd 3.
call() {
    creds | curl -K - -fsS -o /dev/null --max-time 10 -X "$1" -H 'Content-Type: application/json' \
        --data-binary @/dev/fd/3 "$api/api/$2" || { echo "provision: $1 $2 failed" >&2; exit 1; }
}
json_string() { printf '%s' "$1" | sed 's/[\\"]/\\&/g'; }

for f in "$here"/topology/exchanges/*.json; do
    call PUT "exchanges/%2F/$(basename "$f" .json)" 3<"$f"
done
for f in "$here"/topology/queues/*.json; do
    call PUT "queues/%2F/$(basename "$f" .json)" 3<"$f"
done
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$here/topology/bindings.txt" | while read -r source destination key; do
    key=$(printf '%s' "$key" | sed 's/^"\(.*\)"$/\1/')
    call POST "bindings/%2F/e/$source/q/$destination" 3<<JSON
{"routing_key": "$(json_string "$key")", "arguments": {}}
JSON
done
for f in "$here"/policies/*.json; do
    call PUT "policies/%2F/$(basename "$f" .json)" 3<"$f"
done
for d in "$here"/users/*/; do
    name=$(basename "$d")
    var=RABBITMQ_$(printf '%s' "${name%_svc}" | tr '[:lower:]' '[:upper:]')_PASSWORD
    eval "password=\${$var:-}"
    [ -n "$password" ] || { echo "provision: $var is not set" >&2; exit 1; }
    call PUT "users/$name" 3<<JSON
{"password": "$(json_string "$password")", "tags": ""}
JSON
    call PUT "permissions/%2F/$name" 3<"$d/permissions.json"
    [ ! -f "$d/topic-permissions.json" ] || call PUT "topic-permissions/%2F/$name" 3<"$d/topic-permissions.json"
done
echo "provision: broker topology, policies and service users are in place"
