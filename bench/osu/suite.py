#!/usr/bin/env python3
"""suite.py - the OSU stage of `make bench`: HermitCore-C against the
Linux guest on the headline benchmarks, with the issue's goals.

    bench/osu/suite.py [--quick] [--repeat R] OUTDIR

Builds the Linux twins of the benchmarks (make osu-linux), then runs each
PLAN entry through bench/osu/run.py on both systems, interleaved and
repeated, in the same QEMU configuration (hermit-mpirun's defaults: one
vCPU and 256 MiB per VM, the vde cluster network). Writes

    OUTDIR/osu.csv     system, benchmark, nprocs, size, rep, value, unit
                       (the OSU-style rows bench/plot.py draws per benchmark)
    OUTDIR/osu.md      the goals table, then every size of every benchmark
    OUTDIR/osu-runs/   each run's CSV and raw output

Iterations are far below OSU's defaults (10,000 / 1,000 for latency):
under TCG a round trip costs hundreds of microseconds, and the point is
the ratio of two systems measured alike, not absolute numbers.
"""

import argparse
import csv
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import report  # noqa: E402

RUN = os.path.join(HERE, "run.py")

# benchmark, VMs, full-run options, quick-run options
PLAN = [
    ("osu_latency", 2, "-m 1:1048576 -i 100 -x 10", "-m 1:1024 -i 20 -x 2"),
    ("osu_bw", 2, "-m 1:1048576 -i 5 -x 1", "-m 1024:65536 -i 2 -x 1"),
    ("osu_bibw", 2, "-m 65536:1048576 -i 5 -x 1", "-m 65536:65536 -i 2 -x 1"),
    ("osu_allreduce", 4, "-m 4:65536 -i 50 -x 5", "-m 8:1024 -i 10 -x 2"),
]

# The goals, as ratios HermitCore-C / Linux guest of the medians.
GOALS = [
    dict(metric="osu_latency", param="8", label="osu_latency 8 B (us)",
         goal="≤ 0.5", ok=lambda r: r <= 0.5),
    dict(metric="osu_bw", param="1048576", label="osu_bw 1 MiB (MB/s)",
         goal="≥ 1.5", ok=lambda r: r >= 1.5,
         limit="The vde switch drops parts of bursts (its unix datagram sockets' buffers "
               "fill). NewReno repairs the holes of a window one round trip apart, but a "
               "lost tail still waits for the 150 ms retransmission timeout (no SACK, no "
               "tail-loss probe: docs/bench-net.md); `--kopt stats` counts them "
               "(`tcp ... rto`)."),
    dict(metric="osu_bibw", param="1048576", label="osu_bibw 1 MiB (MB/s)",
         goal="≥ 1.5", ok=lambda r: r >= 1.5),
    dict(metric="osu_allreduce", param="8", label="osu_allreduce 8 B, 4 VMs (us)",
         goal="≤ 0.5", ok=lambda r: r <= 0.5,
         limit="Four VMs share the host's CPUs under TCG, so the ratio moves by several "
               "hundredths between runs; the per-message path is in the icount table."),
]


def run_plan(out, quick, repeat):
    runs = os.path.join(out, "osu-runs")
    os.makedirs(runs, exist_ok=True)
    rows, failed, lost = [], [], []
    for n, (bench, vms, full, short) in enumerate(PLAN, 1):
        args = (short if quick else full).split()
        report.say("osu", f"[{n}/{len(PLAN)}] {bench} on {vms} VMs: {' '.join(args)}, "
                   f"{repeat} run(s) per system")
        part = os.path.join(runs, f"{bench}.csv")
        status = subprocess.call([RUN, "--systems", "hermit,linux", "--repeat", str(repeat),
                                  "-n", str(vms), "--csv", part, bench, "--"] + args)
        if status != 0:
            failed.append(bench)
        failures = os.path.join(runs, f"{bench}-failures.csv")
        if os.path.exists(failures):
            with open(failures, newline="") as f:
                lost += list(csv.DictReader(f))
        if os.path.exists(part):
            with open(part, newline="") as f:
                rows += [dict(system=r["system"], benchmark=r["benchmark"],
                              nprocs=r["nprocs"], size=r["size"], rep=r["run"],
                              value=r["value"], unit=r["unit"]) for r in csv.DictReader(f)]
    return rows, failed, lost


def write(out, rows, lost):
    with open(os.path.join(out, "osu.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["system", "benchmark", "nprocs", "size", "rep",
                                          "value", "unit"])
        w.writeheader()
        w.writerows(rows)
    samples = [report.sample(r["system"], r["benchmark"], float(r["value"]), int(r["rep"]),
                             r["size"], r["unit"]) for r in rows]
    text = ["## OSU micro-benchmarks (bench/osu)", "",
            "Our OSU-compatible programs, the same sources built with hermit-mpicc and "
            "with the Linux baseline's linux-mpicc, on 2 VMs (4 for allreduce) launched "
            "by hermit-mpirun; one vCPU and 256 MiB per VM, vde network. "
            "Ratios are HermitCore-C / Linux guest medians.", "",
            report.table(samples, GOALS, goals=True), report.limits(samples, GOALS)]
    if lost:
        # Medians above are over the runs that finished; say which did not.
        text += ["", "Failed runs (not in the medians):", ""]
        text += [f"- {f['benchmark']} on {f['system']}, run {f['run']}: {f['reason']}"
                 for f in lost]
    text += [""]
    for bench, vms, _, _ in PLAN:
        mine = [s for s in samples if s["metric"] == bench]
        if not mine:
            continue
        unit = mine[0]["unit"]
        specs = [dict(metric=bench, param=s["param"], label=f"{s['param']} B")
                 for s in report.specs_for(mine)]
        text += [f"### {bench}, {vms} VMs ({unit})", "", report.table(mine, specs)]
    with open(os.path.join(out, "osu.md"), "w") as f:
        f.write("\n".join(text))
    print("\n".join(text), flush=True)


def main(argv):
    ap = argparse.ArgumentParser(description="OSU benchmarks, HermitCore-C vs Linux guest")
    ap.add_argument("--quick", action="store_true", help="small sizes, one run each")
    ap.add_argument("--repeat", type=int, help="runs per system (default 3, quick 1)")
    ap.add_argument("outdir")
    a = ap.parse_args(argv)
    out = report.outdir(a.outdir)
    repeat = a.repeat or (1 if a.quick else 3)
    report.say("osu", "building the Linux twins (make osu-linux; MPICH for Linux on first use)")
    if subprocess.call(["make", "-s", "-C", ROOT, "osu-linux"], stdout=sys.stderr) != 0:
        report.say("osu", "cannot build the Linux baseline's benchmarks")
        return 1
    rows, failed, lost = run_plan(out, a.quick, repeat)
    if rows:
        write(out, rows, lost)
    if failed:
        report.say("osu", f"failed: {', '.join(failed)}")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
