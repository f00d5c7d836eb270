"""job_resources.py - what a hermit-mpirun job owns besides its processes
(its cluster network and its private directory of PMI sockets), and the
janitor that removes them if the launcher is killed outright.

A launcher that gets SIGKILL cannot clean up. Its ranks follow it
(parent-death signals: each hermit-run stops its VM), but the network
(a vde_switch daemon, or a namespace with a bridge and taps) and the
directory would stay. The janitor is a child forked before anything is
made, in a session of its own (so signals meant for the launcher's
terminal or process group miss it), holding the read end of a pipe that
only the launcher writes. The launcher sends it each rank's PID and, when
it has cleaned up itself, "done". End of file without "done" means the
launcher died: the janitor waits up to RANK_WAIT for the ranks to stop,
kills what is left in their process groups (a QEMU that dropped root
privileges has lost its parent-death signal), destroys the network,
removes the directory and says so in one line. If the janitor is killed
too, `cluster/hermit-net gc` still removes the network (it is recorded
with the launcher as owner).
"""

import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HERMIT_NET = os.path.join(HERE, "hermit-net")
RANK_WAIT = 5.0             # hermit-run stops its VM within 3 s of SIGTERM


class Network:
    """A hermit-net network owned by this job; destroy() is idempotent.
    facts: what `hermit-net info` says (plan=, netns= or switch= and mgmt=)."""

    def __init__(self, prog, plan, vms):
        self.prog = prog
        self.name = network_name(os.getpid())
        self.plan = plan
        try:
            out = subprocess.run([HERMIT_NET, "create", "--plan", plan, "--vms", str(vms),
                                  "--owner", str(os.getpid()), self.name],
                                 capture_output=True, text=True, timeout=30)
        except BaseException:
            # Stopped half-way (timeout, Ctrl-C): what it made is ours to remove.
            subprocess.run([HERMIT_NET, "destroy", self.name], capture_output=True, timeout=30)
            raise
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip() or "hermit-net create failed")
        self.alive = True
        info = subprocess.run([HERMIT_NET, "info", self.name], capture_output=True,
                              text=True, timeout=30)
        self.facts = dict(line.split("=", 1) for line in info.stdout.splitlines()
                          if "=" in line)

    def destroy(self):
        if not self.alive:
            return
        self.alive = False
        try:
            subprocess.run([HERMIT_NET, "destroy", self.name], capture_output=True,
                           timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            print(f"{self.prog}: could not destroy network {self.name} "
                  f"(cluster/hermit-net destroy {self.name})", file=sys.stderr)


def network_name(launcher_pid):
    return f"mpi{launcher_pid}"


class Janitor:
    """The launcher's end: start() forks the janitor, rank() reports a
    rank's PID, done() releases the janitor once the launcher has cleaned."""

    def __init__(self, prog, tmp):
        self.prog, self.tmp = prog, tmp
        self.fd = None

    def start(self):
        launcher = os.getpid()
        read_end, self.fd = os.pipe()
        if os.fork() == 0:
            try:
                os.close(self.fd)
                janitor_main(self.prog, launcher, read_end, self.tmp)
            finally:
                os._exit(0)
        os.close(read_end)

    def _tell(self, line):
        if self.fd is not None:
            try:
                os.write(self.fd, line.encode() + b"\n")
            except OSError:
                pass            # the janitor is gone; hermit-net gc remains

    def rank(self, pid):
        self._tell(f"rank {pid}")

    def done(self):
        self._tell("done")
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def janitor_main(prog, launcher, fd, tmp):
    """The janitor's whole life (in the forked child; never returns into
    the launcher's code: the caller _exits)."""
    os.setsid()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)             # a reader of the launcher's output is not held open
    os.closerange(3, fd)
    os.closerange(fd + 1, 65536)
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except InterruptedError:
            continue
        if not chunk:
            break
        data += chunk
    lines = data.decode(errors="replace").split("\n")
    if "done" in lines:
        return
    ranks = [int(line.split()[1]) for line in lines if line.startswith("rank ")]
    # Each rank leads a process group; its members, taken now, while the
    # group still exists (a PID, and so a group ID, is reused once free).
    members = group_members(ranks)
    end = time.monotonic() + RANK_WAIT
    while time.monotonic() < end and any(stat_of(pid) for pid in members):
        time.sleep(0.1)
    for pid, start in members.items():
        found = stat_of(pid)
        if found and found[1] == start:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    name = network_name(launcher)
    gone = subprocess.run([HERMIT_NET, "destroy", name], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60).returncode == 0
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        print(f"{prog}: the launcher (pid {launcher}) was killed; its {len(ranks)} ranks "
              f"are stopped" + (f" and network {name} is removed" if gone else ""),
              file=sys.stderr, flush=True)
    except OSError:
        pass


def stat_of(pid):
    """(process group, start time) of a live (not zombie) PID, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in "ZX" else (int(fields[2]), int(fields[19]))


def group_members(groups):
    """{pid: start time} of every live process in the process GROUPS."""
    members = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = stat_of(int(entry))
            if found and found[0] in groups:
                members[int(entry)] = found[1]
    return members
