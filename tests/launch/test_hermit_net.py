#!/usr/bin/env python3
"""test_hermit_net.py - cluster/hermit-net's create and destroy under
faults: a create stopped or failing half-way leaves nothing, creates and
destroys of one name racing leave one network or none (never a stray
switch), and destroy kills a recorded PID only if it is still the
process it started. Every case uses a private state directory
(HERMIT_RUN_DIR) and names of its own; bridge cases need root.
Prints one PASS/FAIL line per case; exit 1 if any failed.
"""

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NET = os.path.join(HERE, "..", "..", "cluster", "hermit-net")

sys.path.insert(0, HERE)
from procs import check  # noqa: E402  (tests/launch/procs.py)
import procs  # noqa: E402


class Env:
    """A private run directory and, optionally, a vde_switch stand-in."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="hermit-net-test-")
        self.run_dir = os.path.join(self.tmp, "run")
        self.bin = os.path.join(self.tmp, "bin")
        os.mkdir(self.bin)
        self.env = dict(os.environ, HERMIT_RUN_DIR=self.run_dir)

    def fake_switch(self, body):
        """A vde_switch that runs BODY (the real one is $REAL)."""
        path = os.path.join(self.bin, "vde_switch")
        with open(path, "w") as f:
            f.write(f"#!/bin/bash\nREAL={shutil.which('vde_switch')}\n{body}\n")
        os.chmod(path, stat.S_IRWXU)
        self.env["PATH"] = self.bin + ":" + os.environ["PATH"]

    def net(self, *args, **kw):
        return subprocess.run([NET, *args], env=self.env, capture_output=True, text=True, **kw)

    def start(self, *args):
        return subprocess.Popen([NET, *args], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def switches(self, name=""):
        """PIDs of vde_switch processes serving this directory's networks."""
        needle = os.path.join(self.run_dir, name)
        found = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")
                except OSError:
                    continue
                if argv and argv[0].endswith(b"vde_switch") and \
                        any(needle.encode() in a for a in argv):
                    found.append(int(d))
        return found

    def networks(self):
        return self.net("list").stdout.split()

    def clean(self):
        for name in self.networks():
            self.net("destroy", name)
        for pid in self.switches():
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def netns_exists(ns):
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return any(line.split()[0] == ns for line in out.splitlines() if line.split())


def name(prefix):
    return f"{prefix}{random.randrange(10**6)}"


def test_interrupted_vde():
    e = Env()
    # The real switch starts; then the create is stopped while it waits.
    e.fake_switch('"$REAL" "$@" || exit; sleep 2')
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        n = name("ti")
        p = e.start("create", "--plan", "vde", n)
        time.sleep(1)
        p.send_signal(sig)
        p.wait(timeout=20)
        time.sleep(0.3)
        left = e.switches(n)
        check(f"net-create-vde-{sig.name.lower()}-leaves-nothing",
              p.returncode != 0 and not left and n not in e.networks(),
              f"status {p.returncode}; switches {left}; networks {e.networks()}")
    e.clean()


def test_failing_switch():
    e = Env()
    # A switch that starts and then fails (its control socket never comes).
    e.fake_switch('"$REAL" "$@" || exit; rm -rf "${2:?}/ctl"; exit 1')
    n = name("tf")
    r = e.net("create", "--plan", "vde", n)
    time.sleep(0.3)
    left = e.switches(n)
    check("net-create-vde-failure-leaves-nothing",
          r.returncode != 0 and not left and n not in e.networks(),
          f"status {r.returncode}: {r.stderr.strip()}; switches {left}; networks {e.networks()}")
    e.clean()


def test_interrupted_bridge():
    if os.geteuid() != 0:
        print("SKIP net-create-bridge-interrupted-leaves-nothing: needs root")
        return
    e = Env()
    for delay in (0.3, 1.0):
        n = name("tb")
        p = e.start("create", "--plan", "bridge", "--vms", "400", n)
        time.sleep(delay)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        check(f"net-create-bridge-interrupted-{delay:g}s-leaves-nothing",
              p.returncode != 0 and not netns_exists(f"hermit-{n}") and n not in e.networks(),
              f"status {p.returncode}; namespace left: {netns_exists(f'hermit-{n}')}; "
              f"networks {e.networks()}")
        if netns_exists(f"hermit-{n}"):
            subprocess.run(["ip", "netns", "del", f"hermit-{n}"])
    e.clean()


