#!/usr/bin/env python3
"""run.py - the network benchmark, unikernel pair vs Linux-guest pair.

    bench/net/run.py [--repeat N] [--rounds R] [--stream-mib M] [--smp N]
                     [--link unix|tcp] [OUTDIR]

Two VMs per run, joined by a QEMU stream netdev on a unix socket (no host
network) or, with --link tcp, on a loopback TCP connection, both booted with the same QEMU options: -M pc, -accel
tcg,thread=multi, -cpu max, -m 256M, --smp vCPUs (default 1), a
virtio-net-pci NIC. bench/net/netbench.c runs on both: "server" on the
first VM, "client" on the second, which measures TCP ping-pong round
trips (8 B, 1 KiB, 64 KiB) and a one-way stream. The unikernel image is
built with bin/hermit-cc; the Linux program with gcc -static and put into
the Linux guest's initramfs together with the virtio-net modules from the
same kernel package (bench/baseline/build-linux-guest.sh --add), which
netbench -L loads before giving eth0 its address.

Runs are interleaved (hermit, linux, hermit, linux, ...). Reported per
system: the median over runs of each run's median (and the min and max
of those medians), one-way latency = round trip / 2, and hermit/linux
ratios. Times are the guests' own clocks under TCG: emulated time on a
shared host, meaningful as a comparison in one configuration only.

Writes OUTDIR/net.csv (bench/report.py samples: pingpong_rtt per size in
µs, each run's median, min and max; stream_bw in MB/s) and OUTDIR/net.md,
and prints the table.
"""

import argparse
import glob
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, ROOT)
from bench import report  # noqa: E402

HERMIT_RUN = os.path.join(ROOT, "bin", "hermit-run")
HERMIT_CC = os.path.join(ROOT, "bin", "hermit-cc")
LINUX_RUN = os.path.join(ROOT, "bench", "baseline", "linux-run")
BUILD_GUEST = os.path.join(ROOT, "bench", "baseline", "build-linux-guest.sh")
SOURCE = os.path.join(HERE, "netbench.c")
CACHE = os.path.join(os.environ.get("HERMIT_CACHE") or os.path.expanduser("~/.cache/hermitcore-c"))
WORK = os.path.join(CACHE, "bench-net")
IMAGE = os.path.join(ROOT, os.environ.get("BUILD") or "build", "bench-net", "netbench.elf")
MODULES = ["virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
           "virtio_pci", "failover", "net_failover", "virtio_net"]
MODULE_PATHS = {"failover": "kernel/net/core/", "net_failover": "kernel/drivers/net/",
                "virtio_net": "kernel/drivers/net/"}
SERVER_IP, CLIENT_IP = "10.0.0.1", "10.0.0.2"
RUN_TIMEOUT = 300
LINKS = {"unix": "unix-socket stream netdev",
         "tcp": "stream netdev over loopback TCP (the unprivileged multi-host link)"}


def say(msg):
    report.say("bench-net", msg)


def build_hermit():
    os.makedirs(os.path.dirname(IMAGE), exist_ok=True)
    subprocess.run([HERMIT_CC, "-O2", "-Wall", "-Wextra", "-Werror", SOURCE, "-o", IMAGE],
                   check=True)


def extract_modules():
    """The virtio-net modules of the guest's own kernel package, as --add wants
    them (executable files); the initramfs carries no modules tree."""
    with open(os.path.join(CACHE, "linux-guest", "kernel-version")) as f:
        kpkg = f.read().split()[0]
    debs = glob.glob(os.path.join(CACHE, "linux-guest", "debs", f"{kpkg}_*.deb"))
    if not debs:
        sys.exit(f"bench-net: no {kpkg} package in the Linux guest's cache")
    out = os.path.join(WORK, "modules")
    os.makedirs(out, exist_ok=True)
    patterns = [f"./lib/modules/*/{MODULE_PATHS.get(m, 'kernel/drivers/virtio/')}{m}.ko"
                for m in MODULES]
    tar = subprocess.Popen(["tar", "-x", "-C", out, "--wildcards", "--transform=s|.*/||"]
                           + patterns, stdin=subprocess.PIPE)
    subprocess.run(["dpkg-deb", "--fsys-tarfile", debs[0]], stdout=tar.stdin, check=True)
    tar.stdin.close()
    if tar.wait() != 0:
        sys.exit("bench-net: extracting the virtio-net modules failed")
    paths = [os.path.join(out, m + ".ko") for m in MODULES]
    for p in paths:
        os.chmod(p, 0o755)
    return paths


