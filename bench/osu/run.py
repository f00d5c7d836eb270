#!/usr/bin/env python3
"""run.py - runs one OSU-compatible benchmark (bench/osu/) on one or more
systems, interleaved and repeated, and writes the rows as CSV.

    bench/osu/run.py [--systems hermit[,linux]] [--repeat R] [-n N]
                     [--timeout S] [--csv FILE] BENCHMARK [-- BENCHMARK-ARGS...]

    bench/osu/run.py --repeat 3 --csv lat.csv osu_latency -- -m 1:1048576

A system is a launcher command prefix plus where its binary of each
benchmark lives (SYSTEMS below). Runs go A B A B ... (each repetition runs
every system once) so that slow drift of a shared host hits all systems
alike. Each run's output is parsed with osu_table.py into rows (size,
value[, min, max]); the CSV has one line per system, run and size:

    system,benchmark,nprocs,run,size,value,min,max,rate,unit

(size is empty for osu_barrier, min/max only with -f, rate only for
osu_mbw_mr); each run's raw output goes beside it, FILE-SYSTEM-RUN.log. A summary table of per-size medians (and min-max over runs)
goes to stdout; progress to stderr. Exits 1 if any run fails, 2 on bad usage.
Times are the guests' clocks under TCG: compare systems only within one
session and configuration.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import osu_table  # noqa: E402

MPIRUN = os.path.join(ROOT, "cluster", "hermit-mpirun")
BENCHMARKS = ["osu_latency", "osu_bw", "osu_bibw", "osu_mbw_mr", "osu_multi_lat",
              "osu_barrier", "osu_bcast", "osu_reduce", "osu_allreduce", "osu_gather",
              "osu_scatter", "osu_allgather", "osu_alltoall", "osu_reduce_scatter",
              "osu_init", "osu_hello"]
TWO_RANKS = {"osu_latency", "osu_bw", "osu_bibw", "osu_init", "osu_hello"}


class System:
    """How to launch one system's build of a benchmark on N VMs."""

    def __init__(self, name, launcher, binary, how_to_build):
        self.name = name
        self.launcher = launcher            # command prefix; -n N --timeout S follow
        self.binary = binary                # benchmark name -> path of its program
        self.how_to_build = how_to_build    # said when the program is missing

    def command(self, bench, nprocs, timeout, args):
        return self.launcher + ["-n", str(nprocs), "--timeout", str(timeout),
                                self.binary(bench)] + args

    def missing(self, bench):
        path = self.binary(bench)
        return None if os.path.exists(path) else f"{path} does not exist ({self.how_to_build})"


# Adding a system is one entry here.
SYSTEMS = {
    "hermit": System("hermit", [MPIRUN],
                     lambda b: os.path.join(ROOT, os.environ.get("BUILD") or "build", "osu",
                                            b + ".elf"),
                     "run 'make' to build the images"),
    # The Linux guest: the same sources built by bench/baseline/linux-mpicc
    # (make osu-linux), booted by the same launcher.
    "linux": System("linux", [MPIRUN, "--guest", "linux"],
                    lambda b: os.path.join(ROOT, os.environ.get("BUILD") or "build", "osu-linux", b),
                    "build it with bench/baseline/linux-mpicc"),
}


def say(msg):
    print(f"osu-run: {msg}", file=sys.stderr, flush=True)


def unit_of(table):
    cols = " ".join(table.columns)
    return "MB/s" if "MB/s" in cols else "us"


def rows_of(table):
    """(size, value, min, max, rate) from a parsed table."""
    full = any(c.startswith("Min Latency") for c in table.columns)
    rate = any(c.startswith("Messages/s") for c in table.columns)
    out = []
    for row in table.rows:
        size, values = row[0], row[1:]
        out.append((size, values[0],
                    values[1] if full else None, values[2] if full else None,
                    values[1] if rate else None))
    return out


def run_once(system, bench, nprocs, timeout, args, log):
    cmd = system.command(bench, nprocs, timeout, args)
    started = time.monotonic()
    # Stream the output: each table row shows as progress while a long run goes.
    # The launcher's own --timeout ends a stuck job; it is given to it above.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         errors="replace")
    lines = []
    for line in p.stdout:
        lines.append(line)
        if line[:1].isdigit() or line.startswith(" "):
            say(f"  {system.name}: {line.rstrip()}")
    status = p.wait()
    output = "".join(lines)
    took = time.monotonic() - started
    if log:
        with open(log, "w") as f:
            f.write(" ".join(cmd) + "\n" + output)
    if status != 0:
        tail = "\n".join(output.splitlines()[-10:])
        raise RuntimeError(f"{' '.join(cmd)}: status {status}\n{tail}")
    if bench in ("osu_init", "osu_hello"):
        title, nums = osu_table.parse_startup(output)
        if not nums:
            raise RuntimeError(f"{' '.join(cmd)}: no result line")
        # osu_init: value = avg ms, min, max; osu_hello: nprocs only.
        rows = [(None, nums[3], nums[1], nums[2], None)] if len(nums) == 4 else \
               [(None, nums[0], None, None, None)]
        return rows, ("ms" if len(nums) == 4 else "procs"), took
    table = osu_table.parse(output)
    if table is None or not table.rows:
        raise RuntimeError(f"{' '.join(cmd)}: no OSU table in the output")
    return rows_of(table), unit_of(table), took


