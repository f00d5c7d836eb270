#!/usr/bin/env python3
"""test_hosts_logic.py - the pure parts of running across hosts, on the
host, no VM: hostfile parsing and rank placement (cluster/hostfile.py),
Slurm's tasks-per-node (cluster/hydra_job.py), and the PMI relay's
dialect translation and abort (cluster/pmi_relay.py) against a fake
process manager on a socketpair. Prints one PASS/FAIL line per case.
"""

import os
import socket
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "cluster"))
import hostfile  # noqa: E402
import hydra_job  # noqa: E402
from pmi_relay import PmiRelay, ProcessManager  # noqa: E402

failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {detail}")
    failures += 0 if ok else 1


def refused(text, needle):
    try:
        hostfile.parse(text, "hf")
    except hostfile.HostfileError as e:
        return needle in str(e)
    return False


def test_hostfile():
    hosts = hostfile.parse("# cluster\nh1:2\n\nh2   # one slot\nnode-3.lab:4\n", "hf")
    check("hostfile-parse", hosts == [("h1", 2), ("h2", 1), ("node-3.lab", 4)], str(hosts))
    check("hostfile-duplicate", refused("h1\nh2\nh1:3\n", "hf:3: host 'h1' is already on line 1"))
    check("hostfile-bad-slots", refused("h1:0\n", "hf:1: slots must be"))
    check("hostfile-bad-slots-text", refused("h1:two\n", "slots must be"))
    check("hostfile-extra-words", refused("h1 slots=2\n", "hf:1: one HOST or HOST:SLOTS"))
    check("hostfile-bad-name", refused("-oProxyCommand=x\n", "is not a host name"))
    check("hostfile-empty", refused("# nothing\n\n", "names no host"))
    placed = hostfile.placement([("h1", 2), ("h2", 1)], 7)
    check("hostfile-placement-wraps", placed == ["h1", "h1", "h2", "h1", "h1", "h2", "h1"],
          str(placed))


def test_slurm_slots():
    check("slurm-slots", hydra_job.slurm_slots("2(x3),1", 4) == [2, 2, 2, 1])
    check("slurm-slots-missing", hydra_job.slurm_slots(None, 3) == [1, 1, 1])
    check("slurm-slots-mismatch", hydra_job.slurm_slots("3(x2)", 3) == [1, 1, 1])


def relay_with(pm_side, size=4, rank=2):
    """A relay whose process manager is one end of a socketpair (as Hydra's
    PMI_FD is), a fake 'VM' child that lives until told, and the guest's end."""
    pm = ProcessManager(rank, size, fd=os.dup(pm_side.fileno()))
    relay = PmiRelay(pm)
    # Stands in for hermit-run: exits with the status written to its stdin.
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(int(sys.stdin.read()))"],
                             stdin=subprocess.PIPE)
    guest = socket.socket(socket.AF_UNIX)
    guest.connect(relay.path)
    return relay, child, guest


def read_until(sock, marker, limit=2.0):
    sock.settimeout(limit)
    data = b""
    try:
        while marker not in data:
            more = sock.recv(4096)
            if not more:
                break
            data += more
    except socket.timeout:
        pass
    return data


def run_in_background(relay, child):
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("status", relay.run(child)))
    t.start()
    return t, result


def test_relay():
    # Descriptor mode: the relay answers initack itself and passes the rest.
    hydra, pm_side = socket.socketpair()
    relay, child, guest = relay_with(pm_side)
    t, result = run_in_background(relay, child)
    guest.sendall(b"cmd=initack pmiid=2\ncmd=init pmi_version=1 pmi_subversion=1\n")
    greeting = read_until(guest, b"cmd=set debug=0\n")
    check("relay-answers-initack",
          greeting == b"cmd=initack\ncmd=set size=4\ncmd=set rank=2\ncmd=set debug=0\n",
          repr(greeting))
    forwarded = read_until(hydra, b"subversion=1\n")
    check("relay-forwards-init", forwarded == b"cmd=init pmi_version=1 pmi_subversion=1\n",
          repr(forwarded))
    hydra.sendall(b"cmd=response_to_init rc=0\n")
    check("relay-forwards-replies", read_until(guest, b"rc=0\n") == b"cmd=response_to_init rc=0\n")
    guest.sendall(b"cmd=finalize\n")
    read_until(hydra, b"finalize\n")
    child.communicate(b"0")
    t.join(5)
    check("relay-sees-finalize", relay.finalized and result.get("status") == 0, str(result))
    relay.close()

    # A VM that fails before finalize: its rank's abort reaches Hydra.
    hydra, pm_side = socket.socketpair()
    relay, child, guest = relay_with(pm_side)
    t, result = run_in_background(relay, child)
    guest.sendall(b"cmd=initack pmiid=2\ncmd=init pmi_version=1 pmi_subversion=1\n")
    read_until(hydra, b"subversion=1\n")
    guest.close()                     # the VM died
    child.communicate(b"114")
    t.join(5)
    relay.pm.abort(result.get("status", -1))
    check("relay-abort-after-failure", read_until(hydra, b"\n") == b"cmd=abort exitcode=114\n")
    relay.close()

    # A rank that never spoke (no image): the link is opened to say so.
    hydra, pm_side = socket.socketpair()
    pm = ProcessManager(5, 8, fd=os.dup(pm_side.fileno()))
    pm.abort(2)
    got = read_until(hydra, b"exitcode=2\n")
    check("relay-abort-unopened",
          got == b"cmd=init pmi_version=1 pmi_subversion=1\ncmd=abort exitcode=2\n", repr(got))
    pm.close()


if __name__ == "__main__":
    test_hostfile()
    test_slurm_slots()
    test_relay()
    sys.exit(1 if failures else 0)
