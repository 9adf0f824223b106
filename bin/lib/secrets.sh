# shellcheck shell=bash
# bin/lib/secrets.sh (sourced by bin/stack): bin/stack.env, the git-ignored development secrets (generated once,
# mode 0600, never printed), and loading them into the shell.

ENV_FILE=$ROOT/bin/stack.env

# Keys of bin/stack.env, in file order. Fixed values are not secrets; everything else is random.
ENV_KEYS=(PG_SUPERUSER PG_SUPERUSER_PASSWORD PG_REPLICATION_PASSWORD PG_REWIND_PASSWORD
          AUTH_DB_PASSWORD USERS_DB_PASSWORD WEBHOOK_DB_PASSWORD REDIS_PASSWORD
          RABBITMQ_USER RABBITMQ_PASSWORD WEBHOOK_HMAC_SECRET
          AUTH_CLIENT_SECRET USERS_CLIENT_SECRET WEBHOOK_CLIENT_SECRET ADMIN_EMAIL ADMIN_PASSWORD
          JWT_SIGNING_KEY REFRESH_TOKEN_SECRET HAPROXY_STATS_PASSWORD
          REDIS_AUTH_PASSWORD REDIS_USERS_PASSWORD REDIS_WEBHOOK_PASSWORD
          RABBITMQ_AUTH_PASSWORD RABBITMQ_USERS_PASSWORD RABBITMQ_WEBHOOK_PASSWORD)
declare -A ENV_FIXED=([PG_SUPERUSER]=postgres [RABBITMQ_USER]=paysvc [ADMIN_EMAIL]=admin@paysvc.local)

gen_secret() {
    openssl rand -hex 24 2>/dev/null || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# auth's token signing key: EC P-256 in PKCS#8 (what 'openssl genpkey' writes; the JDK refuses SEC1),
# stored as one-line base64 of the PEM so it fits the env file. auth derives the public key and kid.
gen_jwt_key() {
    local pem
    if ! pem=$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null) || [[ $pem != *"BEGIN PRIVATE KEY"* ]]; then
        die "cannot generate JWT_SIGNING_KEY (is openssl installed?)"
    fi
    printf '%s\n' "$pem" | base64 -w0
}

# A fresh value for one key of bin/stack.env: fixed, a signing key, or a random secret.
gen_value() {
    case $1 in
        JWT_SIGNING_KEY) gen_jwt_key ;;
        *) printf '%s' "${ENV_FIXED[$1]:-$(gen_secret)}" ;;
    esac
}

# Create bin/stack.env once (mode 0600); add any key missing from an existing file; never change values.
ensure_secrets() {
    local key value created=0
    if [[ ! -f $ENV_FILE ]]; then
        (umask 077; render_template "$ROOT/bin/stack.env.tmpl" DATE="$(date '+%F')" >"$ENV_FILE")
        created=1
    fi
    chmod 600 "$ENV_FILE"
    for key in "${ENV_KEYS[@]}"; do
        grep -q "^${key}=" "$ENV_FILE" && continue
        value=$(gen_value "$key") || exit 1
        printf '%s=%s\n' "$key" "$value" >>"$ENV_FILE"
        [[ $created == 1 ]] || say "added missing key $key to $ENV_FILE"
    done
    [[ $created == 0 ]] || say "generated dev secrets into $ENV_FILE"
}

source_env() {
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
}

load_env() {
    [[ -f $ENV_FILE ]] || die "$ENV_FILE not found; run 'bin/stack infra' first"
    source_env
    local key
    for key in "${ENV_KEYS[@]}"; do
        [[ -n ${!key:-} ]] || die "$key is empty or missing in $ENV_FILE (run 'bin/stack infra' to add it)"
    done
}

# Stopping never needs every key (an env file from an older checkout may lack newer ones): no validation.
load_env_if_present() { if [[ -f $ENV_FILE ]]; then source_env; fi; }
