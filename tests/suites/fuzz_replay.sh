# tests/suites/fuzz_replay.sh - replays the fuzz corpora (sourced by tests/run.sh).
#
# Each harness tests/fuzz/fuzz_TARGET.c runs once over every input of
# tests/fuzz/corpus/TARGET, without mutation, in its gcc build
# (BUILD/fuzz/replay/, made by `make check`: no clang needed); the PMI
# fuzzer replays tests/fuzz/corpus/pmi the same way. A crash, a sanitizer
# report, a broken property or a hang fails the target and names the input.
#
# tests/fuzz/corpus-known/TARGET holds reproducers of known, open bugs
# (tests/fuzz/corpus-known/README.md): each is a SKIP while it still
# crashes, and a PASS once the bug is fixed (then move it to the corpus).

fuzz_replay_run() {     # NAME LOG COMMAND...: pass or fail on COMMAND's status
    local name=$1 log=$2 rc input
    shift 2
    "$@" > "$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        pass "$name"
        return
    fi
    input=$(sed -n 's/^input \([^ ]*\).*/\1/p' "$log" | tail -n 1)
    if [ $rc -eq 124 ]; then
        fail "$name" "hangs on ${input:-?}"
    else
        fail "$name" "crashed (status $rc) on ${input:-?}: $(grep -m 1 -E 'ERROR|property broken|runtime error|raised|blocked' "$log")"
    fi
}

for src in tests/fuzz/fuzz_*.c; do
    t=${src#tests/fuzz/fuzz_}
    t=${t%.c}
    bin=$build/fuzz/replay/fuzz_$t
    if [ ! -x "$bin" ]; then
        fail "fuzz-replay.$t" "$bin not built (make check builds it, or make fuzz-replay)"
    elif [ ! -d "tests/fuzz/corpus/$t" ]; then
        fail "fuzz-replay.$t" "no corpus tests/fuzz/corpus/$t"
    else
        fuzz_replay_run "fuzz-replay.$t" "$logs/fuzz-replay.$t.log" \
            timeout 300 "$bin" "tests/fuzz/corpus/$t"
    fi
done
fuzz_replay_run fuzz-replay.pmi "$logs/fuzz-replay.pmi.log" \
    timeout 300 python3 tests/fuzz/fuzz_pmi.py --replay tests/fuzz/corpus/pmi

for known in tests/fuzz/corpus-known/*/*; do
    [ -f "$known" ] || continue
    t=$(basename "$(dirname "$known")")
    name=fuzz-known.$t.$(basename "$known")
    if [ "$t" = pmi ]; then
        cmd=(python3 tests/fuzz/fuzz_pmi.py --replay --known)
    else
        cmd=("$build/fuzz/replay-known/fuzz_$t")
        if [ ! -x "${cmd[0]}" ]; then
            fail "$name" "${cmd[0]} not built (FUZZ_KNOWN_TARGETS in tests/fuzz/fuzz.mk)"
            continue
        fi
    fi
    # One input runs in milliseconds; the slowest known one blocks for 5 s.
    if timeout 15 "${cmd[@]}" "$known" > "$logs/$name.log" 2>&1; then
        pass "$name"
    else
        skip "$name" "known bug still open (tests/fuzz/corpus-known/README.md)"
    fi
done
