# shellcheck shell=bash
# bin/lib/etcd.sh (sourced by bin/stack): etcd, the DCS of Patroni.

etcd_healthy() { curl -fsS --max-time 1 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }

start_etcd() {
    alive etcd && return 0
    require_port_free "$ETCD_PORT" etcd
    require_port_free "$ETCD_PEER_PORT" "etcd (peer)"
    local dir=$DATA_ROOT/etcd
    install -d -o etcd -g etcd -m 700 "$dir"
    spawn etcd etcd "$dir" HOME="$dir" -- \
        etcd --name paysvc-etcd --data-dir "$dir/data" \
        --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-cluster "paysvc-etcd=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
        --auto-compaction-mode periodic --auto-compaction-retention 1h \
        --logger zap --log-outputs stderr
    wait_component etcd 30 "etcd to become healthy" etcd_healthy
}
