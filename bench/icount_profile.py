#!/usr/bin/env python3
"""icount_profile.py - where the guest instructions of one iteration go,
function by function, counted exactly (no sampling).

    bench/icount_profile.py --image IMAGE --iters N1,N2 [--top N] -- COMMAND...

    bench/icount_profile.py --image build/osu/osu_latency.elf --iters 200,400 -- \\
        cluster/hermit-mpirun -n 2 --icount build/osu/osu_latency.elf -m 8:8 -i {iters}

Runs COMMAND twice, with {iters} replaced by N1 and then N2, with every
QEMU it starts (through bin/hermit-run) loading bench/icount_profile/
tbcount.c, a TCG plugin that counts the instructions each translation
block executes. Boot, setup and teardown are the same in both runs, so
(counts(N2) - counts(N1)) / (N2 - N1), summed over all the job's VMs and
attributed to the function of IMAGE that holds each block's start
(nm -n), is what one iteration costs: instructions and calls (executions
of a function's first block) per function, largest first. Addresses
outside IMAGE's functions are [firmware]. Under --icount the runs are
deterministic but for the network's timing; the totals agree with
bench/osu/icount.py's busy-tick method to a few percent.
"""

import argparse
import bisect
import collections
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PLUGIN_SRC = os.path.join(HERE, "icount_profile", "tbcount.c")


def build_plugin(build):
    out = os.path.join(ROOT, build, "icount_profile", "tbcount.so")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(PLUGIN_SRC):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                        "-fvisibility=hidden", "-o", out, PLUGIN_SRC], check=True)
    return out


def symbols(image):
    text = subprocess.run(["nm", "-n", image], capture_output=True, text=True,
                          check=True).stdout
    addrs, names, text_end = [], [], None
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
        elif len(parts) == 3 and parts[2] == "__text_end":
            text_end = int(parts[0], 16)
    return addrs, names, text_end or (max(addrs) + 1 if addrs else 0)


def counts(files, addrs, names, text_end):
    insns, calls = collections.Counter(), collections.Counter()
    for path in files:
        with open(path) as f:
            for line in f:
                start, executions, n = line.split()
                start = int(start, 16)
                i = bisect.bisect_right(addrs, start) - 1
                name = names[i] if i >= 0 and start < text_end else "[firmware]"
                insns[name] += int(n)
                if i >= 0 and addrs[i] == start:
                    calls[name] += int(executions)
    return insns, calls


def run(command, iters, plugin, outdir):
    prefix = os.path.join(outdir, f"i{iters}")
    env = dict(os.environ, HERMIT_QEMU_PLUGIN=f"{plugin},out={prefix}")
    cmd = [c.replace("{iters}", str(iters)) for c in command]
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    if done.returncode != 0:
        sys.exit(f"icount_profile: {' '.join(cmd)} failed (status {done.returncode})")
    files = glob.glob(prefix + ".*")
    if not files:
        sys.exit("icount_profile: no counts written (did the command boot VMs through "
                 "bin/hermit-run?)")
    return files


def main():
    p = argparse.ArgumentParser(description="Exact guest-instruction profile of one iteration.")
    p.add_argument("--image", required=True, help="the ELF the VMs boot (for symbols)")
    p.add_argument("--iters", required=True, metavar="N1,N2")
    p.add_argument("--top", type=int, default=40)
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    try:
        n1, n2 = (int(x) for x in args.iters.split(","))
    except ValueError:
        sys.exit("icount_profile: --iters takes N1,N2")
    if not command or not any("{iters}" in c for c in command) or n2 <= n1:
        sys.exit("icount_profile: give a COMMAND containing {iters}, and N1 < N2")
    addrs, names, text_end = symbols(args.image)
    plugin = build_plugin(os.environ.get("BUILD") or "build")
    outdir = tempfile.mkdtemp(prefix="icount-profile-")
    os.chmod(outdir, 0o1777)            # QEMU runs as the VM user and writes here
    try:
        (a, ac), (b, bc) = (counts(run(command, n, plugin, outdir), addrs, names, text_end)
                            for n in (n1, n2))
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    per = {k: (b[k] - a.get(k, 0)) / (n2 - n1) for k in b}
    total = sum(per.values())
    print(f"guest instructions per iteration, all VMs: {total:,.0f}")
    print(f"{'instructions':>12} {'share':>6} {'calls':>8}  function")
    for name, v in sorted(per.items(), key=lambda kv: -kv[1])[:args.top]:
        calls = (bc.get(name, 0) - ac.get(name, 0)) / (n2 - n1)
        print(f"{v:12,.0f} {100 * v / total:5.1f}% {calls:8.2f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
