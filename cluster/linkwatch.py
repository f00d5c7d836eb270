"""linkwatch.py - whether each VM of a job is still plugged into the job's
cluster network, read from the host side (cluster/vmwatch.py asks once a
second; the guests are never asked anything).

A cut link is invisible to the guests for minutes: MPICH over lwIP only
notices when TCP gives up retransmitting, and a rank waiting in a receive
never notices. The network plans (cluster/hermit-net) each keep a table
of who is attached, and that is what is read here:

- bridge: one tap per VM (tapR for rank R) on br0, in the network's
  namespace. A link is up while tapR exists, is administratively up, has
  carrier (QEMU holds the tap open), is a port of br0, and br0 is up.
  Read with one RTM_GETLINK dump over a netlink socket opened inside the
  namespace (no process is started per look).
- vde: one switch port per VM; the switch's management socket
  (`port/print`) names each port's endpoint with the process that
  attached it, "QEMU user=... pid=PID". A link is up while the rank's QEMU
  PID is among them. Each look asks once and awaits the answer at most
  0.2 s (a late one is read at the next look), so a stopped or busy
  switch never holds the launcher up for long; a switch that leaves a
  question unanswered for a whole look, or is gone, has cut every link.

Each watcher's look() returns {key: problem} for the links it can judge
(problem None: up) and raises nothing once opened.
"""

import ctypes
import os
import re
import select
import socket
import struct
import time

CLONE_NEWNET = 0x40000000
NETLINK_ROUTE = 0
RTM_NEWLINK, RTM_GETLINK = 16, 18
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
IFLA_IFNAME, IFLA_MASTER = 3, 10
IFF_UP, IFF_LOWER_UP = 0x1, 0x10000
NLMSG_HDR = struct.Struct("=IHHII")      # len, type, flags, seq, pid
IFINFOMSG = struct.Struct("=BBHiII")     # family, pad, type, index, flags, change
RTATTR = struct.Struct("=HH")            # len, type


def netns_socket(netns, family, kind, proto):
    """A socket made inside the named network namespace (ip netns's
    /run/netns/NAME); it stays bound to that namespace. This thread enters
    the namespace only for the socket() call (root only, as the plan)."""
    libc = ctypes.CDLL(None, use_errno=True)
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        target = os.open(os.path.join("/run/netns", netns), os.O_RDONLY)
        try:
            if libc.setns(target, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"cannot enter namespace {netns}")
            try:
                return socket.socket(family, kind, proto)
            finally:
                if libc.setns(own, CLONE_NEWNET) != 0:
                    # Never go on inside a job's namespace.
                    raise SystemExit(f"cannot return from namespace {netns}: "
                                     f"{os.strerror(ctypes.get_errno())}")
        finally:
            os.close(target)
    finally:
        os.close(own)


def parse_links(data):
    """RTM_NEWLINK messages of a dump -> ({name: (index, flags, master)}, done)."""
    links, offset, done = {}, 0, False
    while offset + NLMSG_HDR.size <= len(data):
        length, kind, _, _, _ = NLMSG_HDR.unpack_from(data, offset)
        if length < NLMSG_HDR.size or offset + length > len(data):
            break
        if kind == NLMSG_DONE:
            done = True
        elif kind == NLMSG_ERROR:
            raise OSError("netlink dump failed")
        elif kind == RTM_NEWLINK and length >= NLMSG_HDR.size + IFINFOMSG.size:
            _, _, _, index, flags, _ = IFINFOMSG.unpack_from(data, offset + NLMSG_HDR.size)
            name, master = None, 0
            at = offset + NLMSG_HDR.size + IFINFOMSG.size
            while at + RTATTR.size <= offset + length:
                alen, atype = RTATTR.unpack_from(data, at)
                if alen < RTATTR.size:
                    break
                value = data[at + RTATTR.size:at + alen]
                if atype == IFLA_IFNAME:
                    name = value.split(b"\0")[0].decode(errors="replace")
                elif atype == IFLA_MASTER and len(value) >= 4:
                    master = struct.unpack_from("=i", value)[0]
                at += (alen + 3) & ~3
            if name:
                links[name] = (index, flags, master)
        offset += (length + 3) & ~3
    return links, done


