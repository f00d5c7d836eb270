"""vmwatch.py - hermit-mpirun's supervisor: notices, from the host, the
faults a job's guests cannot report themselves, and names the rank.

A rank whose VM is stopped (SIGSTOP/SIGTSTP of its QEMU or of the
hermit-run in front of it), paused (QEMU's monitor says "paused": a
`stop` command, or QEMU pausing itself on an internal or I/O error) or
cut off the cluster network (cluster/linkwatch.py) leaves the other
ranks waiting in MPI forever: lwIP's retransmissions give up only after
minutes, and a rank blocked in a receive never gives up. (A VM that dies
needs no supervisor: its PMI connection closes and its hermit-run exits,
which hermit-mpirun sees at once.) No guest is asked anything and no
packet is sent (the compute cores stay free of noise): once a second the
supervisor reads each rank's /proc/PID/stat, the network plan's own
table of attached VMs, and, only for a QEMU that used almost no CPU in
the last second (a paused VM uses none; a computing one is never
disturbed), QEMU's monitor (`info status`, every such monitor asked at
once, answers awaited at most PROBE_WAIT).

A fault must last its grace before it ends the job, so a short stop (a
debugger's look, a host under load) is tolerated:

    STOP_GRACE  10 s   VM stopped or paused      (reported within 12 s)
    LINK_GRACE   5 s   VM's link down            (reported within 7 s)

Faults are judged only while the rank runs and has not finalized MPI,
and a link only once it has been seen up (QEMU attaches after boot).
"""

import re
import selectors
import socket
import time

from linkwatch import BridgeLinks, VdeLinks

POLL_INTERVAL = 1.0
STOP_GRACE = 10.0
LINK_GRACE = 5.0
PROBE_WAIT = 0.2            # QEMU's monitor answers in milliseconds when QEMU runs
IDLE_TICKS = 5              # clock ticks a QEMU may use in a look and still be asked
MONITOR = re.compile(r"-monitor\0unix:([^,\0]+)")
STATUS = re.compile(rb"VM status: (\w[^\r\n]*)")


