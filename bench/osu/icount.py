#!/usr/bin/env python3
"""icount.py - guest instructions per MPI round trip, HermitCore-C vs Linux guest.

    bench/osu/icount.py [--quick] [--repeat R] [--iters N1,N2] [--bulk-iters M1,M2] OUTDIR

The deterministic companion of the OSU latency runs: osu_latency -m 8:8
on 2 VMs through cluster/hermit-mpirun --icount --kopt stats, so guest
time counts instructions (-icount shift=0: 1 tick = 1 ns = 1 instruction)
and every VM reports at exit how many it executed while not idle:
HermitCore-C per CPU ("hermit-stats: cpu N busy B"), the Linux guest as
"linux-stats: uptime U idle I cpus N", busy = (U*N - I) * 1e9. Each
system runs with two iteration counts N1 < N2 (same warm-up); boot, MPI
setup and teardown are the same in both, so

    (busy(N2) - busy(N1)) / (N2 - N1)

summed over both VMs is the instructions one 8-byte round trip costs
(both ranks: send, receive, the stacks, the interrupts). The Linux side
is quantized: /proc/uptime has 10 ms = 1e7 instructions resolution per
value, and the bound this puts on the result is printed with it.

The same with 1 MiB messages (-m 1048576:1048576, iteration counts
M1 < M2) gives the bulk path's cost as instructions per byte moved: a
round trip moves 2 MiB, so per byte = per round trip / 2^21.

Runs are interleaved (hermit, linux, hermit, linux, ...). Writes
OUTDIR/osu_icount.csv (bench/report.py samples: busy per run, in
instructions, param "i=N"; per round trip, param "8 B") and
OUTDIR/osu_icount.md, and prints the table.
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

NAME = "osu_icount"
MPIRUN = os.path.join(ROOT, "cluster", "hermit-mpirun")
LINUX_MPICC = os.path.join(ROOT, "bench", "baseline", "linux-mpicc")
BUILD = os.environ.get("BUILD") or "build"
HERMIT_IMAGE = os.path.join(ROOT, BUILD, "osu", "osu_latency.elf")
LINUX_PROGRAM = os.path.join(ROOT, BUILD, "osu-linux", "osu_latency")
LINUX_SOURCES = [os.path.join(HERE, "osu_latency.c"), os.path.join(HERE, "osu_util.c")]
VMS = 2
WARMUP = 100
LINUX_TICK = 1e7            # /proc/uptime's 0.01 s in instructions
RUN_TIMEOUT = 900


def say(msg):
    report.say(NAME, msg)


def linux_program():
    """The Linux build of osu_latency, rebuilt when a source is newer."""
    newest = max(os.path.getmtime(s) for s in LINUX_SOURCES + [os.path.join(HERE, "osu_util.h")])
    if os.path.isfile(LINUX_PROGRAM) and os.path.getmtime(LINUX_PROGRAM) >= newest:
        return LINUX_PROGRAM
    os.makedirs(os.path.dirname(LINUX_PROGRAM), exist_ok=True)
    say(f"building {os.path.relpath(LINUX_PROGRAM, ROOT)}")
    subprocess.run([LINUX_MPICC, "-O2", "-o", LINUX_PROGRAM] + LINUX_SOURCES, check=True)
    return LINUX_PROGRAM


def busy_hermit(text):
    """Busy instructions per VM: the sum of its CPUs' busy ticks."""
    per_vm = {}
    for m in re.finditer(r"^\[(\d+)\] hermit-stats: cpu \d+ busy (\d+) ", text, re.M):
        per_vm[m.group(1)] = per_vm.get(m.group(1), 0) + int(m.group(2))
    hz = re.findall(r"^\[\d+\] hermit-stats: tsc (\d+) Hz", text, re.M)
    if any(abs(int(h) - 1e9) > 1e6 for h in hz):
        raise RuntimeError(f"TSC is not 1 GHz under icount: {hz}")
    return per_vm


def busy_linux(text):
    per_vm = {}
    for m in re.finditer(r"^\[(\d+)\] linux-stats: uptime ([\d.]+) idle ([\d.]+) cpus (\d+)",
                         text, re.M):
        uptime, idle, cpus = float(m.group(2)), float(m.group(3)), int(m.group(4))
        per_vm[m.group(1)] = round((uptime * cpus - idle) * 1e9)
    return per_vm


def run(system, program, size, iters, log):
    cmd = [MPIRUN, "-n", str(VMS), "-l", "--icount", "--kopt", "stats",
           "--timeout", str(RUN_TIMEOUT)]
    if system == "linux":
        cmd += ["--guest", "linux"]
    warmup = WARMUP if size == 8 else 2
    cmd += [program, "-m", f"{size}:{size}", "-i", str(iters), "-x", str(warmup)]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=RUN_TIMEOUT + 60)
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + out.stdout)
    if out.returncode != 0:
        raise RuntimeError(f"{system} -i {iters} failed with status {out.returncode} "
                           f"(see {log})")
    per_vm = (busy_hermit if system == "hermit" else busy_linux)(out.stdout)
    if len(per_vm) != VMS or min(per_vm.values()) <= 0:
        raise RuntimeError(f"{system} -i {iters}: stats from {len(per_vm)} of {VMS} VMs "
                           f"(see {log})")
    return sum(per_vm.values())