def bridge_problem(links, tap):
    """Why TAP is not a working port of br0 (None: it is)."""
    bridge = links.get("br0")
    if bridge is None or not bridge[1] & IFF_UP:
        return "bridge br0 is down"
    if tap not in links:
        return f"{tap} was removed"
    _, flags, master = links[tap]
    if not flags & IFF_UP:
        return f"{tap} is down"
    if not flags & IFF_LOWER_UP:
        return f"{tap} has no carrier"
    if master != bridge[0]:
        return f"{tap} is no longer on br0"
    return None


class BridgeLinks:
    """The taps of a bridge-plan network; keys are rank numbers."""

    def __init__(self, netns):
        self.netns = netns
        self.sock = netns_socket(netns, socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.sock.settimeout(1.0)
        self.seq = 0

    def look(self, ranks):
        self.seq += 1
        request = NLMSG_HDR.pack(NLMSG_HDR.size + IFINFOMSG.size, RTM_GETLINK,
                                 NLM_F_REQUEST | NLM_F_DUMP, self.seq, 0)
        request += IFINFOMSG.pack(socket.AF_UNSPEC, 0, 0, 0, 0, 0)
        links = {}
        try:
            self.sock.send(request)
            while True:
                part, done = parse_links(self.sock.recv(1 << 17))
                links.update(part)
                if done:
                    break
        except OSError:
            return {}           # no verdict this time (the namespace is going away)
        problems = {r: bridge_problem(links, f"tap{r}") for r in ranks}
        return {r: why and f"{why} in {self.netns}" for r, why in problems.items()}

    def close(self):
        self.sock.close()


VDE_PROMPT = b"vde$ "
ANSWER_WAIT = 0.2           # the switch answers in milliseconds when it runs
VDE_ENDPOINT = re.compile(rb"^\s*-- endpoint ID \d+ .*\bpid=(\d+)", re.M)


class VdeLinks:
    """The ports of a vde_switch, through its management socket; keys
    are QEMU PIDs."""

    def __init__(self, mgmt):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(mgmt)
        self.sock.setblocking(False)
        self.buffer = b""
        self.pids = None        # endpoint PIDs in the latest answer
        self.prompts = 1        # prompts still to come: the greeting's, one per question
        self.asked = False
        self.gone = False

    def _read(self):
        while not self.gone:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.gone = True
                return
            self.buffer += data

    def _answers(self):
        """Takes every complete answer out of the buffer; the latest
        successful `port/print` sets self.pids."""
        self._read()
        while VDE_PROMPT in self.buffer:
            answer, _, self.buffer = self.buffer.partition(VDE_PROMPT)
            self.prompts -= 1
            if b"\n1000 Success" in answer:
                self.pids = {int(p) for p in VDE_ENDPOINT.findall(answer)}

    def look(self, pids):
        """{pid: problem} for PIDS from the switch's answer to one
        `port/print`, awaited at most ANSWER_WAIT (a late answer is read
        at the next look). Every PID has the switch's problem when the
        switch is gone, or has left a question unanswered for a whole
        look (a stopped switch forwards nothing either)."""
        self._answers()
        if not self.gone and self.asked and self.prompts > 0:
            return {p: "its vde_switch does not answer" for p in pids}
        if not self.gone:
            try:
                self.sock.send(b"port/print\n")
                self.prompts += 1
                self.asked = True
            except OSError:
                self.gone = True
        end = time.monotonic() + ANSWER_WAIT
        while not self.gone and self.prompts > 0 and time.monotonic() < end:
            select.select([self.sock], [], [], max(0.0, end - time.monotonic()))
            self._answers()
        if self.gone:
            return {p: "its vde_switch is gone" for p in pids}
        if self.pids is None or self.prompts > 0:
            return {}               # no verdict this time
        return {p: None if p in self.pids else "its vde_switch port is gone" for p in pids}

    def close(self):
        self.sock.close()
