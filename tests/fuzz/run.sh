#!/usr/bin/env bash
# Runs the fuzz targets one after the other (make fuzz calls it).
#
#   tests/fuzz/run.sh BUILD SECONDS TARGET...
#
# A C target runs its libFuzzer build (BUILD/fuzz/bin/fuzz_TARGET) on a
# working corpus BUILD/fuzz/TARGET/corpus (new inputs land there) plus the
# seeds in tests/fuzz/corpus/TARGET; its log is BUILD/fuzz/TARGET/log and
# a crash is written to BUILD/fuzz/TARGET/crash-* (libFuzzer stops at the
# first). pmi runs tests/fuzz/fuzz_pmi.py likewise. One line per target:
# executions, executions per second, coverage (libFuzzer's cov = edges,
# ft = features; for pmi the line arcs of cluster/pmi.py), corpus size,
# and the crash if any. Exits 1 if any target crashed.
set -u

build=$1
seconds=$2
shift 2
status=0

stat_of() {     # stat_of LOG NAME: a value of libFuzzer's -print_final_stats
    sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

for t in "$@"; do
    dir=$build/fuzz/$t
    mkdir -p "$dir/corpus"
    # Crashes of earlier runs stay (they may be the only copy); only new ones count.
    touch "$dir/.start"
    if [ "$t" = pmi ]; then
        python3 tests/fuzz/fuzz_pmi.py --seconds "$seconds" --work "$dir" \
            tests/fuzz/corpus/pmi > "$dir/log" 2>&1
        rc=$?
        summary=$(grep '^pmi: ' "$dir/log" | tail -n 1)
        echo "fuzz ${summary:-pmi: no summary (see $dir/log)}"
    else
        bin=$build/fuzz/bin/fuzz_$t
        if [ ! -x "$bin" ]; then
            echo "fuzz $t: no such target ($bin)"
            status=1
            continue
        fi
        "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
            -max_len=8192 -artifact_prefix="$dir/" "$dir/corpus" "tests/fuzz/corpus/$t" \
            > "$dir/log" 2>&1
        rc=$?
        runs=$(stat_of "$dir/log" number_of_executed_units)
        rate=$(stat_of "$dir/log" average_exec_per_sec)
        last=$(grep -E '^#[0-9]+.*cov: ' "$dir/log" | tail -n 1)
        cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
        ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
        corp=$(sed -n 's/.*corp: \([0-9]*\).*/\1/p' <<<"$last")
        echo "fuzz $t: ${runs:-?} executions (${rate:-?}/s), cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}"
    fi
    crashes=$(find "$dir" -maxdepth 1 -newer "$dir/.start" \( -name 'crash-*' -o -name 'timeout-*' \
                   -o -name 'leak-*' -o -name 'oom-*' \) | tr '\n' ' ')
    if [ -n "$crashes" ] || [ "$rc" -ne 0 ]; then
        status=1
        echo "  CRASH in $t (exit $rc): ${crashes:-no artifact} (log: $dir/log)"
        grep -m 3 -E 'ERROR: |property broken|runtime error|Traceback|blocked' "$dir/log" | sed 's/^/    | /'
    fi
done
exit $status