def build_linux():
    """Returns the keyed initramfs that holds netbench and the modules."""
    os.makedirs(WORK, exist_ok=True)
    prog = os.path.join(WORK, "netbench")
    subprocess.run(["gcc", "-O2", "-static", "-Wall", "-Wextra", "-Werror", SOURCE, "-o", prog],
                   check=True)
    subprocess.run([BUILD_GUEST], check=True, stdout=sys.stderr)   # kernel + debs first
    adds = [a for p in [prog] + extract_modules() for a in ("--add", p)]
    subprocess.run([BUILD_GUEST] + adds, check=True, stdout=sys.stderr)
    # The stable name may be re-pointed by another benchmark: keep the keyed file.
    link = os.path.join(CACHE, "linux-guest", "initramfs.cpio.gz")
    keyed = os.path.join(os.path.dirname(link), os.readlink(link))
    with open(keyed + ".contents") as f:
        if "netbench" not in f.read().split():
            sys.exit("bench-net: the initramfs lacks netbench (built concurrently?); rerun")
    return keyed


def free_port():
    """A loopback TCP port nobody holds now (the server's QEMU binds it next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def netdev(link, server, mac):
    """link: ("unix", path) or ("tcp", port): QEMU's stream netdev either way,
    on a private socket file or on loopback TCP (how VMs on two hosts meet
    without privileges)."""
    mode = "server=on" if server else "server=off,reconnect-ms=100"
    kind, where = link
    addr = (f"addr.type=unix,addr.path={where}" if kind == "unix"
            else f"addr.type=inet,addr.host=127.0.0.1,addr.port={where}")
    return ["--qemu-arg=-netdev",
            f"--qemu-arg=stream,id=n0,{mode},{addr}",
            "--qemu-arg=-device", f"--qemu-arg=virtio-net-pci,netdev=n0,mac={mac}"]


def commands(system, link, args, initrd):
    client_args = ["-r", str(args.rounds), "-s", str(args.stream_mib)]
    common = ["--timeout", str(RUN_TIMEOUT), "--smp", str(args.smp)]
    if system == "hermit":
        server = [HERMIT_RUN] + common + ["--kopt", f"ip={SERVER_IP}/24"] + \
            netdev(link, True, "52:54:00:00:02:01") + [IMAGE, "--", "server"]
        client = [HERMIT_RUN] + common + ["--kopt", f"ip={CLIENT_IP}/24"] + \
            netdev(link, False, "52:54:00:00:02:02") + [IMAGE, "--", "client", SERVER_IP] + \
            client_args
    else:
        base = [LINUX_RUN] + common + ["--initrd", initrd]
        server = base + netdev(link, True, "52:54:00:00:03:01") + \
            ["--", "netbench", "-L", f"{SERVER_IP}/24", "server"]
        client = base + netdev(link, False, "52:54:00:00:03:02") + \
            ["--", "netbench", "-L", f"{CLIENT_IP}/24", "client", SERVER_IP] + client_args
    return server, client


def run_pair(system, args, initrd, rep):
    with tempfile.TemporaryDirectory(prefix="bench-net-") as tmp:
        link = (("unix", os.path.join(tmp, "link.sock")) if args.link == "unix"
                else ("tcp", free_port()))
        server_cmd, client_cmd = commands(system, link, args, initrd)
        log = open(os.path.join(tmp, "server.log"), "w+")
        server = subprocess.Popen(server_cmd, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            time.sleep(0.5)                     # the server's QEMU creates the socket
            out = subprocess.run(client_cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                 text=True, timeout=RUN_TIMEOUT + 30)
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.terminate()              # hermit-run/linux-run stop their QEMU
                server.wait(timeout=10)
        log.seek(0)
        if out.returncode != 0 or server.returncode != 0:
            sys.exit(f"bench-net: {system} pair failed (client {out.returncode}, server "
                     f"{server.returncode}):\n{out.stdout[-1500:]}{out.stderr[-1500:]}\n"
                     f"server:\n{log.read()[-1500:]}")
    return parse(out.stdout, system, rep)


def parse(text, system, rep):
    """bench/report.py samples of one client's output."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"pingpong (\d+) rounds \d+ rtt_us min ([\d.]+) median ([\d.]+) "
                     r"max ([\d.]+)", line)
        if m:
            for metric, v in (("pingpong_rtt", m.group(3)), ("pingpong_rtt_min", m.group(2)),
                              ("pingpong_rtt_max", m.group(4))):
                rows.append(report.sample(system, metric, float(v), rep, m.group(1), "us"))
        m = re.match(r"stream (\d+) mib seconds ([\d.]+) mb_s ([\d.]+)", line)
        if m:
            rows.append(report.sample(system, "stream_bw", float(m.group(3)), rep, "", "MB/s"))
            rows.append(report.sample(system, "stream_seconds", float(m.group(2)), rep,
                                      m.group(1), "s"))
    if sum(r["metric"] in ("pingpong_rtt", "stream_bw") for r in rows) < 4:
        sys.exit(f"bench-net: incomplete {system} output:\n{text[-2000:]}")
    return rows


