# Non-interactive auth v2 test: a CLI-format pair with an expired access token; `droid exec` (no FACTORY_API_KEY)
FC="${FC:-/tmp/factorycli}"
# refreshes it against the loopback WorkOS stand-in and rewrites auth.v2.file under auth.v2.write.lock.
# SCENARIO: none | stale-dead | live-owner | noowner-old | legacy-file
set -u
OUT=${FC:-/tmp/factorycli}/auth/refresh-$SCENARIO; rm -rf $OUT; mkdir -p $OUT/home/.factory
ip link set lo up
printf 'nameserver 127.0.0.1\n' > $OUT/resolv.conf; mount --bind $OUT/resolv.conf /etc/resolv.conf
node ${FC:-/tmp/factorycli}/capture-server.js --port 18080 --out $OUT/capture > $OUT/server.log 2>&1 & SP=$!
node ${FC:-/tmp/factorycli}/trap.js --port 18099 --log $OUT/trap.jsonl --dns-port 53 > $OUT/trap.log 2>&1 & TP=$!
sleep 0.5
F=$OUT/home/.factory
node ${FC:-/tmp/factorycli}/auth/make-auth-v2.js $F "$(node ${FC:-/tmp/factorycli}/auth/fake-jwt.js -3600)" FAKE_REFRESH_TOKEN_OLD
chmod 700 $F
L=$F/auth.v2.write.lock
case $SCENARIO in
  stale-dead) mkdir -m 700 $L; echo '{"token":"00000000-0000-4000-8000-000000000000","pid":999999}' > $L/owner.json ;;
  live-owner) sleep 300 & HOLD=$!; mkdir -m 700 $L; echo "{\"token\":\"00000000-0000-4000-8000-000000000001\",\"pid\":$HOLD}" > $L/owner.json ;;
  noowner-old) mkdir -m 700 $L; touch -d '-30 seconds' $L ;;
  noowner-new) mkdir -m 700 $L ;;
  legacy-file) echo '{"token":"00000000-0000-4000-8000-000000000002","pid":999999}' > $L ;;
esac
B=http://127.0.0.1:18080; P=http://127.0.0.1:18099
mkdir -p /tmp/work
t0=$(date +%s.%N)
(cd /tmp/work && env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TERM=dumb HOME=$OUT/home \
  FACTORY_API_BASE_URL=$B FACTORY_API_BASE_URL_EU=$B FACTORY_APP_BASE_URL=$B FACTORY_WORKOS_BASE_URL=$B/workos/user_management \
  FACTORY_TELEMETRY_INGEST_BASE_URL=$B FACTORY_PUBLIC_DOWNLOADS_BASE_URL=$B OTEL_CUSTOMER_ENDPOINT=$B/otel \
  FACTORY_DISABLE_KEYRING=1 FACTORY_DROID_AUTO_UPDATE_ENABLED=false \
  HTTP_PROXY=$P HTTPS_PROXY=$P ALL_PROXY=$P http_proxy=$P https_proxy=$P all_proxy=$P NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
  strace -f -qq -tt -e trace=mkdir,rename,unlink,unlinkat,rmdir,openat,kill,statx,newfstatat,lstat,stat -o $OUT/strace.txt \
  timeout 120 ${FC:-/tmp/factorycli}/node_modules/.bin/droid exec -m claude-opus-4-6 "Say OK" > $OUT/stdout 2> $OUT/stderr)
echo "exit $? after $(echo "$(date +%s.%N) - $t0" | bc) s"
[[ -n "${HOLD:-}" ]] && kill $HOLD
kill $SP $TP
