#!/usr/bin/env python3
"""run.py - bench/syscalls on the unikernel and the Linux guest, side by side.

    bench/syscalls/run.py [--repeat N] [OUTDIR]

Both systems run the same syscalls.c on one vCPU in the same QEMU
configuration, interleaved, twice over: under TCG (TSC ticks: emulated
timings, comparable only with each other) and under -icount shift=0
(TSC ticks are guest instructions, deterministic). Writes
OUTDIR/syscalls.csv (bench/report.py samples: metric = call, param =
mode) and OUTDIR/syscalls.md, and prints the table.
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

SRC = os.path.join(HERE, "syscalls.c")
CPU = "max,-x2apic"


def build():
    """The two programs go to build/bench-syscalls/, not among the results."""
    work = os.path.join(ROOT, os.environ.get("BUILD") or "build", "bench-syscalls")
    os.makedirs(work, exist_ok=True)
    image = os.path.join(work, "syscalls.elf")
    linux = os.path.join(work, "syscalls_linux")
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
    outdir = report.outdir(args.outdir)
    image = build()

    rows = []
    progress = report.Progress("syscalls", 2 * args.repeat * 2)
    for icount in (False, True):
        mode = "icount" if icount else "tcg"
        unit = "instructions" if icount else "TSC ticks"
        for rep, system in report.interleave(args.repeat):
            progress.step(f"{mode} run {rep}/{args.repeat} {system}")
            for name, v in run(system, image, icount).items():
                rows.append(report.sample(system, name, v, rep, mode, unit))

    ops = list(dict.fromkeys(r["metric"] for r in rows))
    specs = [dict(metric=op, param=mode, label=f"{op}, {mode} ({unit})")
             for mode, unit in (("icount", "instructions"), ("tcg", "TSC ticks")) for op in ops]
    text = (f"# System calls per call, one vCPU, -cpu {CPU}\n\n{args.repeat} interleaved runs "
            "per system and mode; icount: guest instructions (deterministic), tcg: emulated "
            "TSC ticks.\n\n" + report.table(rows, specs))
    report.write_report(outdir, "syscalls", rows, text)


if __name__ == "__main__":
    main()
