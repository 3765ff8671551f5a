#!/usr/bin/env bash
# Runs the four fuzzers of a DROID2API_FUZZ build over the seeds of fuzz/seeds.sh.
#   fuzz/run.sh BUILD smoke     fixed seed and a fixed number of inputs per target, into a fresh corpus: the same
#                               inputs every time, so `make test` is deterministic (about 25 s in all)
#   fuzz/run.sh BUILD SECONDS   SECONDS per target, random seed, growing BUILD/corpus/<target> across runs
# Any crash, leak, sanitizer report, timeout (10 s per input) or out-of-memory (2 GiB) fails; the input that
# did it is kept in BUILD/artifacts/ (replay: BUILD/fuzz/<target> BUILD/artifacts/<file>).
set -euo pipefail
build=${1:?usage: fuzz/run.sh BUILD smoke|SECONDS}; mode=${2:?usage: fuzz/run.sh BUILD smoke|SECONDS}
mkdir -p "$build/artifacts"
common=(-max_len=131072 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/artifacts/" -print_final_stats=1)
declare -A smoke_runs=([fuzz_http]=200000 [fuzz_upstream]=15000 [fuzz_stream]=15000 [fuzz_request]=15000)
status=0
for t in fuzz_http fuzz_upstream fuzz_stream fuzz_request; do
    log="$build/$t.log"
    if [[ "$mode" == smoke ]]; then
        work=$(mktemp -d)
        args=(-seed=1 -runs="${smoke_runs[$t]}" "$work" "$build/seeds/$t")
    else
        work=
        mkdir -p "$build/corpus/$t"
        args=(-max_total_time="$mode" "$build/corpus/$t" "$build/seeds/$t")
    fi
    start=$SECONDS
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$build/fuzz/$t" "${common[@]}" "${args[@]}" >"$log" 2>&1; then
        echo "ok - $t: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$') inputs, $(grep -o 'cov: [0-9]*' "$log" | tail -n 1) in $((SECONDS - start)) s"
    else
        echo "not ok - $t (log: $log)"
        grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 20
        status=1
    fi
    [[ -n "$work" ]] && rm -rf "$work"
done
exit $status