def failure_reason(message):
    """The launcher's status and the most telling line of a failed run's output."""
    lines = message.splitlines()
    status = lines[0].rsplit(": ", 1)[-1] if lines else "?"
    for test in (lambda l: "errno" in l, lambda l: "error" in l.lower(),
                 lambda l: l.startswith("hermit-")):
        telling = [l for l in lines[1:] if test(l)]
        if telling:
            return f"{status}: {telling[-1].strip()}"
    return status


def failures_path(csv_path):
    return f"{os.path.splitext(csv_path)[0]}-failures.csv"


def write_failures(csv_path, failures):
    """Beside the rows: one line per failed run (none: the file is removed)."""
    path = failures_path(csv_path)
    if not failures:
        if os.path.exists(path):
            os.remove(path)
        return
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(failures[0].keys()))
        w.writeheader()
        w.writerows(failures)


def summary(records, systems):
    """Per size: each system's median over runs (min-max), and ratios to the first."""
    sizes = []
    for r in records:
        if r["size"] not in sizes:
            sizes.append(r["size"])
    head = f"{'size':>10}" + "".join(f"{s + ' median':>18}{'(min-max)':>24}" for s in systems)
    if len(systems) > 1:
        head += "".join(f"{s + '/' + systems[0]:>16}" for s in systems[1:])
    lines = [head]
    for size in sizes:
        med = {}
        line = f"{'' if size is None else size:>10}"
        for s in systems:
            vals = [r["value"] for r in records if r["size"] == size and r["system"] == s]
            if not vals:
                line += f"{'-':>18}{'':>24}"
                continue
            med[s] = statistics.median(vals)
            line += f"{med[s]:>18.2f}{f'({min(vals):.2f}-{max(vals):.2f})':>24}"
        for s in systems[1:]:
            ok = s in med and systems[0] in med and med[systems[0]]
            line += f"{med[s] / med[systems[0]]:>16.3f}" if ok else f"{'-':>16}"
        lines.append(line)
    return "\n".join(lines)


def main(argv):
    ap = argparse.ArgumentParser(description="run an OSU benchmark on hermit (and other) VMs")
    ap.add_argument("--systems", default="hermit", help="comma-separated, from: " + ", ".join(SYSTEMS))
    ap.add_argument("--repeat", type=int, default=1, help="runs per system (interleaved)")
    ap.add_argument("-n", type=int, help="VMs (default 2 for point-to-point, else 4)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per run")
    ap.add_argument("--csv", help="write the rows here")
    ap.add_argument("benchmark", choices=BENCHMARKS, metavar="BENCHMARK")
    ap.add_argument("args", nargs=argparse.REMAINDER, help="after --: the benchmark's options")
    a = ap.parse_args(argv)
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    systems = [s for s in a.systems.split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            ap.error(f"unknown system '{s}' (known: {', '.join(SYSTEMS)})")
        why = SYSTEMS[s].missing(a.benchmark)
        if why:
            ap.error(f"system '{s}': {why}")
    if a.repeat < 1 or a.timeout < 1:
        ap.error("--repeat and --timeout must be at least 1")
    if a.csv:
        os.makedirs(os.path.dirname(os.path.abspath(a.csv)), exist_ok=True)
    nprocs = a.n or (2 if a.benchmark in TWO_RANKS else 4)

    records, failures = [], []
    for rep in range(a.repeat):
        for s in systems:
            say(f"{a.benchmark} on {s}, run {rep + 1}/{a.repeat}, {nprocs} VMs ...")
            try:
                # With --csv, each run's raw output is kept beside it.
                log = f"{os.path.splitext(a.csv)[0]}-{s}-{rep + 1}.log" if a.csv else None
                rows, unit, took = run_once(SYSTEMS[s], a.benchmark, nprocs, a.timeout, args, log)
            except RuntimeError as e:
                # One failed run must not hide the others: it is recorded,
                # counted in the exit status, and the series goes on.
                say(f"FAILED: {e}")
                failures.append({"system": s, "benchmark": a.benchmark, "run": rep + 1,
                                 "reason": failure_reason(str(e))})
                continue
            say(f"  {len(rows)} rows in {took:.1f} s")
            for size, value, lo, hi, rate in rows:
                records.append({"system": s, "benchmark": a.benchmark, "nprocs": nprocs,
                                "run": rep + 1, "size": size, "value": value, "min": lo,
                                "max": hi, "rate": rate, "unit": unit})
    if a.csv:
        write_failures(a.csv, failures)
    if not records:
        return 1
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(records[0].keys()))
            w.writeheader()
            for r in records:
                w.writerow({k: ("" if v is None else v) for k, v in r.items()})
        say(f"wrote {a.csv}")
    print(f"# {a.benchmark} {' '.join(args)}: {nprocs} VMs, {a.repeat} run(s) per system, "
          f"unit {records[0]['unit']}")
    print(summary(records, systems))
    for f in failures:
        print(f"# FAILED: {f['system']} run {f['run']}: {f['reason']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
