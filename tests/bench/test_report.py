#!/usr/bin/env python3
"""test_report.py - host test of the benchmark report and plot code.

    python3 tests/bench/test_report.py

Feeds synthetic samples (no VM, no timing) through bench/report.py,
bench/plot.py and bench/summary.py in a temporary folder, and checks the
numbers in the markdown tables, that each PNG exists and starts with the
PNG signature, and that bad input gets a clear error. Prints one
"PASS name" / "FAIL name: reason" line per case (tests/suites/bench.sh
reads them) and exits non-zero if any failed.
"""

import csv
import os
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, ROOT)
from bench import plot, report, summary  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
failures = 0


def check(name, ok, why=""):
    global failures
    if ok:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}")


def is_png(path):
    if not os.path.isfile(path) or os.path.getsize(path) < 100:
        return False
    with open(path, "rb") as f:
        return f.read(8) == PNG_MAGIC


def synthetic(out):
    """The four files the benchmarks write, plus an OSU-style CSV, with known medians."""
    boot = []
    for rep, system in report.interleave(3):
        base = 10 if system == "hermit" else 100          # medians 20 and 200
        if system == "hermit":
            boot.append(report.sample(system, "guest_entry_to_main", 5 * rep, rep, unit="us"))
        boot.append(report.sample(system, "host_start_to_main", base * (rep + 1), rep, unit="ms"))
        boot.append(report.sample(system, "host_start_to_exit", base * (rep + 2), rep, unit="ms"))
    report.write_samples(os.path.join(out, "boot.csv"), boot)
    with open(os.path.join(out, "boot.md"), "w") as f:
        f.write("# Boot\n\n" + report.table(boot, [
            dict(metric="host_start_to_main", label="host start → main (ms)",
                 goal="≤ 0.05", ok=lambda r: r <= 0.05),
            dict(metric="guest_entry_to_main", label="guest entry → main (µs)")], goals=True))

    fwq = [report.sample(system, "fwq_duration", 20000 + (i % 50 == 0) * (3000 + i), rep,
                         f"smp={smp} cpu=0", "ticks")
           for smp in (1, 2) for rep, system in report.interleave(2) for i in range(200)]
    report.write_samples(os.path.join(out, "noise_fwq.csv"), fwq)

    net = []
    for rep, system in report.interleave(2):
        k = 1 if system == "hermit" else 2
        for size in (8, 1024, 65536):
            net.append(report.sample(system, "pingpong_rtt", k * (100 + size / 100), rep, size, "us"))
        net.append(report.sample(system, "stream_bw", 50 * k + rep, rep, "", "MB/s"))
    report.write_samples(os.path.join(out, "net.csv"), net)

    with open(os.path.join(out, "osu.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["system", "benchmark", "size", "value"])
        for system, k in (("hermit", 1.0), ("linux", 4.0)):
            for bench in ("osu_latency", "osu_bw", "osu_allreduce"):
                for size in (1, 8, 64, 1024, 65536, 1048576):
                    w.writerow([system, bench, size, k * (size ** 0.5 + 2)])
    return boot


def test_report_functions():
    check("report-summary", report.summary([3, 1, 2, 10]) == (2.5, 1, 10),
          str(report.summary([3, 1, 2, 10])))
    order = list(report.interleave(2))
    check("report-interleave", order == [(1, "hermit"), (1, "linux"), (2, "hermit"), (2, "linux")],
          str(order))
    rows = [report.sample("hermit", "m", v, i + 1, 8) for i, v in enumerate((1, 2, 3))] + \
           [report.sample("linux", "m", v, i + 1, 8) for i, v in enumerate((4, 8, 6))]
    text = report.table(rows, [dict(metric="m", param="8", label="m 8 B", scale=0.5)])
    want = "| m 8 B | 1 [0.500–1.50] | 3 [2–4] | 0.333 |"
    check("report-table-row", want in text.splitlines(), text)


def test_goals():
    rows = [report.sample("hermit", "m", 20, 1, 8), report.sample("linux", "m", 40, 1, 8)]
    low = dict(metric="m", param="8", label="m", goal="≥ 0.8", ok=lambda r: r >= 0.8,
               limit="Why.")
    high = dict(metric="m", param="8", label="m", goal="≤ 0.5", ok=lambda r: r <= 0.5,
                limit="Never shown.")
    check("goal-missed-by", report.verdict(low, 0.5) == "missed by 38 %", report.verdict(low, 0.5))
    check("goal-met", report.verdict(high, 0.5) == "met", report.verdict(high, 0.5))
    check("limits-missed", "- m: missed by 38 %. Why." in report.limits(rows, [low]).splitlines(),
          report.limits(rows, [low]))
    check("limits-none-when-met", report.limits(rows, [high]) == "", report.limits(rows, [high]))


def test_summary(out):
    synthetic(out)
    readme, ok = summary.build(out)
    check("summary-plots-ok", ok, "summary.build reported a plot failure")
    pngs = ["boot.png", "noise_hist.png", "net_latency.png", "net_stream.png",
            "osu_latency.png", "osu_bw.png", "osu_allreduce.png"]
    for png in pngs:
        check(f"png-{png}", is_png(os.path.join(out, png)), "missing or not a PNG")
    with open(readme) as f:
        text = f.read()
    lines = text.splitlines()
    check("readme-boot-row",
          "| host start → main (ms) | 30 [20–40] | 300 [200–400] | 0.100 | ≤ 0.05 missed by 100 % |"
          in lines, "boot row not as expected")
    check("readme-boot-linux-na", any(l.startswith("| guest entry → main (µs) | 10 [5–15] ")
                                      and "| n/a | n/a |" in l for l in lines),
          "guest entry row should have n/a for Linux")
    check("readme-osu-row", "| osu_latency 8 B | 4.83 [4.83–4.83] | 19.3 [19.3–19.3] | 0.250 |"
          in lines, "OSU table row not as expected")
    for png in pngs:
        check(f"readme-links-{png}", f"]({png})" in text, "no link")
    check("readme-headings", "## Boot" in lines and "## osu" in lines, "section headings")


def test_cli(out):
    osu = os.path.join(out, "osu.csv")
    sub = os.path.join(out, "cli")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "plot.py"), osu, sub],
                       capture_output=True, text=True, timeout=120)
    made = r.stdout.split()
    check("plot-cli-osu", r.returncode == 0 and len(made) == 3 and all(map(is_png, made)),
          f"status {r.returncode}: {r.stdout}{r.stderr}")
    bad = os.path.join(out, "bad.csv")
    with open(bad, "w") as f:
        f.write("system,benchmark,size\nhermit,osu_latency,8\n")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "plot.py"), bad, sub],
                       capture_output=True, text=True, timeout=120)
    check("plot-cli-bad-csv", r.returncode == 1 and r.stderr.count("\n") == 1
          and "columns" in r.stderr, f"status {r.returncode}: {r.stderr}")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "plot.py"),
                        os.path.join(out, "missing.csv"), sub],
                       capture_output=True, text=True, timeout=120)
    check("plot-cli-missing", r.returncode == 2 and "no such file" in r.stderr,
          f"status {r.returncode}: {r.stderr}")


def main():
    test_report_functions()
    test_goals()
    with tempfile.TemporaryDirectory(prefix="bench-report-test-") as out:
        try:
            test_summary(out)
            test_cli(out)
        except Exception as e:          # one clear FAIL line, not a traceback only
            check("bench-report", False, f"{type(e).__name__}: {e}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
