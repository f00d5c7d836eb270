# tests/suites/bench.sh - the benchmark report and plot code, on synthetic data.
# Sourced by tests/run.sh, whose pass/fail functions and $logs it uses.
#
# tests/bench/test_report.py feeds made-up samples (no VM, nothing timed)
# through bench/report.py, bench/plot.py (gnuplot) and bench/summary.py and
# checks the table rows and that each PNG is a PNG; one PASS/FAIL per case.

out=$(timeout 300 python3 tests/bench/test_report.py 2>&1)
rc=$?
printf '%s\n' "$out" > "$logs/bench-report.log"
while read -r verdict name rest; do
    if [ "$verdict" = PASS ]; then pass "bench.$name"; else fail "bench.${name%:}" "$rest"; fi
done < <(grep -E '^(PASS|FAIL) ' <<<"$out")
if [ $rc -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
    fail bench-report "test_report.py exited with status $rc"
fi
