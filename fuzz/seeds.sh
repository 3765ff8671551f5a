#!/usr/bin/env bash
# Builds the fuzzers' seed corpus in $1/<target>/ from hand-made HTTP messages and the captured request bodies
# and SSE streams under tests/data. Each seed starts with the target's choice bytes (fuzz_common.h): for
# fuzz_request, the client format (0 Anthropic, 1 Chat, 2 Responses, 3 Gemini; +4 for passthrough edits) and
# a model pick; for fuzz_stream, upstream format + 4 x client format and a split seed; for fuzz_http, a mode
# (0 request head, 1 response head, 2 chunked body) and a split seed; for fuzz_upstream, the request's method (0
# POST, 1 HEAD) and a split seed, then a whole upstream response.
set -euo pipefail
out=${1:?usage: fuzz/seeds.sh OUTDIR}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/tests/data
rm -rf "$out"
mkdir -p "$out"/fuzz_http "$out"/fuzz_upstream "$out"/fuzz_request "$out"/fuzz_stream

n=0
seed() { # seed TARGET BYTE1 BYTE2 FILE-or-STRING
    local target=$1 b1=$2 b2=$3 src=$4
    n=$((n + 1))
    local f="$out/$target/seed-$n"
    printf "\\x$(printf %02x "$b1")\\x$(printf %02x "$b2")" >"$f"
    if [[ -f "$src" ]]; then cat "$src" >>"$f"; else printf '%b' "$src" >>"$f"; fi
}

# HTTP: requests as clients send them, upstream response heads, chunked bodies.
seed fuzz_http 0 1 'POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nContent-Type: application/json\r\nContent-Length: 2\r\nx-api-key: dummy\r\n\r\n{}'
seed fuzz_http 0 2 'POST /v1/chat/completions HTTP/1.1\r\nHost: localhost:3000\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n2\r\n{}\r\n0\r\n\r\n'
seed fuzz_http 0 3 'GET /v1/models HTTP/1.0\r\n\r\n'
seed fuzz_http 0 4 'POST /v1beta/models/gemini-3-flash-preview:streamGenerateContent?alt=sse HTTP/1.1\r\nHost: [::1]:3000\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n'
seed fuzz_http 1 5 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'
seed fuzz_http 1 6 'HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
seed fuzz_http 2 7 '5\r\nhello\r\na;ext=1\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n'
seed fuzz_http 2 8 '1000\r\n'

# Upstream responses as the upstream client reads them: chunked with extensions and trailers, 1xx before the
# answer, HEAD and 204, a short Content-Length, and the hostile ones (endless CRLF lines after a chunk, an endless
# trailer, huge and overflowing chunk-size lines, a head that never ends), then SSE streams below.
rep() { local out='' i; for ((i = 0; i < $2; i++)); do out+=$1; done; printf '%s' "$out"; }
ok='HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'
sse='HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n'
te='Transfer-Encoding: chunked\r\n\r\n'
seed fuzz_upstream 0 1 "$ok$te"'5;ext=1\r\n{"a":\r\n2\r\n1}\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n'
seed fuzz_upstream 0 2 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n'"$ok"'Content-Length: 2\r\n\r\n{}'
seed fuzz_upstream 1 3 "$ok"'Content-Length: 100\r\n\r\n'
seed fuzz_upstream 0 4 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'
seed fuzz_upstream 0 5 "$ok"'Content-Length: 10\r\nConnection: close\r\n\r\n{"a"'
seed fuzz_upstream 0 6 "$ok$te"'2\r\n{}'"$(rep '\r\n' 3000)"
seed fuzz_upstream 0 7 "$ok$te"'2\r\n{}\r\n0\r\nX-Trailer: '"$(rep a 6000)"
seed fuzz_upstream 0 8 "$ok$te$(rep 0 5000)"'2\r\n{}\r\n0\r\n\r\n'
seed fuzz_upstream 0 9 "$ok$te"'2;'"$(rep x 5000)"'\r\n{}\r\n0\r\n\r\n'
seed fuzz_upstream 0 10 "$ok$te"'ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n'
seed fuzz_upstream 0 11 "$ok"'X-Long: '"$(rep b 70000)"
seed fuzz_upstream 0 12 "$sse$te"'1c\r\nevent: ping\ndata: {"a":1}\n\n\r\n0\r\n\r\n'
seed fuzz_upstream 0 13 'HTTP/1.1 301 Moved\r\nLocation: http://elsewhere/\r\nContent-Length: 0\r\n\r\n'

format_of_path() {
    case "$1" in
    *"/v1/messages"*) echo 0 ;; *"/v1/chat/completions"*) echo 1 ;; *"/v1/responses"*) echo 2 ;; *"v1beta"*) echo 3 ;; *) echo -1 ;;
    esac
}
# Requests of real coding agents, and the SSE they got back.
while read -r name _ path _; do
    name=${name%:}
    fmt=$(format_of_path "$path")
    (( fmt >= 0 )) || continue
    [[ -f "$data/agents/$name.json" ]] && seed fuzz_request "$fmt" 3 "$data/agents/$name.json"
    [[ -f "$data/agents/$name.json" ]] && seed fuzz_request $((fmt + 4 + 16 * (n % 8))) $((n % 64)) "$data/agents/$name.json"
    if [[ -f "$data/agents/$name.response.sse" ]]; then
        for client in 0 1 2 3; do seed fuzz_stream $((fmt + 4 * client)) $((n % 256)) "$data/agents/$name.response.sse"; done
    fi
done <"$data/agents/INDEX.txt"
# The test suite's own stream transcripts (answer.<format>.sse, think.<format>.sse, ...).
for f in "$data"/transcripts/streams/*.sse; do
    case "$f" in
    *.anthropic.sse) fmt=0 ;; *.chat.sse) fmt=1 ;; *.responses.sse) fmt=2 ;; *.gemini.sse) fmt=3 ;; *) continue ;;
    esac
    for client in 0 1 2 3; do seed fuzz_stream $((fmt + 4 * client)) $((n % 256)) "$f"; done
    # The same stream from an upstream, its body ending with the connection.
    seed fuzz_upstream 0 $((n % 256)) "$sse"'\r\n'
    cat "$f" >>"$out/fuzz_upstream/seed-$n"
done
for f in "$data"/transcripts/requests/*.json; do
    case "$f" in
    *anthropic*) fmt=0 ;; *chat*) fmt=1 ;; *responses*) fmt=2 ;; *gemini*) fmt=3 ;; *) continue ;;
    esac
    seed fuzz_request "$fmt" 1 "$f"
done
echo "fuzz seeds: $(ls "$out"/fuzz_http | wc -l) http, $(ls "$out"/fuzz_upstream | wc -l) upstream," \
    "$(ls "$out"/fuzz_request | wc -l) request, $(ls "$out"/fuzz_stream | wc -l) stream in $out"
