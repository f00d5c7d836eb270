#!/usr/bin/env python3
"""profile.py - where the guests' time goes: a sampling profile of every
HermitCore-C VM a command starts, read from QEMU's monitor.

    bench/profile.py [--interval S] [--top N] [--out FILE] -- COMMAND...

    bench/profile.py -- cluster/hermit-mpirun -n 2 --icount \\
        build/osu/osu_latency.elf -m 1048576:1048576 -i 20

Runs COMMAND and, while it runs, asks each QEMU it started (found among
its descendants; hermit-run gives every VM a human monitor on a unix
socket) for `info registers -a` every S seconds (default 0.005), one
short connection per sample, so hermit-run's own use of the monitor is
not locked out. Each running vCPU's RIP is a sample; a halted one
(HLT=1) counts as idle. At the end each VM's samples are symbolized with
`nm` on its image (-kernel) and printed as a table of functions, with
the share of busy samples, for each image and for all of them together.

The samples are taken in host time. Under --icount (single-threaded TCG,
guest time = instructions) host time per guest instruction is roughly
even, so the shares approximate where guest instructions go; without it
they show where the emulation spends its time. Either way a profile is a
ranking to decide what to measure next, not a measurement: the figures
that count are ratios and icount totals (bench/osu/icount.py).
COMMAND's exit status is profile.py's.
"""

import argparse
import bisect
import collections
import os
import re
import socket
import subprocess
import sys
import time

MONITOR = re.compile(r"-monitor\0unix:([^,\0]+)")
KERNEL = re.compile(r"-kernel\0([^\0]+)")
CPU_STATE = re.compile(rb"RIP=([0-9a-f]{16}).*?HLT=(\d)", re.S)
PROMPT = b"(qemu) "


def descendants(pid):
    """Every process below pid (children, their children, ...)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(c) for c in f.read().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def qemu_of(pid):
    """(monitor socket, image) if pid is a QEMU with both, else None."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().decode(errors="replace")
    except OSError:
        return None
    mon, image = MONITOR.search(cmd), KERNEL.search(cmd)
    if "qemu-system" not in cmd.split("\0", 1)[0] or not mon or not image:
        return None
    return mon.group(1), image.group(1)


def sample(path, wait=0.2):
    """[(rip, halted)] for each vCPU of the QEMU behind this monitor."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(wait)
    data = b""
    try:
        s.connect(path)
        s.sendall(b"info registers -a\n")
        end = time.monotonic() + wait
        # The banner ends with a prompt; the answer ends with the next one.
        while data.count(PROMPT) < 2 and time.monotonic() < end:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        return []
    finally:
        s.close()
    return [(int(m.group(1), 16), m.group(2) == b"1") for m in CPU_STATE.finditer(data)]


class Symbols:
    """Address -> function name from nm's sorted symbol list."""

    def __init__(self, image):
        out = subprocess.run(["nm", "-n", "--defined-only", image], capture_output=True,
                             text=True).stdout
        self.addrs, self.names = [], []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                self.addrs.append(int(parts[0], 16))
                self.names.append(parts[2])

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else f"0x{addr:x}"


def table(title, counts, idle, top):
    busy = sum(counts.values())
    lines = [f"## {title}: {busy} busy samples, {idle} idle", "",
             "| function | samples | share of busy |", "|---|---|---|"]
    for name, n in counts.most_common(top):
        lines.append(f"| `{name}` | {n} | {100.0 * n / busy:.1f} % |")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description="Sampling profile of the VMs a command starts.")
    p.add_argument("--interval", type=float, default=0.005, help="seconds between samples")
    p.add_argument("--top", type=int, default=30, help="functions per table")
    p.add_argument("--out", help="also write the tables here (markdown)")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        p.error("give the command to run after --")

    child = subprocess.Popen(cmd)
    vms = {}                                    # pid -> (monitor, image)
    rips = collections.defaultdict(collections.Counter)    # image -> rip -> samples
    idle = collections.Counter()
    try:
        while child.poll() is None:
            for pid in descendants(child.pid):
                if pid not in vms:
                    found = qemu_of(pid)
                    if found:
                        vms[pid] = found
            for pid, (mon, image) in list(vms.items()):
                if not os.path.exists(f"/proc/{pid}"):
                    del vms[pid]
                    continue
                for rip, halted in sample(mon):
                    if halted:
                        idle[image] += 1
                    else:
                        rips[image][rip] += 1
            time.sleep(args.interval)
    except KeyboardInterrupt:
        child.terminate()
    status = child.wait()

    out, total, total_idle = [], collections.Counter(), 0
    for image in sorted(rips):
        syms = Symbols(image)
        counts = collections.Counter()
        for rip, n in rips[image].items():
            counts[syms.name(rip)] += n
        total.update(counts)
        total_idle += idle[image]
        out.append(table(os.path.relpath(image), counts, idle[image], args.top))
    if len(rips) > 1:
        out.append(table("all images", total, total_idle, args.top))
    text = "\n".join(out) if out else "profile: no samples (no VM with a monitor ran)\n"
    print(text, file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
