#!/usr/bin/env bash
# Runs Factory's `droid exec` (@factory/cli 0.225.1 + @factory/cli-linux-x64 0.225.2) against a loopback capture
# server, once per model/effort combination, and saves each LLM request body exactly as sent.
#
#   bash run-captures.sh [--droid PATH] [--out DIR] [--combos FILE] [--dest DIR]
#
#   --droid   the droid binary (default: /tmp/factorycli/node_modules/.bin/droid)
#   --out     working directory for logs and raw captures (default: /tmp/factorycli/capture-run)
#   --combos  lines "model effort" (effort "-" = run without -r); default: the built-in list below
#   --dest    where <model>__<effort>.json / .headers.json are written (default: none)
#
# Isolation: the whole run happens in a fresh network + mount namespace (unshare -n -m, needs root) with only
# loopback up, /etc/resolv.conf bind-mounted to a loopback DNS trap, and an empty private directory bind-mounted as the cwd /tmp/work. Each CLI run gets a fresh HOME, a minimal
# environment (env -i), every proxy variable pointing at a trap proxy that logs and refuses, and every Factory URL
# variable pointing at the capture server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DROID=/tmp/factorycli/node_modules/.bin/droid
OUT=/tmp/factorycli/capture-run
COMBOS=""
DEST=""
while (($#)); do
    case "$1" in
        --droid) DROID="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --combos) COMBOS="$2"; shift 2 ;;
        --dest) DEST="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
NODE="${NODE:-$(command -v node)}"

if [[ -z "${FC_IN_NETNS:-}" ]]; then
    mkdir -p "$OUT"
    exec env FC_IN_NETNS=1 NODE="$NODE" unshare -n -m bash "$0" --droid "$DROID" --out "$OUT" \
        ${COMBOS:+--combos "$COMBOS"} ${DEST:+--dest "$DEST"}
fi

# ---- inside the namespace ----
ip link set lo up
printf 'nameserver 127.0.0.1\n' > "$OUT/resolv.conf"
mount --bind "$OUT/resolv.conf" /etc/resolv.conf

PORT=18080
TRAP_PORT=18099
rm -rf "$OUT/capture" "$OUT/runs" "$OUT/cwd"; mkdir -p "$OUT/capture" "$OUT/runs"
: > "$OUT/trap.jsonl"
"$NODE" "$here/capture-server.js" --port $PORT --out "$OUT/capture" > "$OUT/server.log" 2>&1 &
SP=$!
"$NODE" "$here/trap.js" --port $TRAP_PORT --log "$OUT/trap.jsonl" --dns-port 53 > "$OUT/trap.log" 2>&1 &
TP=$!
trap 'kill $SP $TP 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/__ctl/ping" >/dev/null && break; sleep 0.1; done

default_combos() {
    cat <<'EOF'
claude-opus-4-6 off
claude-opus-4-6 low
claude-opus-4-6 high
claude-opus-4-6 max
claude-opus-4-8 high
claude-opus-4-8 xhigh
claude-sonnet-4-5-20250929 off
claude-sonnet-4-5-20250929 medium
claude-opus-4-5-20251101 low
claude-opus-4-6-fast high
gpt-5.4 medium
gpt-5.4 xhigh
gpt-5.6-sol none
gpt-5.6-sol max
gpt-5.4-fast low
grok-4.6 high
kimi-k2.5 off
kimi-k2.5 high
glm-5 none
glm-5.3 max
deepseek-v4-pro high
nemotron-3-ultra high
gemini-3-flash-preview minimal
gemini-3-flash-preview medium
gemini-3.1-pro-preview high
minimax-m2.7 high
claude-opus-4-5-20251101 -
gpt-5.4 -
claude-opus-4-6 xhigh
EOF
}

B="http://127.0.0.1:$PORT"
P="http://127.0.0.1:$TRAP_PORT"
# a private, empty /tmp/work: an empty directory of ours bind-mounted over it in this mount namespace only (same
# filesystem, so git's discovery message is the ordinary one); the host's /tmp/work is left alone
mkdir -p /tmp/work "$OUT/cwd"
mount --bind "$OUT/cwd" /tmp/work
summary="$OUT/summary.tsv"
printf 'label\texit\tseconds\tllm_calls\n' > "$summary"
while read -r model effort; do
    [[ -z "$model" || "$model" == \#* ]] && continue
    if [[ "$effort" == "-" ]]; then label="${model}__default"; rflag=(); else label="${model}__${effort}"; rflag=(-r "$effort"); fi
    curl -sf -X POST --data "$label" "$B/__ctl/label" >/dev/null
    home="$OUT/runs/$label/home"
    rm -rf "$OUT/runs/$label"; mkdir -p "$home/tmp"
    find /tmp/work -mindepth 1 -delete
    t0=$(date +%s.%N)
    set +e
    (cd /tmp/work && env -i \
        PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" TMPDIR="$home/tmp" LANG=C.UTF-8 TERM=dumb \
        FACTORY_API_KEY=fk-test \
        FACTORY_API_BASE_URL="$B" FACTORY_API_BASE_URL_EU="$B" FACTORY_APP_BASE_URL="$B" \
        FACTORY_WORKOS_BASE_URL="$B/workos/user_management" \
        FACTORY_TELEMETRY_INGEST_BASE_URL="$B" FACTORY_PUBLIC_DOWNLOADS_BASE_URL="$B" \
        OTEL_CUSTOMER_ENDPOINT="$B/otel" \
        FACTORY_DISABLE_KEYRING=1 FACTORY_DROID_AUTO_UPDATE_ENABLED=false \
        HTTP_PROXY="$P" HTTPS_PROXY="$P" ALL_PROXY="$P" http_proxy="$P" https_proxy="$P" all_proxy="$P" \
        NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
        timeout 180 "$DROID" exec -m "$model" "${rflag[@]}" "Say OK" \
        > "$OUT/runs/$label/stdout" 2> "$OUT/runs/$label/stderr" < /dev/null)
    rc=$?
    set -e
    t1=$(date +%s.%N)
    n=$(ls "$OUT/capture/llm/" 2>/dev/null | grep -c "^${label//./\\.}\.[0-9]*\.body$" || true)
    printf '%s\t%s\t%.1f\t%s\n' "$label" "$rc" "$(echo "$t1 - $t0" | bc)" "$n" | tee -a "$summary"
done < <(if [[ -n "$COMBOS" ]]; then cat "$COMBOS"; else default_combos; fi)

if [[ -n "$DEST" ]]; then
    mkdir -p "$DEST"
    "$NODE" "$here/export-captures.js" "$OUT/capture/llm" "$DEST"
fi