def proc_stat(pid):
    """(state, CPU ticks used, start time, command name) of PID, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[11]) + int(fields[12]), int(fields[19]), name


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


class Process:
    """A process we watch, pinned by its start time (PIDs are reused)."""

    def __init__(self, pid, role):
        stat = proc_stat(pid)
        self.pid, self.role = pid, role
        self.start = stat[2] if stat else None
        self.ticks = None           # CPU ticks at the last look (idleness needs two)

    def stat(self):
        stat = proc_stat(self.pid)
        return stat if stat and stat[2] == self.start and stat[0] not in "ZX" else None


def ask_monitors(paths, wait=PROBE_WAIT):
    """{path: QEMU's status ("running", "paused (debug)", ...)} from one
    `info status` on each of these human monitors, all asked at once and
    answered within WAIT seconds (a monitor that does not answer by then
    has no verdict). Each connection is closed before returning: the
    monitor serves one client at a time, and hermit-run needs it for its
    CPU dump on a timeout."""
    socks, answers, data = {}, {}, {}
    sel = selectors.DefaultSelector()
    try:
        for path in paths:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.setblocking(False)
                s.connect(path)
                s.send(b"info status\n")
            except OSError:
                s.close()
                continue
            socks[path], data[path] = s, b""
            sel.register(s, selectors.EVENT_READ, path)
        end = time.monotonic() + wait
        while len(answers) < len(socks) and time.monotonic() < end:
            for key, _ in sel.select(max(0.0, end - time.monotonic())):
                path = key.data
                try:
                    chunk = key.fileobj.recv(65536)
                except OSError:
                    chunk = b""
                data[path] += chunk
                found = STATUS.search(data[path])
                if found or not chunk:
                    sel.unregister(key.fileobj)
                    answers[path] = found and found.group(1).decode(errors="replace").strip()
    finally:
        sel.close()
        for s in socks.values():
            s.close()
    return {path: status for path, status in answers.items() if status}


class RankWatch:
    def __init__(self, index, pid, role):
        self.index = index
        self.runner = Process(pid, role)
        self.qemu = None
        self.monitor = None         # QEMU's monitor socket, from its command line
        self.since = {}             # fault kind -> (first seen, description)
        self.link_seen = False

    def find_qemu(self):
        """The runner's QEMU child (under the bridge plan too: `ip netns
        exec` execs the runner). None for host-mode ranks."""
        if self.qemu is None:
            for pid in children(self.runner.pid):
                stat = proc_stat(pid)
                if stat and stat[3].startswith("qemu-system"):
                    self.qemu = Process(pid, "QEMU")
                    try:
                        with open(f"/proc/{pid}/cmdline") as f:
                            found = MONITOR.search(f.read())
                        self.monitor = found and found.group(1)
                    except OSError:
                        pass
        return self.qemu

    def signal_stopped(self):
        """Why the VM is stopped by a signal now, else None."""
        for proc in filter(None, (self.runner, self.find_qemu())):
            stat = proc.stat()
            if stat and stat[0] in "Tt":
                return f"its {proc.role} (pid {proc.pid}) is stopped by a signal such as SIGSTOP"
        return None

    def idle_monitor(self):
        """QEMU's monitor if QEMU used (almost) no CPU since the last look."""
        qemu = self.qemu
        stat = qemu and qemu.stat()
        if not stat or self.monitor is None:
            return None
        idle = qemu.ticks is not None and stat[1] - qemu.ticks <= IDLE_TICKS
        qemu.ticks = stat[1]
        return self.monitor if idle else None

    def note(self, kind, now, description):
        """Records a fault's state; returns (seconds it has lasted, text)."""
        if description is None:
            self.since.pop(kind, None)
            return 0.0, None
        first, _ = self.since.get(kind, (now, None))
        self.since[kind] = (first, description)
        return now - first, description


class JobWatch:
    """Every rank of one job on this host; poll() once per loop."""

    def __init__(self, net_facts, role):
        self.ranks = {}
        self.links = None
        self.role = role            # what each rank's process is: hermit-run, or the program
        self.next_look = 0.0
        if net_facts.get("netns"):
            self.links = BridgeLinks(net_facts["netns"])
        elif net_facts.get("mgmt"):
            self.links = VdeLinks(net_facts["mgmt"])

    def add(self, index, pid):
        self.ranks[index] = RankWatch(index, pid, self.role)

    def poll(self, now, running):
        """Looks at most once per POLL_INTERVAL at the ranks in RUNNING
        (indices); returns a message naming the rank and the fault once
        one has lasted past its grace, else None."""
        if now < self.next_look:
            return None
        self.next_look = now + POLL_INTERVAL
        watched = [self.ranks[i] for i in running if i in self.ranks]
        stopped = {w: w.signal_stopped() for w in watched}
        idle = {w: w.idle_monitor() for w in watched if not stopped[w]}
        status = ask_monitors([m for m in idle.values() if m])
        for w in watched:
            paused = status.get(idle.get(w))
            why = stopped[w] or (paused and not paused.startswith("running")
                                 and f"QEMU's monitor says the VM is {paused}")
            lasted, why = w.note("stop", now, why or None)
            if why and lasted >= STOP_GRACE:
                return (f"rank {w.index}: VM stopped responding (paused for "
                        f"{lasted:.0f} s: {why})")
        lost = [(w, why, lasted) for w, why in self.look_links(watched)
                for lasted, why in [w.note("link", now, why)] if why]
        due = [(w, why, lasted) for w, why, lasted in lost if lasted >= LINK_GRACE]
        if due and len(due) == len(watched) > 1 and len({why for _, why, _ in due}) == 1:
            return f"every rank: network link lost ({due[0][1]}, for {due[0][2]:.0f} s)"
        if due:
            w, why, lasted = due[0]
            return f"rank {w.index}: network link lost ({why}, for {lasted:.0f} s)"
        return None

    def look_links(self, watched):
        """(rank watch, problem or None) for each rank whose link has been up."""
        if self.links is None:
            return []
        if isinstance(self.links, BridgeLinks):
            keyed = {w.index: w for w in watched}
        else:
            keyed = {w.qemu.pid: w for w in watched if w.find_qemu()}
        found = self.links.look(list(keyed))
        out = []
        for key, why in found.items():
            w = keyed[key]
            if why is None:
                w.link_seen = True
            if w.link_seen:
                out.append((w, why))
        return out

    def close(self):
        if self.links:
            self.links.close()
