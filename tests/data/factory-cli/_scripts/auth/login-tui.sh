# Interactive `droid` under tmux inside a loopback-only namespace, signed out, FACTORY_DISABLE_KEYRING=1,
FC="${FC:-/tmp/factorycli}"
# WorkOS pointed at the capture server's stand-in. Captures the screen every second.
set -u
OUT=${FC:-/tmp/factorycli}/auth/run; rm -rf $OUT; mkdir -p $OUT/home $OUT/screens
ip link set lo up
printf 'nameserver 127.0.0.1\n' > $OUT/resolv.conf; mount --bind $OUT/resolv.conf /etc/resolv.conf
node ${FC:-/tmp/factorycli}/capture-server.js --port 18080 --out $OUT/capture > $OUT/server.log 2>&1 & SP=$!
node ${FC:-/tmp/factorycli}/trap.js --port 18099 --log $OUT/trap.jsonl --dns-port 53 > $OUT/trap.log 2>&1 & TP=$!
sleep 0.5
B=http://127.0.0.1:18080; P=http://127.0.0.1:18099
curl -s -X POST --data login $B/__ctl/label >/dev/null
cat > $OUT/env.sh <<EOV
export PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TERM=xterm-256color HOME=$OUT/home
export FACTORY_API_BASE_URL=$B FACTORY_API_BASE_URL_EU=$B FACTORY_APP_BASE_URL=$B FACTORY_WORKOS_BASE_URL=$B/workos/user_management
export FACTORY_TELEMETRY_INGEST_BASE_URL=$B FACTORY_PUBLIC_DOWNLOADS_BASE_URL=$B OTEL_CUSTOMER_ENDPOINT=$B/otel
export FACTORY_DISABLE_KEYRING=1 FACTORY_DROID_AUTO_UPDATE_ENABLED=false
export HTTP_PROXY=$P HTTPS_PROXY=$P ALL_PROXY=$P http_proxy=$P https_proxy=$P all_proxy=$P NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
EOV
mkdir -p /tmp/work
tmux -L fcauth new-session -d -s droid -x 120 -y 40 "cd /tmp/work && env -i bash -c 'source $OUT/env.sh; ${STRACE:-} ${FC:-/tmp/factorycli}/node_modules/.bin/droid; echo EXITED \$?; sleep 30'"
for i in $(seq 1 ${STEPS:-25}); do
  sleep 1
  tmux -L fcauth capture-pane -p -t droid > $OUT/screens/$i.txt 2>/dev/null
  for kv in ${KEYS_PLAN:-}; do [[ "${kv%%:*}" == "$i" ]] && tmux -L fcauth send-keys -t droid "${kv#*:}"; done
  [[ -z "${first:-}" ]] && ls $OUT/home/.factory/auth.v2.* >/dev/null 2>&1 && { first=$i; echo "auth files at step $i"; }
done
tmux -L fcauth kill-server
kill $SP $TP
