#!/usr/bin/env python3
"""run.py - bench/syscalls on the unikernel and the Linux guest, side by side.

    bench/syscalls/run.py [--repeat N] [OUTDIR]

Both systems run the same syscalls.c on one vCPU in the same QEMU
configuration, interleaved, twice over: under TCG (TSC ticks: emulated
timings, comparable only with each other) and under -icount shift=0
(TSC ticks are guest instructions, deterministic). Writes
OUTDIR/syscalls.csv and OUTDIR/syscalls.md and prints the table.
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
SRC = os.path.join(HERE, "syscalls.c")
CPU = "max,-x2apic"


def build(outdir):
    image = os.path.join(outdir, "syscalls.elf")
    linux = os.path.join(outdir, "syscalls_linux")
    subprocess.run([os.path.join(ROOT, "bin", "hermit-cc"), "-O2", SRC, "-o", image], check=True)
    subprocess.run(["gcc", "-O2", "-static", SRC, "-o", linux], check=True)
    subprocess.run([os.path.join(ROOT, "bench", "baseline", "build-linux-guest.sh"),
                    "--add", linux], check=True, stdout=sys.stderr)
    return image


def run(system, image, icount):
    mode = ["--icount"] if icount else []
    if system == "hermit":
        cmd = [os.path.join(ROOT, "bin", "hermit-run"), "--cpu", CPU, "--timeout", "300"] + \
              mode + [image]
    else:
        cmd = [os.path.join(ROOT, "bench", "baseline", "linux-run"), "--timeout", "300",
               "--qemu-arg=-cpu", f"--qemu-arg={CPU}"] + mode + ["--", "syscalls_linux"]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"syscalls: {system} run failed ({out.returncode}):\n{out.stdout[-1500:]}"
                 f"{out.stderr[-1500:]}")
    rows = re.findall(rf"^syscall {system} (\S+) (\d+)$", out.stdout, re.M)
    if not rows:
        sys.exit(f"syscalls: no rows from {system}:\n{out.stdout[-1500:]}")
    return {name: int(v) for name, v in rows}


def main():
    p = argparse.ArgumentParser(description="System-call costs, unikernel vs Linux guest.")
    p.add_argument("outdir", nargs="?")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    outdir = args.outdir or os.path.join(
        ROOT, "bench", "results", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(outdir, exist_ok=True)
    image = build(outdir)

    samples = []
    for icount in (False, True):
        for r in range(args.repeat):
            for system in ("hermit", "linux"):
                mode = "icount" if icount else "tcg"
                print(f"syscalls: {mode} run {r + 1}/{args.repeat} {system}", file=sys.stderr)
                for name, v in run(system, image, icount).items():
                    samples.append(dict(mode=mode, run=r + 1, system=system, op=name, ticks=v))

    with open(os.path.join(outdir, "syscalls.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["mode", "run", "system", "op", "ticks"])
        w.writeheader()
        w.writerows(samples)

    ops = list(dict.fromkeys(s["op"] for s in samples))
    lines = ["| call | mode | HermitCore-C | Linux guest | ratio (hermit/linux) |",
             "|---|---|---|---|---|"]
    for mode, unit in (("icount", "instructions"), ("tcg", "TSC ticks")):
        for op in ops:
            def med(system):
                v = [s["ticks"] for s in samples
                     if s["mode"] == mode and s["op"] == op and s["system"] == system]
                return statistics.median(v) if v else None
            h, l = med("hermit"), med("linux")
            ratio = f"{h / l:.3f}" if h is not None and l else "n/a"
            lines.append(f"| {op} | {mode} ({unit}) | {h:g} | {l:g} | {ratio} |")
    table = ("# System calls per call, one vCPU, -cpu " + CPU + "\n\n" + "\n".join(lines) + "\n")
    with open(os.path.join(outdir, "syscalls.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
