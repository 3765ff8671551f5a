#!/usr/bin/env bash
# The soak: SECONDS of mixed traffic (whole, streamed, client aborts, translated, a refusing backend) through
# droid2api; resident memory and open file descriptors sampled every 30 s. Passes when, after the traffic
# and a short idle, both are back within 10% (fds: +8) of their level after the first minute.
# Usage: bench/soak.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$(realpath "$1"); secs=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
node=$(bash "$here/../scripts/node.sh")
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
"$build/bench/bench_upstream" --big-headers >"$work/up.out" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q listening "$work/up.out" && break; sleep 0.05; done
up=$(grep -o 'http://[0-9.:]*' "$work/up.out")
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/config.json" <<JSON
{ "port": 0, "user_agent_update_url": "", "token_store": "file", "log_level": "warning",
  "resilience": { "retries": 1, "backoff_ms": 20, "breaker_failures": 1000 },
  "backends": [ { "name": "real", "kind": "openai", "base_url": "$up/v1", "max_concurrent": 1000, "queue_limit": 10000 },
                { "name": "dead", "kind": "openai", "base_url": "http://127.0.0.1:$dead/v1" } ],
  "models": [ { "id": "bench-real", "type": "common", "backend": "real" }, { "id": "bench-dead", "type": "common", "backend": "dead" } ] }
JSON
HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
    "$build/app/droid2api" --headless --config "$work/config.json" --port 0 >"$work/p.out" 2>"$work/p.err" &
pid=$!; pids+=($pid)
for _ in $(seq 100); do grep -q listening "$work/p.out" && break; sleep 0.05; done
url=$(grep -o 'http://[0-9.:]*' "$work/p.out")
sample() { printf '%6ss  rss %6.1f MB  fds %4d\n' "$1" "$(awk '/VmRSS/ {print $2/1024}' /proc/$pid/status)" "$(ls /proc/$pid/fd | wc -l)"; }
"$node" "$here/soak.mjs" "$url" "$secs" 16 >"$work/counts" &
load=$!
t=0; base_rss=; base_fds=
while kill -0 "$load" 2>/dev/null; do
    sleep 30; t=$((t + 30))
    line=$(sample "$t"); echo "$line"
    if [[ $t -eq 60 ]]; then base_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status); base_fds=$(ls /proc/$pid/fd | wc -l); fi
done
wait "$load"
echo "requests: $(cat "$work/counts")"
sleep 5
end_rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status); end_fds=$(ls /proc/$pid/fd | wc -l)
sample "idle"
base_rss=${base_rss:-$end_rss}; base_fds=${base_fds:-$end_fds}
if (( end_rss <= base_rss * 110 / 100 && end_fds <= base_fds + 8 )); then
    echo "soak: no growth (rss $((base_rss / 1024)) -> $((end_rss / 1024)) MB, fds $base_fds -> $end_fds)"
else
    echo "soak: GROWTH (rss $((base_rss / 1024)) -> $((end_rss / 1024)) MB, fds $base_fds -> $end_fds)"; exit 1
fi
