# mpich.sh - a quick subset of MPICH's own test suite in `make check`:
# the entries of mpi-port/testsuite/quick.txt (two or three per list,
# chosen among the fast ones), built and run by mpi-port/testsuite/run.sh
# exactly as `make check-mpich` runs the whole filtered suite (runtests'
# rule: exit 0 and only " No Errors"). One PASS/FAIL per test.
# Sourced by tests/run.sh, whose pass/fail functions and $build, $logs it uses.
# shellcheck shell=bash disable=SC2154  # sourced by tests/run.sh (build, logs)

mpich_quick() {
    local out=$build/mpich-quick line verdict test reason
    HERMIT_BUILD=$build mpi-port/testsuite/run.sh --select mpi-port/testsuite/quick.txt \
        --out "$out" > "$logs/mpich-quick.log" 2>&1
    if [ ! -s "$out/results.txt" ]; then
        fail mpich.quick "run.sh produced no results (log: $logs/mpich-quick.log)"
        tail -n 15 "$logs/mpich-quick.log" | sed 's/^/    | /'
        return
    fi
    [ -f "$out/failures.txt" ] && cp "$out/failures.txt" "$logs/mpich-quick-failures.log"
    # results.txt: "VERDICT DIR/PROGRAM NP [KEY=VALUE...]  (...)[: reason]"
    while IFS= read -r line; do
        verdict=${line%% *}
        test=$(sed -E 's/^[A-Z]+ +//; s/  \(.*$//; s/ /:/g' <<<"$line")
        reason=$(sed -nE 's/^[^(]*\([^)]*\): //p' <<<"$line")
        case "$verdict" in
        PASS) pass "mpich.$test" ;;
        *) fail "mpich.$test" "${verdict}${reason:+: $reason}" ;;
        esac
    done < "$out/results.txt"
}
mpich_quick