def test_races():
    e = Env()
    n = name("tr")
    procs = [e.start("create", "--plan", "vde", n) for _ in range(8)]
    codes = [p.wait(timeout=30) for p in procs]
    sw = e.switches(n)
    check("net-concurrent-creates-one-wins", codes.count(0) == 1 and len(sw) == 1,
          f"statuses {codes}; switches {sw}")
    e.net("destroy", n)
    # Creates and destroys of one name at once: afterwards, one destroy
    # leaves no switch behind, whoever won each round.
    strays = []
    for _ in range(12):
        c = e.start("create", "--plan", "vde", n)
        time.sleep(random.uniform(0, 0.15))
        d = e.start("destroy", n)
        c.wait(timeout=30)
        d.wait(timeout=30)
        e.net("destroy", n)
        time.sleep(0.1)
        strays += e.switches(n)
        for pid in e.switches(n):
            os.kill(pid, signal.SIGKILL)
    check("net-create-destroy-race-no-stray-switch", not strays and n not in e.networks(),
          f"stray switches {strays}; networks {e.networks()}")
    # The same race made certain: a switch slow to write its PID file, and
    # a destroy that comes in between.
    e.fake_switch('a=("$@"); for i in "${!a[@]}"; do [ "${a[$i]}" = --pidfile ] && '
                  'pf=${a[$((i+1))]} && a[$((i+1))]=$pf.slow; done\n'
                  '"$REAL" "${a[@]}" || exit; sleep 1; mv "$pf.slow" "$pf"')
    c = e.start("create", "--plan", "vde", n)
    time.sleep(0.4)
    d = e.start("destroy", n)
    c.wait(timeout=30)
    d.wait(timeout=30)
    e.net("destroy", n)
    time.sleep(0.2)
    strays = e.switches(n)
    check("net-destroy-during-create-no-stray-switch", not strays and n not in e.networks(),
          f"create {c.returncode}, destroy {d.returncode}; stray switches {strays}; "
          f"networks {e.networks()}")
    e.clean()


def test_destroy_spares_strangers():
    """A switch that died and whose PID now runs another process: destroy
    must not kill it, even if its command line looks like ours."""
    e = Env()
    for who in ("another-user", "same-user-later"):
        n = name("tk")
        r = e.net("create", "--plan", "vde", n)
        sock = os.path.join(e.run_dir, n, "switch")
        real = e.switches(n)
        for pid in real:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        # A process with our switch's path in its command line.
        argv = ["bash", "-c", "sleep 30; true", sock]
        if who == "another-user":
            argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
        decoy = subprocess.Popen(argv)
        time.sleep(0.2)
        with open(os.path.join(e.run_dir, n, "switch.pid"), "w") as f:
            f.write(f"{decoy.pid}\n")
        d = e.net("destroy", n)
        time.sleep(0.3)
        spared = decoy.poll() is None
        check(f"net-destroy-spares-{who}", r.returncode == 0 and len(real) == 1 and spared and
              d.returncode == 0 and n not in e.networks(),
              f"create {r.returncode}, switches {real}, decoy spared {spared}, "
              f"destroy {d.returncode}: {d.stderr.strip()}")
        decoy.kill()
        decoy.wait()
    e.clean()


if __name__ == "__main__":
    for test in (test_interrupted_vde, test_failing_switch, test_interrupted_bridge,
                 test_races, test_destroy_spares_strangers):
        try:
            test()
        except Exception as e:      # noqa: BLE001  (a case that broke is a failure)
            check(f"net-{test.__name__[5:].replace('_', '-')}-finished", False, repr(e)[:300])
    sys.exit(1 if procs.failures else 0)
