#!/usr/bin/env python3
"""traffic.py - is a compute core disturbed while MPI traffic runs on CPU 0?

    bench/noise/traffic.py [--repeat N] [--samples S] [--work W] [--bytes B] [OUTDIR]

Runs bench/noise/fwq_traffic.c on 2 VMs of 2 vCPUs each under -icount
shift=0 (cluster/hermit-mpirun --icount --cpus 2): on each rank FWQ on
CPU 1 while the main thread ping-pongs B-byte messages on CPU 0, where
the network stack, its driver thread and the NIC's interrupts live.

The verdict comes from CPU 1's own counters over the measured phase:
interrupts (every vector, IPIs included) and context switches. The FWQ
samples are reported too, but under icount QEMU runs a VM's vCPUs in
turns in one thread, so a quantum on CPU 1 that spans one of CPU 0's
bursts (handling a message) is longer by that burst although CPU 1 did
nothing else: those samples are counted apart ("longer, CPU 1
undisturbed"), and a sample is called disturbed only if CPU 1 took an
interrupt or a switch during the run. HermitCore-C only: the Linux guest
has no per-CPU counters this program can read without perturbing them.

Writes OUTDIR/noise_traffic.csv and OUTDIR/noise_traffic.md and prints
the table.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, ROOT)
from bench import report  # noqa: E402

MPIRUN = os.path.join(ROOT, "cluster", "hermit-mpirun")
IMAGE = os.path.join(ROOT, os.environ.get("BUILD") or "build", "noise", "fwq_traffic.elf")
LINE = re.compile(r"traffic rank (\d+) cpu (\d+) samples (\d+) min (\d+) undisturbed (\d+) "
                  r"longer (\d+) max_excess (\d+) interrupts (\d+) context_switches (\d+) "
                  r"round_trips (\d+)")
FIELDS = ("rank", "cpu", "samples", "min", "undisturbed", "longer", "max_excess",
          "interrupts", "context_switches", "round_trips")


def one_run(args):
    cmd = [MPIRUN, "-n", "2", "--cpus", "2", "--icount", "-l", "--timeout", "600", IMAGE,
           "-s", str(args.samples), "-w", str(args.work), "-m", str(args.bytes)]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    ranks = [dict(zip(FIELDS, map(int, m.groups()))) for m in LINE.finditer(out.stdout)]
    if out.returncode != 0 or len(ranks) != 2:
        sys.exit(f"noise-traffic: run failed (status {out.returncode}, {len(ranks)} of 2 "
                 f"ranks reported):\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return ranks


def main():
    p = argparse.ArgumentParser(description="FWQ on CPU 1 under MPI traffic on CPU 0.")
    p.add_argument("outdir", nargs="?", help="results folder (default bench/results/<now>)")
    p.add_argument("--repeat", type=int, default=2, help="runs (default 2)")
    p.add_argument("--samples", type=int, default=2000, help="FWQ quanta per rank (default 2000)")
    p.add_argument("--work", type=int, default=100000,
                   help="loop iterations per quantum (default 100000: ~500k instructions)")
    p.add_argument("--bytes", type=int, default=8, help="message size (default 8)")
    args = p.parse_args()
    if not os.path.exists(IMAGE):
        sys.exit(f"noise-traffic: image not found: {IMAGE} (make {os.path.relpath(IMAGE, ROOT)})")
    out = report.outdir(args.outdir)
    rows, lines = [], []
    progress = report.Progress("noise-traffic", args.repeat)
    for rep in range(1, args.repeat + 1):
        progress.step(f"run {rep}/{args.repeat}")
        for r in one_run(args):
            param = f"rank={r['rank']}"
            disturbed = r["samples"] if r["interrupts"] or r["context_switches"] else 0
            for metric in ("interrupts", "context_switches", "round_trips", "undisturbed",
                           "longer"):
                rows.append(report.sample("hermit", metric, r[metric], rep, param=param))
            rows.append(report.sample("hermit", "disturbed", disturbed, rep, param=param))
            lines.append(f"| {rep} | {r['rank']} | {r['round_trips']} | {r['interrupts']} | "
                         f"{r['context_switches']} | {r['undisturbed']} / {r['samples']} | "
                         f"{r['longer']} | {disturbed} |")
    total = sum(r["value"] for r in rows if r["metric"] == "disturbed")
    verdict = "met" if total == 0 else f"missed: {total} disturbed samples"
    text = ("# A compute core under MPI traffic (FWQ on CPU 1, ping-pong on CPU 0)\n\n"
            f"2 VMs x 2 vCPUs, -icount shift=0, {args.samples} quanta of {args.work} loop "
            f"iterations per rank, {args.bytes}-byte messages; {args.repeat} run(s). "
            "Goal: 0 disturbed samples, i.e. no interrupt and no context switch on CPU 1 "
            f"while it computes: **{verdict}**.\n\n"
            "| run | rank | round trips meanwhile | CPU 1 interrupts | CPU 1 switches | "
            "quanta at the minimum | longer (QEMU ran CPU 0's turn) | disturbed |\n"
            "|---|---|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n\n"
            "Under icount one QEMU thread runs both vCPUs in turns: a quantum that spans a "
            "turn of CPU 0 (a message being handled there) reads longer although CPU 1 did "
            "nothing else, which its counters confirm. HermitCore-C only.\n")
    report.write_report(out, "noise_traffic", rows, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
