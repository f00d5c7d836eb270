#!/usr/bin/env python3
"""run.py - the noise benchmark, unikernel and Linux guest side by side.

    bench/noise/run.py [--smp 1,2] [--repeat N] [--samples S] [--work W] [OUTDIR]

Both systems run the same bench/noise/fwq.c (FWQ + hourglass) on every
vCPU at once, in the same QEMU configuration, under -icount shift=0: guest
time counts instructions, so an undisturbed quantum always takes the same
number of ticks and any excess is work the OS did on that core. Runs are
interleaved (hermit, linux, hermit, linux, ...). With more than one vCPU,
QEMU's single-threaded icount TCG runs the vCPUs in turns, and each core
sees the others' turns as gaps of 2^17 ticks and more: those are counted
apart ("rr gaps") and are not OS noise. The unikernel also reports its own
interrupt and context-switch counters for the measured phase.

Writes OUTDIR/noise.csv and OUTDIR/noise.md, and prints the table.
"""

import argparse
import csv
import datetime
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
HERMIT_RUN = os.path.join(ROOT, "bin", "hermit-run")
LINUX_RUN = os.path.join(ROOT, "bench", "baseline", "linux-run")
BUILD_GUEST = os.path.join(ROOT, "bench", "baseline", "build-linux-guest.sh")
IMAGE = os.path.join(ROOT, "build", "fwq.elf")
CPU = "max,-x2apic"             # the same CPU model for both systems
RR_BUCKET = 17                  # gaps >= 2^17 ticks: vCPU round-robin turns


def run_system(system, smp, args):
    fwq_args = ["-s", str(args.samples), "-w", str(args.work), "-g", str(args.hourglass)]
    if system == "hermit":
        cmd = [HERMIT_RUN, "--icount", "--cpu", CPU, "--smp", str(smp), "--timeout", "600",
               IMAGE, "--"] + fwq_args
    else:
        cmd = [LINUX_RUN, "--icount", "--smp", str(smp), "--timeout", "600",
               "--qemu-arg=-cpu", f"--qemu-arg={CPU}", "--", "fwq_linux"] + fwq_args
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"noise: {system} run failed (status {out.returncode}):\n{out.stdout[-2000:]}"
                 f"{out.stderr[-2000:]}")
    return parse(out.stdout, system)


def parse(text, system):
    rows = {}
    for line in text.splitlines():
        m = re.match(rf"fwq {system} cpu (\d+) min (\d+) median (\d+) max (\d+) mean (\d+) "
                     r"disturbed (\d+)/(\d+) noise_ppm (\d+)", line)
        if m:
            cpu = int(m.group(1))
            rows.setdefault(cpu, {}).update(
                min=int(m.group(2)), median=int(m.group(3)), max=int(m.group(4)),
                disturbed=int(m.group(6)), samples=int(m.group(7)), noise_ppm=int(m.group(8)))
        m = re.match(rf"hourglass {system} cpu (\d+) gaps (\d+) stolen (\d+) max_gap (\d+) "
                     r"hist ([\d,]+)", line)
        if m:
            hist = [int(x) for x in m.group(5).split(",")]
            rows.setdefault(int(m.group(1)), {}).update(
                os_gaps=sum(hist[:RR_BUCKET]), rr_gaps=sum(hist[RR_BUCKET:]),
                max_gap=int(m.group(4)))
        m = re.match(rf"counters {system} cpu (\d+) interrupts (\d+) context_switches (\d+)",
                     line)
        if m:
            rows.setdefault(int(m.group(1)), {}).update(
                interrupts=int(m.group(2)), switches=int(m.group(3)))
    if not rows:
        sys.exit(f"noise: no FWQ rows in the {system} output:\n{text[-2000:]}")
    return rows


def main():
    p = argparse.ArgumentParser(description="FWQ/hourglass noise, unikernel vs Linux guest.")
    p.add_argument("outdir", nargs="?")
    p.add_argument("--smp", default="1,2", help="vCPU counts to run (default 1,2)")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--samples", type=int, default=500)
    p.add_argument("--work", type=int, default=20000)
    p.add_argument("--hourglass", type=int, default=20000000)
    args = p.parse_args()
    outdir = args.outdir or os.path.join(
        ROOT, "bench", "results", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(outdir, exist_ok=True)

    if not os.path.exists(IMAGE):
        sys.exit("noise: build/fwq.elf missing; run make first")
    print("noise: preparing the Linux guest (cached after the first time)", file=sys.stderr)
    subprocess.run([BUILD_GUEST, "--fwq"], check=True, stdout=sys.stderr)

    results = []
    for smp in [int(x) for x in args.smp.split(",")]:
        for r in range(args.repeat):
            for system in ("hermit", "linux"):
                print(f"noise: smp {smp} run {r + 1}/{args.repeat} {system}", file=sys.stderr)
                for cpu, row in sorted(run_system(system, smp, args).items()):
                    results.append(dict(system=system, smp=smp, run=r + 1, cpu=cpu, **row))

    fields = ["system", "smp", "run", "cpu", "min", "median", "max", "disturbed", "samples",
              "noise_ppm", "os_gaps", "rr_gaps", "max_gap", "interrupts", "switches"]
    with open(os.path.join(outdir, "noise.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, restval="")
        w.writeheader()
        w.writerows(results)

    lines = ["| system | vCPUs | cpu | FWQ disturbed (median of runs) | noise ppm (min-max) "
             "| hourglass OS gaps | rr gaps | interrupts in phase |",
             "|---|---|---|---|---|---|---|---|"]
    keys = sorted({(r["smp"], r["system"], r["cpu"]) for r in results})
    for smp, system, cpu in keys:
        rs = [r for r in results if (r["smp"], r["system"], r["cpu"]) == (smp, system, cpu)]
        ppm = [r["noise_ppm"] for r in rs]
        dist = statistics.median(r["disturbed"] for r in rs)
        irq = ",".join(str(r.get("interrupts", "n/a")) for r in rs)
        lines.append(f"| {system} | {smp} | {cpu} | {dist:g}/{rs[0]['samples']} | "
                     f"{min(ppm)}-{max(ppm)} | {','.join(str(r['os_gaps']) for r in rs)} | "
                     f"{','.join(str(r['rr_gaps']) for r in rs)} | {irq} |")
    header = (f"# Noise: FWQ {args.samples} samples x {args.work} iterations, hourglass "
              f"{args.hourglass} ticks, -icount shift=0, -cpu {CPU}\n\n"
              "OS gaps: interruptions of 1,000 to 2^17 ticks (instructions). rr gaps: QEMU "
              "running the other vCPUs (not OS noise).\n")
    table = header + "\n" + "\n".join(lines) + "\n"
    with open(os.path.join(outdir, "noise.md"), "w") as f:
        f.write(table)
    print(table)
    print(f"noise: results in {outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
