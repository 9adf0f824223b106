# shellcheck shell=bash
# bin/lib/ab.sh (sourced by bin/bench): `bin/bench ab OLD_USERS_JAR [TURNS]`, an A/B of users' by-identifier reads.
# Both jars run, one after the other, as instance 1 of users on the same stack, data and machine; the order alternates
# (ABBA) so that a drift of the machine within the run weighs on both. Each run: users restarted on the jar, the cache
# emptied, the uncached reads' find-max (each request a user not asked for before), a 20 s warm-up of the cached reads,
# then their find-max; the step parameters are bin/bench's (Bench.plans). users' CPU per request is read from
# /proc/<pid>/stat around each find-max.

AB_USERS_PORT=8002

ab_cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$ROOT/.stack/run/users.pid")/stat"; }

ab_flush_cache() {
    REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p 6380 -n 1 FLUSHDB >/dev/null
}

# ab_run DIR NAME SCENARIO ARGS...: one find-max; prints "<sustainable req/s> <requests> <CPU µs per request>".
ab_run() {
    local dir=$1 name=$2 scenario=$3 before after json rate requests
    shift 3
    before=$(ab_cpu_ticks)
    java -Xms256m -Xmx1g -XX:+UseSerialGC -jar loadtest/target/loadtest.jar "$scenario" --no-seed \
        --base-url "http://127.0.0.1:$AB_USERS_PORT" --out "$dir/$name" "$@" >"$dir/$name.log" 2>&1 ||
        { tail -n 20 "$dir/$name.log" >&2; return 1; }
    after=$(ab_cpu_ticks)
    json=$(ls "$dir/$name"/*.json)
    rate=$(jq '[.runs[] | select(.sustainable == true) | .target_rate] | max // 0' "$json")
    requests=$(jq '[.runs[] | .requests] | add' "$json")
    # Ticks are 1/100 s; the find-max's warm-ups are not counted in requests, so this slightly overstates the cost.
    printf '%s %s %s\n' "$rate" "$requests" "$(( (after - before) * 10000 / (requests > 0 ? requests : 1) ))"
}

ab_main() {
    local old=${1:?usage: bin/bench ab OLD_USERS_JAR [TURNS]} turns=${2:-2} new t v jar dir order u c
    new=$ROOT/users/target/users.jar
    [[ -f $old && -f $new ]] || { echo "bench ab: $old or $new is missing" >&2; exit 2; }
    dir=$ROOT/loadtest-results/ab-$(date -u +%Y%m%d-%H%M%S)
    mkdir -p "$dir"
    # Seed once (100 000 users, bin/bench's data), with the jar built here.
    java -jar loadtest/target/loadtest.jar by-identifier --rate 100 --duration 1s --warmup 0s --out "$dir/seed" >"$dir/seed.log" 2>&1 ||
        { tail -n 20 "$dir/seed.log" >&2; exit 1; }
    {
        echo "| turn | jar | uncached req/s | users µs/req | cached req/s | users µs/req |"
        echo "| --- | --- | ---: | ---: | ---: | ---: |"
    } >"$dir/ab.md"
    for t in $(seq 1 "$turns"); do
        if (( t % 2 )); then order=(old new); else order=(new old); fi
        for v in "${order[@]}"; do
            jar=$old
            [[ $v == new ]] && jar=$new
            echo "bench ab: turn $t, $v jar ($jar)"
            STACK_USERS_JAR=$jar "$ROOT/bin/stack" instance-stop users 1
            STACK_USERS_JAR=$jar "$ROOT/bin/stack" instance-start users 1
            ab_flush_cache
            read -r u_rate _ u_cpu < <(ab_run "$dir" "$t-$v-uncached" by-identifier-uncached --find-max --rate 600 \
                --step-factor 1.3 --max-p99-ms 50 --connections 64 --warmup 3s --duration 6s)
            java -jar loadtest/target/loadtest.jar by-identifier --no-seed --base-url "http://127.0.0.1:$AB_USERS_PORT" \
                --rate 2000 --duration 20s --warmup 0s --out "$dir/$t-$v-warm" >"$dir/$t-$v-warm.log" 2>&1 || true
            read -r c_rate _ c_cpu < <(ab_run "$dir" "$t-$v-cached" by-identifier --find-max --rate 2000 \
                --step-factor 1.4 --max-p99-ms 50 --connections 64 --warmup 3s --duration 6s)
            printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$v" "$u_rate" "$u_cpu" "$c_rate" "$c_cpu" | tee -a "$dir/ab.md"
        done
    done
    # Back to the jar built here.
    "$ROOT/bin/stack" instance-stop users 1
    "$ROOT/bin/stack" instance-start users 1
    echo
    cat "$dir/ab.md"
    echo "bench ab: $dir"
    u=0 c=0
    : "$u" "$c"
}
