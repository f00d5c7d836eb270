"""head.py - the head of a job whose ranks are cloud instances.

Instances reach the head over the network (no launcher of ours started
them; docs/cloud.md), so every connection must first prove it belongs to
the job. Its first line is

    cmd=hermit-join kind=console|pmi rank=R secret=S

answered `cmd=hermit-join-ok size=N`, or `cmd=hermit-join-error msg=WHY`
and closed. A stranger (wrong secret, a rank out of range or already
joined, garbage, silence for JOIN_LINE_WAIT seconds) is logged and dropped;
it never ends the job. A joined PMI link is handed to the PMI server
(cluster/pmi.py) as that rank. A joined console link carries

    cmd=hermit-output len=N\\n + N bytes    the program's stdout/stderr
    cmd=hermit-exit status=S              answered cmd=hermit-exit-ack

Both links have TCP keepalives, so an instance that stops without a word
(a panic powers it off; a deleted instance) is noticed within about
KEEPALIVE_IDLE + KEEPALIVE_INTERVAL * KEEPALIVE_COUNT seconds.

The owner (cluster/hermit-head) drives a selector: register(), then
handle() for every ready key, which returns Events like pmi.py's plus
("joined", rank, kind), ("exit", rank, status) and ("lost", rank, why).
"""

import hmac
import selectors
import socket
import time

from pmi import Event, PMIServer, ProtocolError, format_line, parse_line

JOIN_LINE_WAIT = 10.0
JOIN_LINE_MAX = 512
OUTPUT_FRAME_MAX = 1 << 20
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 5, 2, 3


class Pending:
    """An accepted connection that has not joined yet."""

    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr
        self.inbuf = b""
        self.deadline = time.monotonic() + JOIN_LINE_WAIT


class Console:
    """A rank's console link."""

    def __init__(self, sock, rank):
        self.sock = sock
        self.rank = rank
        self.inbuf = b""
        self.exited = False


