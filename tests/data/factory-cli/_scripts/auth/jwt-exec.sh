set -u
FC="${FC:-/tmp/factorycli}"
OUT=${FC:-/tmp/factorycli}/auth/jwt-exec
ip link set lo up
printf 'nameserver 127.0.0.1\n' > $OUT/resolv.conf; mount --bind $OUT/resolv.conf /etc/resolv.conf
node ${FC:-/tmp/factorycli}/capture-server.js --port 18080 --out $OUT/capture > $OUT/server.log 2>&1 & SP=$!
node ${FC:-/tmp/factorycli}/trap.js --port 18099 --log $OUT/trap.jsonl --dns-port 53 > $OUT/trap.log 2>&1 & TP=$!
sleep 0.5
B=http://127.0.0.1:18080; P=http://127.0.0.1:18099
curl -s -X POST --data jwt $B/__ctl/label >/dev/null
mkdir -p $OUT/cwd /tmp/work; mount --bind $OUT/cwd /tmp/work
(cd /tmp/work && env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TERM=dumb HOME=$OUT/home \
  FACTORY_API_BASE_URL=$B FACTORY_API_BASE_URL_EU=$B FACTORY_APP_BASE_URL=$B FACTORY_WORKOS_BASE_URL=$B/workos/user_management \
  FACTORY_TELEMETRY_INGEST_BASE_URL=$B FACTORY_PUBLIC_DOWNLOADS_BASE_URL=$B OTEL_CUSTOMER_ENDPOINT=$B/otel \
  FACTORY_DISABLE_KEYRING=1 FACTORY_DROID_AUTO_UPDATE_ENABLED=false \
  HTTP_PROXY=$P HTTPS_PROXY=$P ALL_PROXY=$P http_proxy=$P https_proxy=$P all_proxy=$P NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
  timeout 60 ${FC:-/tmp/factorycli}/node_modules/.bin/droid exec -m gpt-5.4 -r low "Say OK" > $OUT/stdout 2> $OUT/stderr)
echo "exit $?"
kill $SP $TP
