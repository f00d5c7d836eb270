#!/usr/bin/env python3
"""run.py - OpenMP overheads (bench/openmp/epcc.c), unikernel vs Linux guest.

    bench/openmp/run.py [--repeat N] [--smp 2,4] [OUTDIR]

Both systems run the same epcc.c, the team one thread per vCPU, in the
same QEMU configuration (TCG, -cpu max), interleaved, for each vCPU
count. Overheads are TSC-timed under TCG: compare only the ratio. Under
-icount they would count the instructions threads spend spinning while
they wait, which measures the wait policy rather than the runtime, so
this stage runs TCG only. Writes OUTDIR/openmp.csv (bench/report.py
samples: metric = construct, param = threads) and OUTDIR/openmp.md.
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

SRC = os.path.join(HERE, "epcc.c")
CONSTRUCTS = ["parallel", "for", "barrier", "single", "critical", "reduction"]
GOALS = {"parallel", "barrier"}       # issue 17: at most 0.5x the Linux guest's overhead


def build():
    """The two programs go to build/bench-openmp/, not among the results."""
    work = os.path.join(ROOT, os.environ.get("BUILD") or "build", "bench-openmp")
    os.makedirs(work, exist_ok=True)
    image = os.path.join(work, "epcc.elf")
    linux = os.path.join(work, "epcc_linux")
    subprocess.run([os.path.join(ROOT, "bin", "hermit-cc"), "-O2", "-fopenmp", SRC, "-o", image],
                   check=True)
    subprocess.run(["gcc", "-O2", "-static", "-fopenmp", SRC, "-o", linux], check=True,
                   stderr=subprocess.DEVNULL)     # glibc's warning about dlopen in static links
    subprocess.run([os.path.join(ROOT, "bench", "baseline", "build-linux-guest.sh"),
                    "--add", linux], check=True, stdout=sys.stderr)
    return image


def run(system, image, smp):
    if system == "hermit":
        cmd = [os.path.join(ROOT, "bin", "hermit-run"), "--smp", str(smp), "--timeout", "300",
               image]
    else:
        cmd = [os.path.join(ROOT, "bench", "baseline", "linux-run"), "--smp", str(smp),
               "--timeout", "300", "--", "epcc_linux"]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"openmp: {system} run failed ({out.returncode}):\n{out.stdout[-1500:]}"
                 f"{out.stderr[-1500:]}")
    rows = re.findall(r"^epcc (\S+) (\d+) (-?[\d.]+)$", out.stdout, re.M)
    if len(rows) != len(CONSTRUCTS) or any(int(n) != smp for _, n, _ in rows):
        sys.exit(f"openmp: {system} did not report every construct with {smp} threads:\n"
                 f"{out.stdout[-1500:]}")
    return {name: float(v) for name, _, v in rows}


def main():
    p = argparse.ArgumentParser(description="OpenMP overheads, unikernel vs Linux guest.")
    p.add_argument("outdir", nargs="?")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--smp", default="2,4", help="vCPU counts (default 2,4)")
    args = p.parse_args()
    smps = [int(x) for x in args.smp.split(",")]
    outdir = report.outdir(args.outdir)
    image = build()

    rows = []
    progress = report.Progress("openmp", len(smps) * args.repeat * 2)
    for smp in smps:
        for rep, system in report.interleave(args.repeat):
            progress.step(f"{smp} vCPUs, run {rep}/{args.repeat} {system}")
            for name, v in run(system, image, smp).items():
                rows.append(report.sample(system, name, v, rep, f"{smp} threads", "us"))

    specs = []
    for smp in smps:
        for name in CONSTRUCTS:
            spec = dict(metric=name, param=f"{smp} threads", label=f"{name}, {smp} threads (µs)")
            if name in GOALS:
                spec.update(goal="≤ 0.5", ok=lambda r: r <= 0.5)
            specs.append(spec)
    text = (f"# OpenMP overheads (EPCC-style), one thread per vCPU\n\n{args.repeat} interleaved "
            "runs per system and vCPU count; TCG, TSC-timed (emulated: compare the ratio). "
            "This host has 2 cores: with 4 vCPUs the vCPUs share them.\n\n"
            + report.table(rows, specs, goals=True))
    report.write_report(outdir, "openmp", rows, text)


if __name__ == "__main__":
    main()