class Head:
    def __init__(self, size, host, port, secret, output, trace=None):
        self.size = size
        self.secret = secret.encode()
        self.output = output            # callable(rank, bytes)
        self.trace = trace              # callable(text): a line for stderr
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, port))
        self.listener.listen(1024)
        self.listener.setblocking(False)
        self.address = self.listener.getsockname()
        self.pmi = PMIServer(size)
        self.pending = []
        self.consoles = {}              # rank -> Console
        self.pmi_joined = set()

    def register(self, sel):
        self.sel = sel
        self.pmi.register(sel)
        sel.register(self.listener, selectors.EVENT_READ, ("head-listen", None))

    def close(self):
        for p in list(self.pending):
            self._drop(p, None)
        for c in list(self.consoles.values()):
            self._unregister(c.sock)
            c.sock.close()
        self.consoles.clear()
        self.pmi.close()
        self._unregister(self.listener)
        self.listener.close()

    def _unregister(self, sock):
        try:
            self.sel.unregister(sock)
        except (KeyError, ValueError):
            pass

    def _log(self, text):
        if self.trace:
            self.trace(text)

    # --- events ------------------------------------------------------------
    def handle(self, tag):
        kind, obj = tag
        if kind == "head-listen":
            return self._accept()
        if kind == "head-pending":
            return self._read_pending(obj)
        if kind == "head-console":
            return self._read_console(obj)
        return self.pmi.handle(tag)

    def expire(self):
        """Drops connections that did not join in time (call every second)."""
        now = time.monotonic()
        for p in [p for p in self.pending if p.deadline <= now]:
            self._drop(p, "said nothing")

    def _accept(self):
        try:
            sock, addr = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return []
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, KEEPALIVE_IDLE)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, KEEPALIVE_INTERVAL)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, KEEPALIVE_COUNT)
        p = Pending(sock, addr)
        self.pending.append(p)
        self.sel.register(sock, selectors.EVENT_READ, ("head-pending", p))
        return []

    def _drop(self, p, why, reply=None):
        if why:
            self._log(f"refused a connection from {p.addr[0]}:{p.addr[1]}: {why}")
        if reply:
            try:
                p.sock.setblocking(True)
                p.sock.settimeout(1)
                p.sock.sendall(format_line("hermit-join-error", msg=reply.replace(" ", "_")))
            except OSError:
                pass
        self._unregister(p.sock)
        p.sock.close()
        self.pending.remove(p)

    def _read_pending(self, p):
        try:
            data = p.sock.recv(JOIN_LINE_MAX)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError as e:
            self._drop(p, e.strerror)
            return []
        if not data:
            self._drop(p, "closed before joining")
            return []
        p.inbuf += data
        if b"\n" not in p.inbuf:
            if len(p.inbuf) > JOIN_LINE_MAX:
                self._drop(p, "sent a line too long to be a join", "line too long")
            return []
        line, rest = p.inbuf.split(b"\n", 1)
        return self._join(p, line, rest)

    def _join(self, p, line, rest):
        try:
            f = parse_line(line.rstrip(b"\r"))
        except ProtocolError as e:
            self._drop(p, str(e), "expected cmd=hermit-join")
            return []
        rank = f.get("rank", "")
        if f["cmd"] != "hermit-join" or f.get("kind") not in ("console", "pmi"):
            self._drop(p, f"sent cmd={f['cmd']} instead of a join", "expected cmd=hermit-join")
            return []
        if not hmac.compare_digest(f.get("secret", "").encode(), self.secret):
            self._drop(p, f"wrong job secret (rank {rank[:8]!r})", "wrong job secret")
            return []
        if not rank.isdigit() or int(rank) >= self.size:
            self._drop(p, f"rank {rank[:8]!r} is not one of 0..{self.size - 1}",
                       f"rank {rank[:8]} is not one of 0..{self.size - 1}")
            return []
        rank = int(rank)
        kind = f["kind"]
        taken = rank in self.consoles if kind == "console" else rank in self.pmi_joined
        if taken:
            self._drop(p, f"rank {rank} joined twice ({kind})", f"rank {rank} has joined already")
            return []
        self._unregister(p.sock)
        self.pending.remove(p)
        try:
            p.sock.setblocking(True)
            p.sock.settimeout(5)
            p.sock.sendall(format_line("hermit-join-ok", size=self.size))
            p.sock.setblocking(False)
        except OSError:
            p.sock.close()
            return [Event("lost", rank, f"its {kind} link broke while joining")]
        self._log(f"rank {rank} joined ({kind}) from {p.addr[0]}")
        if kind == "pmi":
            self.pmi_joined.add(rank)
            events = self.pmi.adopt(p.sock, rank, rest)
            return [Event("joined", rank, kind)] + events
        c = Console(p.sock, rank)
        self.consoles[rank] = c
        self.sel.register(p.sock, selectors.EVENT_READ, ("head-console", c))
        c.inbuf = rest
        return [Event("joined", rank, kind)] + self._frames(c)

    def _read_console(self, c):
        try:
            data = c.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError as e:
            return self._lose(c, f"its console link failed ({e.strerror})")
        if not data:
            return self._lose(c, "its console link closed without an exit status")
        c.inbuf += data
        return self._frames(c)

    def _lose(self, c, why):
        self._unregister(c.sock)
        c.sock.close()
        if c.exited:
            return []
        c.exited = True
        return [Event("lost", c.rank, why)]

    def _frames(self, c):
        """Parses whole frames from c.inbuf: output and the exit status."""
        events = []
        while not c.exited and b"\n" in c.inbuf:
            line, rest = c.inbuf.split(b"\n", 1)
            try:
                f = parse_line(line)
            except ProtocolError as e:
                return events + self._lose(c, f"it broke the console protocol ({e})")
            if f["cmd"] == "hermit-output":
                n = f.get("len", "")
                if not n.isdigit() or int(n) > OUTPUT_FRAME_MAX:
                    return events + self._lose(c, f"it sent an output frame of length {n[:12]!r}")
                if len(rest) < int(n):
                    break
                self.output(c.rank, rest[:int(n)])
                c.inbuf = rest[int(n):]
            elif f["cmd"] == "hermit-exit" and f.get("status", "").isdigit():
                c.exited = True
                c.inbuf = rest
                try:
                    c.sock.setblocking(True)
                    c.sock.settimeout(2)
                    c.sock.sendall(format_line("hermit-exit-ack"))
                except OSError:
                    pass
                self._unregister(c.sock)
                c.sock.close()
                events.append(Event("exit", c.rank, int(f["status"]) & 0xFF))
            else:
                return events + self._lose(c, f"it sent cmd={f['cmd'][:20]} on its console link")
        if len(c.inbuf) > OUTPUT_FRAME_MAX + JOIN_LINE_MAX and not c.exited:
            events += self._lose(c, "it sent a console line without an end")
        return events
