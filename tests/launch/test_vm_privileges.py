#!/usr/bin/env python3
"""test_vm_privileges.py - QEMU never runs as root: a VM started by root
(the bridge plan needs root) runs as the network's VM user with QEMU's
seccomp sandbox, and the bridge plan's taps belong to that user.
Boots one VM of BUILD_DIR/hello.elf on a bridge network and looks at its
QEMU while it runs. Needs root; prints one PASS/FAIL line per case.

    python3 tests/launch/test_vm_privileges.py [BUILD_DIR]   (default $HERMIT_TEST_BUILD or build)
"""

import os
import pwd
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
NET = os.path.join(ROOT, "cluster", "hermit-net")
RUN = os.path.join(ROOT, "bin", "hermit-run")

sys.path.insert(0, HERE)
from procs import argv as argv_of, check, descendants  # noqa: E402
from procs import status as status_of  # noqa: E402
import procs  # noqa: E402  (tests/launch/procs.py)


def qemu_under(pid):
    """The QEMU below PID (hermit-run's child), once it runs."""
    for p in descendants(pid):
        args = argv_of(p)
        if args and args[0].endswith("qemu-system-x86_64"):
            return p, args
    return None, []


def main(build):
    if os.geteuid() != 0:
        print("SKIP vm-privileges: needs root (the bridge plan)")
        return 0
    image = os.path.join(build, "hello.elf")
    name = f"tp{random.randrange(10**6)}"
    env = dict(os.environ)
    env.pop("SUDO_USER", None)
    env.pop("HERMIT_VM_USER", None)     # the default VM user: nobody
    made = subprocess.run([NET, "create", "--plan", "bridge", "--vms", "1", name],
                          capture_output=True, text=True, env=env)
    if made.returncode != 0:
        check("vm-privileges-network", False, made.stderr.strip())
        return 1
    try:
        tap = subprocess.run(["ip", "-n", f"hermit-{name}", "-d", "link", "show", "tap0"],
                             capture_output=True, text=True).stdout
        nobody = pwd.getpwnam("nobody").pw_uid
        check("bridge-tap-owned-by-vm-user", f"user {nobody} " in tap or
              "user nobody" in tap, tap.strip().replace("\n", " | ")[:300])
        # The guest prints its hello and waits: `hello.elf` exits at once, so
        # ktest's sleep-free "hang" keeps the VM up while we look.
        run = subprocess.Popen([RUN, "--timeout", "60", "--net", name,
                                os.path.join(build, "ktest.elf"), "--", "hang"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        qemu, argv = None, []
        end = time.monotonic() + 30
        while time.monotonic() < end and qemu is None and run.poll() is None:
            time.sleep(0.3)
            # hermit-run may sit below `ip netns exec`, which execs it.
            qemu, argv = qemu_under(run.pid)
        time.sleep(1.5)     # past QEMU's start-up, when it drops its privileges
        st = status_of(qemu) if qemu else {}
        uids = st.get("Uid", [])
        check("qemu-not-root", qemu is not None and uids and "0" not in uids,
              f"QEMU {qemu} uids {uids}; argv {' '.join(argv)[:200]}")
        check("qemu-sandboxed", st.get("Seccomp", ["0"])[0] == "2" and "-sandbox" in argv,
              f"Seccomp {st.get('Seccomp')}; argv has -sandbox: {'-sandbox' in argv}")
        check("qemu-no-capabilities", st.get("CapEff", ["?"])[0].strip("0") == "",
              f"CapEff {st.get('CapEff')}")
        run.terminate()
        try:
            run.wait(timeout=15)
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait()
        # A VM that runs unprivileged still works: hello on the bridge.
        hello = subprocess.run([RUN, "--timeout", "60", "--net", name, image],
                               capture_output=True, text=True, env=env, timeout=90)
        check("unprivileged-vm-runs", hello.returncode == 0 and "Hello from" in hello.stdout,
              f"status {hello.returncode}: {hello.stderr.strip()[-200:]}")
    finally:
        subprocess.run([NET, "destroy", name], capture_output=True)
    test_rank_vm(build, env)
    return 1 if procs.failures else 0


def test_rank_vm(build, env):
    """A rank's VM (hermit-mpirun -> hermit-vm -> hermit-run), vde plan."""
    mpirun = os.path.join(ROOT, "cluster", "hermit-mpirun")
    job = subprocess.Popen([mpirun, "-n", "1", "--timeout", "60",
                            os.path.join(build, "ktest.elf"), "hang"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    qemu = None
    end = time.monotonic() + 30
    while time.monotonic() < end and qemu is None and job.poll() is None:
        time.sleep(0.3)
        qemu, _ = qemu_under(job.pid)
    time.sleep(1.5)
    try:
        st = status_of(qemu) if qemu else {}
    except OSError:
        st = {}
    check("rank-qemu-not-root-sandboxed", st.get("Uid") and "0" not in st["Uid"] and
          st.get("Seccomp", ["0"])[0] == "2", f"QEMU {qemu}: Uid {st.get('Uid')}, "
          f"Seccomp {st.get('Seccomp')}")
    job.send_signal(2)
    try:
        job.wait(timeout=20)
    except subprocess.TimeoutExpired:
        job.kill()
        job.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HERMIT_TEST_BUILD", "build")))
