#!/usr/bin/env python3
"""hosts.py - the multi-host stage of `make bench`: OSU latency, bandwidth
(one way and both ways) and allreduce with the ranks on different hosts, HermitCore-C against
Linux guests placed the same way, the same-host figures beside them.

    bench/osu/hosts.py [--quick] [--repeat R] OUTDIR

Root only (the hosts are network namespaces): brings up two test hosts
and a head (tests/hosts/testhosts.sh), then from the head runs every
benchmark through `hermit-mpirun -f HOSTFILE --net bridge` (Hydra over
ssh, the bridges joined by VXLAN) twice per system: all ranks on h1
("1 host": frames stay on h1's bridge) and alternating h1, h2 ("2 hosts":
every message crosses the overlay). Both systems get the same hosts,
hostfiles, overlay, QEMU settings (one vCPU, 256 MiB) and launcher; runs
are interleaved. Writes OUTDIR/osu-hosts.csv (samples; metric
"BENCH, PLACEMENT", param the message size) and OUTDIR/osu-hosts.md.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "cluster"))
import linux_guest  # noqa: E402  (cluster/linux_guest.py)
import report  # noqa: E402
from run import SYSTEMS, System, run_once  # noqa: E402  (bench/osu/run.py)

TESTHOSTS = os.path.join(ROOT, "tests", "hosts", "testhosts.sh")
MPIRUN = os.path.join(ROOT, "cluster", "hermit-mpirun")
LAB = "bh"
PLACEMENTS = {"1 host": "h1:64\n", "2 hosts": "h1:1\nh2:1\n"}   # Hydra fills slots in order
# benchmark, VMs, full-run options, quick-run options, the sizes the table shows
PLAN = [
    ("osu_latency", 2, "-m 1:65536 -i 50 -x 5", "-m 8:1024 -i 10 -x 2", ["8", "65536"]),
    ("osu_bw", 2, "-m 8:1048576 -i 5 -x 1", "-m 1024:65536 -i 2 -x 1", ["1048576"]),
    ("osu_bibw", 2, "-m 1048576:1048576 -i 5 -x 1", "-m 65536:65536 -i 2 -x 1", ["1048576"]),
    ("osu_allreduce", 4, "-m 8:65536 -i 20 -x 2", "-m 8:1024 -i 5 -x 1", ["8"]),
]


def lab(*args):
    return subprocess.run([TESTHOSTS, *args], capture_output=True, text=True)


def system(name, hostfile):
    """SYSTEMS[name] launched from the lab's head with HOSTFILE."""
    base = SYSTEMS[name]
    launcher = [TESTHOSTS, "exec", LAB, "head", MPIRUN, "-f", hostfile, "--net", "bridge"]
    return System(name, launcher + base.launcher[1:], base.binary, base.how_to_build)


def measure(out, quick, repeat, tmp):
    samples, lost = [], []
    runs = os.path.join(out, "osu-hosts-runs")
    os.makedirs(runs, exist_ok=True)
    files = {}
    for placement, text in PLACEMENTS.items():
        files[placement] = os.path.join(tmp, placement.replace(" ", "-"))
        with open(files[placement], "w") as f:
            f.write(text)
    total = len(PLAN) * repeat * len(PLACEMENTS) * len(report.SYSTEMS)
    progress = report.Progress("osu-hosts", total)
    for bench, vms, full, short, _ in PLAN:
        args = (short if quick else full).split()
        for rep, name in report.interleave(repeat):
            for placement, hostfile in files.items():
                progress.step(f"{bench} on {vms} VMs, {placement}, run {rep} {name}")
                log = os.path.join(runs, f"{bench}-{placement.replace(' ', '-')}-{name}-{rep}.log")
                try:
                    rows, unit, _ = run_once(system(name, hostfile), bench, vms, 600, args, log)
                except RuntimeError as e:
                    lost.append(f"{bench}, {placement}, {name} run {rep}: "
                                f"{str(e).splitlines()[0][-120:]}")
                    continue
                samples += [report.sample(name, f"{bench}, {placement}", float(value), rep,
                                          size, unit) for size, value, _, _, _ in rows]
    return samples, lost


def shown_sizes(samples, bench, sizes):
    """The table's sizes, or the largest measured where a quick run has none."""
    measured = {s["param"] for s in samples if s["metric"].startswith(bench + ",")}
    found = [size for size in sizes if size in measured]
    return found or sorted(measured, key=int)[-1:]


def write(out, samples, lost):
    specs = []
    for bench, vms, _, _, sizes in PLAN:
        unit = "MB/s" if bench in ("osu_bw", "osu_bibw") else "us"
        for size in shown_sizes(samples, bench, sizes):
            for placement in PLACEMENTS:
                specs.append(dict(metric=f"{bench}, {placement}", param=size,
                                  label=f"{bench} {size} B, {vms} VMs, {placement} ({unit})"))
    text = ["## OSU across hosts (bench/osu/hosts.py)", "",
            "The same programs as the OSU section, launched from a head node with "
            "`hermit-mpirun -f HOSTFILE --net bridge` on test hosts that are network "
            "namespaces joined only over IP (Hydra over ssh, the hosts' bridges joined by "
            "VXLAN, MTU 1450). \"1 host\": every rank on h1; \"2 hosts\": ranks alternate "
            "between h1 and h2, so every message crosses the overlay. One vCPU and 256 MiB "
            "per VM; both systems placed alike. Ratios are HermitCore-C / Linux guest "
            "medians.", "", report.table(samples, specs)]
    if lost:
        text += ["Failed runs (not in the medians):", ""] + [f"- {x}" for x in lost] + [""]
    report.write_report(out, "osu-hosts", samples, "\n".join(text))


def main(argv):
    ap = argparse.ArgumentParser(description="OSU across test hosts, HermitCore-C vs Linux")
    ap.add_argument("--quick", action="store_true", help="small sizes, one run each")
    ap.add_argument("--repeat", type=int, help="runs per system and placement (default 3)")
    ap.add_argument("outdir")
    a = ap.parse_args(argv)
    out = report.outdir(a.outdir)
    if os.getuid() != 0:
        report.say("osu-hosts", "skipped: the test hosts are network namespaces (root only)")
        return 0
    if subprocess.call(["make", "-s", "-C", ROOT, "osu-linux"], stdout=sys.stderr) != 0:
        report.say("osu-hosts", "cannot build the Linux baseline's benchmarks")
        return 1
    # Each Linux job's initramfs (and Debian's kernel, fetched by apt on
    # first use) is built here: the head node has no route to the mirror.
    try:
        for bench, *_ in PLAN:
            linux_guest.build_initramfs(SYSTEMS["linux"].binary(bench))
    except RuntimeError as e:
        report.say("osu-hosts", str(e))
        return 1
    lab("down", LAB)
    made = lab("up", LAB, "2")
    if made.returncode != 0:
        report.say("osu-hosts", f"the test hosts did not come up: {made.stderr.strip()}")
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="hermit-bench-hosts-") as tmp:
            samples, lost = measure(out, a.quick, a.repeat or (1 if a.quick else 3), tmp)
    finally:
        lab("down", LAB)
    if samples:
        write(out, samples, lost)
    return 1 if lost or not samples else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
