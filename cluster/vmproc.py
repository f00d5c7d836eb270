"""vmproc.py - what every host process in a VM's chain shares: how it dies
with its parent, how it stops its VM, and how a VM's console reaches our
stdout.

The chain is process manager -> hermit-vm -> hermit-run (or linux-run)
-> QEMU. A process manager may SIGKILL its child, which cannot pass
anything on; a parent-death signal set in each child makes the whole
chain follow, so no VM outlives its launcher.

A guest writes its serial console a byte at a time, so QEMU's output
arrives in tiny pieces. Process managers that label output (Hydra's
-prepend-rank, -l) label every piece they read; whole lines keep their
labels at line starts. ConsoleWriter passes complete lines at once and
holds a partial line only briefly, so prompts and progress dots still
show up live.
"""

import ctypes
import os
import pwd
import signal
import subprocess
import time

PR_SET_PDEATHSIG = 1
# QEMU's seccomp filter: no obsolete system calls, no fork/exec, no
# changes to priorities, affinities or memory policies. (Not
# elevateprivileges=deny: it would also forbid -run-with user='s own
# setuid; once QEMU runs as that user it has no privilege to gain.)
QEMU_SANDBOX = "on,obsolete=deny,spawn=deny,resourcecontrol=deny"
PARTIAL_LINE_WAIT = 0.5      # seconds a partial line may wait for its end (a loaded
                             # host runs a guest printing one line slowly)


def die_with_parent(sig=signal.SIGTERM):
    """A preexec_fn: SIG reaches this child when its parent dies (the
    setting survives exec). A parent that died before the child could ask
    is noticed too: the child is then an orphan already and takes SIG now."""
    parent = os.getpid()

    def preexec():
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)
    return preexec


def vm_user():
    """Who a VM's QEMU runs as when root starts it: $HERMIT_VM_USER, else
    the user who ran sudo, else nobody (cluster/hermit-net's rule too)."""
    sudo_user = os.environ.get("SUDO_USER")
    return (os.environ.get("HERMIT_VM_USER") or
            (sudo_user if sudo_user and sudo_user != "root" else "") or "nobody")


def qemu_confinement(user=None):
    """QEMU arguments that keep a VM's QEMU unprivileged: the seccomp
    sandbox always; and, as root, -run-with user=USER (QEMU opens its
    devices, taps, files and sockets first, then drops to USER) where a
    user is named: USER, else $HERMIT_VM_USER (hermit-vm sets it for every
    rank). A bare `hermit-run` by root without either keeps root, for
    --qemu-arg devices that open later (a reconnecting stream socket).
    Raises KeyError for a user this host does not have."""
    args = ["-sandbox", QEMU_SANDBOX]
    user = user or os.environ.get("HERMIT_VM_USER")
    if os.geteuid() == 0 and user and user != "root":
        pwd.getpwnam(user)          # KeyError: no such user
        args += ["-run-with", f"user={user}"]
    return args


def stop_vm(proc, grace=3.0):
    """Stops QEMU (a Popen): SIGTERM, SIGKILL after GRACE seconds.
    A process manager may signal the whole group more than once (Hydra:
    SIGINT to the group, then the child's forwarded one); stopping the VM
    answers all of them, so further SIGINT/SIGTERM are ignored from here."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ConsoleWriter:
    """Writes console bytes to OUT (a binary stream) in whole lines."""

    def __init__(self, out):
        self.out = out
        self.partial = b""
        self.since = 0.0

    def feed(self, data):
        data = self.partial + data.replace(b"\r", b"")
        lines, newline, rest = data.rpartition(b"\n")
        if newline:
            self.out.write(lines + newline)
            self.out.flush()
        if rest and (newline or not self.partial):      # a new partial line starts
            self.since = time.monotonic()
        self.partial = rest

    def wait_hint(self):
        """Seconds until a held partial line is due (None: nothing held)."""
        if not self.partial:
            return None
        return max(0.0, self.since + PARTIAL_LINE_WAIT - time.monotonic())

    def tick(self):
        """Writes a partial line that has waited long enough."""
        if self.partial and self.wait_hint() == 0.0:
            self.flush()

    def flush(self):
        if self.partial:
            self.out.write(self.partial)
            self.out.flush()
            self.partial = b""