def main():
    p = argparse.ArgumentParser(description="Guest instructions per 8-byte MPI round trip.")
    p.add_argument("--quick", action="store_true", help="one repetition, fewer iterations")
    p.add_argument("--repeat", type=int, default=None, metavar="R", help="default 3 (quick 1)")
    p.add_argument("--iters", default=None, metavar="N1,N2",
                   help="the two -i counts (default 2000,52000; quick 1000,21000)")
    p.add_argument("--bulk-iters", default=None, metavar="M1,M2",
                   help="the two -i counts for 1 MiB (default 4,44; quick 2,12)")
    p.add_argument("outdir")
    args = p.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)

    def pair(spec, flag):
        try:
            a, b = (int(x) for x in spec.split(","))
        except ValueError:
            p.error(f"{flag} takes N1,N2, not '{spec}'")
        if not 0 < a < b:
            p.error(f"{flag}: need 0 < N1 < N2")
        return a, b

    n1, n2 = pair(args.iters or ("1000,21000" if args.quick else "2000,52000"), "--iters")
    m1, m2 = pair(args.bulk_iters or ("2,12" if args.quick else "4,44"), "--bulk-iters")
    if repeat < 1:
        p.error("need --repeat >= 1")
    if not os.path.isfile(HERMIT_IMAGE):
        sys.exit(f"{NAME}: {HERMIT_IMAGE} missing; run make first")
    out = report.outdir(args.outdir)
    programs = {"hermit": HERMIT_IMAGE, "linux": linux_program()}

    rows = []
    bulk = 1048576
    progress = report.Progress(NAME, repeat * 2 * 4)
    for rep, system in report.interleave(repeat):
        for size, a, b in ((8, n1, n2), (bulk, m1, m2)):
            busy = {}
            for iters in (a, b):
                progress.step(f"run {rep}/{repeat} {system} -m {size} -i {iters}")
                tag = f"i{iters}" if size == 8 else f"m{size}-i{iters}"
                log = os.path.join(out, f"{NAME}-{system}-{rep}-{tag}.log")
                try:
                    busy[iters] = run(system, programs[system], size, iters, log)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    sys.exit(f"{NAME}: {e}")
                param = f"i={iters}" if size == 8 else f"1 MiB i={iters}"
                rows.append(report.sample(system, "busy", busy[iters], rep, param,
                                          "instructions"))
            per_rt = (busy[b] - busy[a]) / (b - a)
            if size == 8:
                rows.append(report.sample(system, "per_round_trip", per_rt, rep, "8 B",
                                          "instructions"))
            else:
                rows.append(report.sample(system, "per_byte", per_rt / (2 * bulk), rep,
                                          "1 MiB", "instructions"))

    bound = 2 * 2 * VMS * LINUX_TICK / (n2 - n1)
    bulk_bound = 2 * 2 * VMS * LINUX_TICK / (m2 - m1) / (2 * bulk)
    specs = [dict(metric="per_round_trip", param="8 B",
                  label="instructions per 8 B round trip (both ranks)"),
             dict(metric="per_byte", param="1 MiB",
                  label="instructions per byte of 1 MiB round trips (both ranks)"),
             dict(metric="busy", param=f"i={n1}", label=f"busy instructions, -i {n1}"),
             dict(metric="busy", param=f"i={n2}", label=f"busy instructions, -i {n2}")]
    text = (f"## Guest instructions per MPI round trip (-icount shift=0)\n\n"
            f"osu_latency -m 8:8 -x {WARMUP}, {VMS} VMs, 1 vCPU each, run with -i {n1} and "
            f"-i {n2}; per round trip = (busy(-i {n2}) - busy(-i {n1})) / {n2 - n1}, busy "
            f"summed over both VMs; {repeat} repetition(s), interleaved.\n"
            f"HermitCore-C: kernel `stats` busy ticks (1 tick = 1 instruction). Linux guest: "
            f"(uptime*cpus - idle) from /proc/uptime, resolution 0.01 s = 1e7 instructions "
            f"per value, so its per-round-trip figure is within ±{bound:.0f} instructions.\n"
            f"Bulk: osu_latency -m 1048576:1048576 -x 2 with -i {m1} and -i {m2}; per byte = "
            f"per round trip / 2 MiB (the Linux figure within ±{bulk_bound:.2f}).\n\n"
            + report.table(rows, specs))
    report.write_report(out, NAME, rows, text)


if __name__ == "__main__":
    main()
