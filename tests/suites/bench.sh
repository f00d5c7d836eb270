# tests/suites/bench.sh - the benchmark report and plot code, on synthetic data.
# Sourced by tests/run.sh, whose pass/fail functions and $logs it uses.
#
# tests/bench/test_report.py feeds made-up samples (no VM, nothing timed)
# through bench/report.py, bench/plot.py (gnuplot) and bench/summary.py and
# checks the table rows and that each PNG is a PNG; one PASS/FAIL per case.

host_cases bench-report bench. tests/bench/test_report.py
