#!/usr/bin/env python3
"""test_orphans.py - a launcher that dies leaves nothing running:
hermit-mpirun stopped by SIGHUP cleans up as on Ctrl-C; one killed by
SIGKILL (no cleanup possible) takes its ranks (host processes, and VMs
with their QEMU) with it through parent-death signals, its janitor
removes the network, and if the janitor was killed too, `hermit-net gc`
removes the network it left, and only such orphans.
Prints one PASS/FAIL line per case; exit 1 if any failed.

    python3 tests/launch/test_orphans.py [BUILD_DIR]   (default $HERMIT_TEST_BUILD or build;
                                                    the VM case needs BUILD_DIR/ktest.elf)
"""

import os
import random
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MPIRUN = os.path.join(ROOT, "cluster", "hermit-mpirun")
NET = os.path.join(ROOT, "cluster", "hermit-net")

sys.path.insert(0, HERE)
from procs import alive, argv, check, cmdline, descendants, stat_fields  # noqa: E402  (tests/launch/procs.py)
import procs  # noqa: E402


def networks():
    return subprocess.run([NET, "list"], capture_output=True, text=True).stdout.split()


def start_job(args, ready, env_extra=None, timeout=60):
    """Starts hermit-mpirun; waits until READ(descendants) says it is up."""
    env = dict(os.environ, **(env_extra or {}))
    log = open(os.devnull, "w")
    proc = subprocess.Popen([MPIRUN, *args], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                            env=env)
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if ready(descendants(proc.pid)):
            time.sleep(0.5)
            return proc, descendants(proc.pid)
        time.sleep(0.2)
    return proc, descendants(proc.pid)


def wait_gone(pids, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end and alive(pids):
        time.sleep(0.1)
    return alive(pids)


def cleanup(pids, net):
    for p in alive(pids):
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    if net in networks():
        subprocess.run([NET, "destroy", net], capture_output=True)


def sleepers(marker):
    return lambda pids: sum(1 for p in pids if cmdline(p).startswith(f"/bin/sleep {marker}")) >= 2


def test_sighup():
    marker = f"3600.{random.randrange(10**6)}"
    proc, pids = start_job(["-n", "2", "--timeout", "60", "/bin/sleep", marker],
                           sleepers(marker), {"HERMIT_VM_EXEC": "host"})
    net = f"mpi{proc.pid}"
    proc.send_signal(signal.SIGHUP)
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        rc = None
    left = wait_gone(pids, 5)
    check("launcher-sighup-cleans-up", rc == 130 and not left and net not in networks(),
          f"status {rc}; left: {[cmdline(p) for p in left]}; networks {networks()}")
    cleanup(pids + [proc.pid], net)


def janitor_of(proc, pids):
    """The launcher's janitor (cluster/job_resources.py): its child that
    runs the launcher's own command line in a session of its own."""
    for p in pids:
        if argv(p) == argv(proc.pid) and int(stat_fields(p)[1]) == proc.pid:
            return p
    return None


def test_sigkill_host():
    """The janitor cleans up after a launcher killed outright; with the
    janitor killed too, `hermit-net gc` is what removes the network."""
    marker = f"3600.{random.randrange(10**6)}"
    proc, pids = start_job(["-n", "2", "--timeout", "60", "/bin/sleep", marker],
                           sleepers(marker), {"HERMIT_VM_EXEC": "host"})
    net = f"mpi{proc.pid}"
    janitor = janitor_of(proc, pids)
    if janitor:
        os.kill(janitor, signal.SIGKILL)
    proc.kill()
    proc.wait()
    left = wait_gone(pids, 5)
    check("launcher-sigkill-ranks-die", janitor and not left,
          f"janitor {janitor}; left: {[cmdline(p) for p in left]}")
    orphan = net in networks()
    gc = subprocess.run([NET, "gc"], capture_output=True, text=True)
    check("hermit-net-gc-removes-orphan", orphan and gc.returncode == 0 and
          net not in networks() and net in gc.stdout,
          f"orphan listed before: {orphan}; gc status {gc.returncode}: "
          f"{(gc.stdout + gc.stderr).strip()}; after: {networks()}")
    cleanup(pids, net)


def test_sigkill_vm(build):
    image = os.path.join(build, "ktest.elf")
    if not os.path.exists(image):
        print(f"SKIP launcher-sigkill-vms-die: no {image}")
        return

    def qemus(pids):
        return [p for p in pids if "qemu-system" in cmdline(p)]
    proc, pids = start_job(["-n", "2", "--timeout", "60", image, "hang"],
                           lambda ps: len(qemus(ps)) >= 2)
    net = f"mpi{proc.pid}"
    vms = qemus(pids)
    proc.kill()
    proc.wait()
    left = wait_gone(pids, 10)
    check("launcher-sigkill-vms-die", len(vms) == 2 and not left,
          f"{len(vms)} QEMU seen; left: {[cmdline(p)[:80] for p in left]}")
    subprocess.run([NET, "gc"], capture_output=True)
    check("hermit-net-gc-after-vm-job", net not in networks(), str(networks()))
    cleanup(pids, net)


def test_gc_spares():
    """A network whose owner lives, and one made by hand, are not orphans."""
    live = f"gcl{os.getpid() % 100000}"
    hand = f"gch{os.getpid() % 100000}"
    owner = subprocess.Popen(["sleep", "60"])
    made = subprocess.run([NET, "create", "--owner", str(owner.pid), live],
                          capture_output=True, text=True)
    subprocess.run([NET, "create", hand], capture_output=True)
    subprocess.run([NET, "gc"], capture_output=True)
    nets = networks()
    check("hermit-net-gc-spares-live-and-hand-made", made.returncode == 0 and
          live in nets and hand in nets, f"{made.stderr.strip()}; networks {nets}")
    owner.kill()
    owner.wait()
    subprocess.run([NET, "gc"], capture_output=True)
    check("hermit-net-gc-after-owner-exits", live not in networks() and hand in networks(),
          str(networks()))
    for n in (live, hand):
        subprocess.run([NET, "destroy", n], capture_output=True)


if __name__ == "__main__":
    build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HERMIT_TEST_BUILD", "build")
    test_sighup()
    test_sigkill_host()
    test_gc_spares()
    test_sigkill_vm(build)
    sys.exit(1 if procs.failures else 0)