def table(results, args):
    specs = [dict(metric="pingpong_rtt", param=str(size), label=label, scale=0.5,
                  goal="≤ 0.6", ok=lambda r: r <= 0.6)
             for size, label in ((8, "8 B one-way latency (µs)"),
                                 (1024, "1 KiB one-way latency (µs)"),
                                 (65536, "64 KiB one-way latency (µs)"))]
    specs.append(dict(metric="stream_bw", label="stream (MB/s)", goal="≥ 1.0",
                      ok=lambda r: r >= 1.0))
    header = (f"# TCP between two VMs ({args.link} link): HermitCore-C pair vs Linux-guest pair\n\n"
              f"{args.repeat} interleaved runs per system; per run {args.rounds} round trips "
              f"(8 B, 1 KiB; {args.rounds // 4 + 1} for 64 KiB) and a {args.stream_mib} MiB "
              f"stream. QEMU -M pc -accel tcg,thread=multi -cpu max -smp {args.smp} -m 256M, "
              f"virtio-net-pci on a {LINKS[args.link]}. One-way = median round trip / 2; "
              "the bracket is the spread of the per-run medians. TCG: emulated time on a "
              f"shared {os.cpu_count()}-CPU host.\n")
    return header + "\n" + report.table(results, specs, goals=True)


def main():
    p = argparse.ArgumentParser(description="TCP latency and stream, unikernel vs Linux guest.")
    p.add_argument("outdir", nargs="?")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--rounds", type=int, default=1000)
    p.add_argument("--stream-mib", type=int, default=64)
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--link", choices=sorted(LINKS), default="unix",
                   help="how the two QEMUs meet (default unix; results go to net.* or net-tcp.*)")
    args = p.parse_args()
    outdir = report.outdir(args.outdir)

    say("building netbench for both systems")
    build_hermit()
    initrd = build_linux()
    results = []
    name = "net" if args.link == "unix" else "net-" + args.link
    progress = report.Progress(name, args.repeat * 2)
    for rep, system in report.interleave(args.repeat):
        progress.step(f"run {rep}/{args.repeat} {system}")
        results += run_pair(system, args, initrd, rep)
    report.write_report(outdir, name, results, table(results, args))
    say(f"results in {outdir}")


if __name__ == "__main__":
    main()
