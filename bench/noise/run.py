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

Writes OUTDIR/noise.csv (per-run statistics as bench/report.py samples,
param "smp=N cpu=C"), OUTDIR/noise_fwq.csv (every FWQ duration, for the
histogram) and OUTDIR/noise.md, and prints the table.
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

HERMIT_RUN = os.path.join(ROOT, "bin", "hermit-run")
LINUX_RUN = os.path.join(ROOT, "bench", "baseline", "linux-run")
BUILD_GUEST = os.path.join(ROOT, "bench", "baseline", "build-linux-guest.sh")
IMAGE = os.path.join(ROOT, os.environ.get("BUILD") or "build", "fwq.elf")
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
        m = re.match(rf"fwqs {system} cpu (\d+)((?: \d+)+)$", line)
        if m:
            rows.setdefault(int(m.group(1)), {}).setdefault("durations", []).extend(
                int(x) for x in m.group(2).split())
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


METRICS = (("noise_ppm", "noise ppm"), ("disturbed", "FWQ disturbed samples"),
           ("os_gaps", "hourglass OS gaps"), ("rr_gaps", "hourglass rr gaps"),
           ("interrupts", "interrupts in phase"))
# Every per-run statistic kept in noise.csv, with its unit.
UNITS = {"min": "ticks", "median": "ticks", "max": "ticks", "disturbed": "samples",
         "noise_ppm": "ppm", "os_gaps": "gaps", "rr_gaps": "gaps", "max_gap": "ticks",
         "interrupts": "", "switches": ""}


def main():
    p = argparse.ArgumentParser(description="FWQ/hourglass noise, unikernel vs Linux guest.")
    p.add_argument("outdir", nargs="?")
    p.add_argument("--smp", default="1,2", help="vCPU counts to run (default 1,2)")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--samples", type=int, default=500)
    p.add_argument("--work", type=int, default=20000)
    p.add_argument("--hourglass", type=int, default=20000000)
    args = p.parse_args()
    outdir = report.outdir(args.outdir)
    smps = [int(x) for x in args.smp.split(",")]

    if not os.path.exists(IMAGE):
        sys.exit("noise: build/fwq.elf missing; run make first")
    report.say("noise", "preparing the Linux guest (cached after the first time)")
    subprocess.run([BUILD_GUEST, "--fwq"], check=True, stdout=sys.stderr)

    rows, durations, specs = [], [], []
    progress = report.Progress("noise", len(smps) * args.repeat * 2)
    for smp in smps:
        for rep, system in report.interleave(args.repeat):
            progress.step(f"smp {smp} run {rep}/{args.repeat} {system}")
            for cpu, row in sorted(run_system(system, smp, args).items()):
                param = f"smp={smp} cpu={cpu}"
                rows += [report.sample(system, metric, row[metric], rep, param, unit)
                         for metric, unit in UNITS.items() if metric in row]
                durations += [report.sample(system, "fwq_duration", d, rep, param, "ticks")
                              for d in row.get("durations", [])]
                if system == "hermit" and rep == 1:
                    specs += [dict(metric=m, param=param, label=f"{label}, {smp} vCPU, cpu {cpu}")
                              for m, label in METRICS]
    report.write_samples(os.path.join(outdir, "noise_fwq.csv"), durations)

    header = (f"# Noise: FWQ {args.samples} samples x {args.work} iterations, hourglass "
              f"{args.hourglass} ticks, -icount shift=0, -cpu {CPU}\n\n"
              f"{args.repeat} interleaved runs per system. FWQ disturbed: samples more than 1 % "
              "above the minimum. OS gaps: interruptions of 1,000 to 2^17 ticks (instructions). "
              "rr gaps: QEMU running the other vCPUs (not OS noise). The Linux guest has no "
              "interrupt counter (n/a).\n")
    report.write_report(outdir, "noise", rows, header + "\n" + report.table(rows, specs))
    report.say("noise", f"results in {outdir}")


if __name__ == "__main__":
    main()
