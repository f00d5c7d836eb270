"""pmi.py - a PMI-1 server for MPICH's simple PMI client, one rank per VM.

The wire protocol is the one MPICH's simple PMI client speaks when it finds
PMI_PORT=HOST:PORT and PMI_ID=RANK in its environment: one TCP connection
per rank, newline-terminated lines of space-separated key=value words, the
first word always cmd=NAME. A rank's session:

    client                                      server
    cmd=initack pmiid=R                         cmd=initack
                                                cmd=set size=N
                                                cmd=set rank=R
                                                cmd=set debug=0
    cmd=init pmi_version=1 pmi_subversion=1     cmd=response_to_init pmi_version=1
                                                    pmi_subversion=1 rc=0
    cmd=get_maxes                               cmd=maxes kvsname_max=256
                                                    keylen_max=64 vallen_max=1024
    cmd=get_appnum                              cmd=appnum appnum=0
    cmd=get_my_kvsname                          cmd=my_kvsname kvsname=K
    cmd=get_universe_size                       cmd=universe_size size=N
    cmd=put kvsname=K key=A value=B             cmd=put_result rc=0 msg=success
    cmd=barrier_in                              (when all N arrived) cmd=barrier_out
    cmd=get kvsname=K key=A                     cmd=get_result rc=0 msg=success value=B
                                                (missing: rc=-1 msg=key_A_not_found)
    cmd=finalize                                cmd=finalize_ack
    cmd=abort exitcode=E                        (no reply; the job ends with E)

PMI_process_mapping is answered as one rank per node: (vector,(0,N,1)).
Values become visible as soon as they are put (PMI-1 only promises it after
the next barrier, so this is a superset).

The server never blocks: the owner (hermit-mpirun, or a test) calls
register() with its selector and handle() when a registered object is
readable. What matters to the job comes back from handle() as Event
tuples: a rank that initialized, finalized, aborted or died (its connection
closed before finalize, or it broke the protocol, which also closes it).

Run as a program it serves one job on 127.0.0.1 and prints the port:

    python3 cluster/pmi.py -n N [--port P] [--timeout S]

exit 0 when every rank finalized, 1 on a dead or aborting rank, 124 on
timeout (the test harness uses this to drive real MPICH host processes).
"""

import collections
import os
import selectors
import socket
import sys
import time

PMI_VERSION, PMI_SUBVERSION = 1, 1
MAXES = {"kvsname_max": 256, "keylen_max": 64, "vallen_max": 1024}
MAX_LINE = 4096         # longer than any legal line (key 64 + value 1024 + words)

Event = collections.namedtuple("Event", "kind rank detail")
# kind: "init" (initack accepted), "finalize", "abort" (detail = exit code),
# "dead" (detail = why), "error" (unidentified connection broke protocol).


class ProtocolError(Exception):
    """A line the simple PMI protocol does not allow."""


def parse_line(line):
    """Turns b'cmd=x a=1 b=2' into {'cmd': 'x', 'a': '1', 'b': '2'}."""
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        raise ProtocolError("line is not ASCII")
    words = text.split()
    if not words or not words[0].startswith("cmd="):
        raise ProtocolError(f"line does not start with cmd=: {text[:60]!r}")
    fields = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise ProtocolError(f"word is not key=value: {word[:60]!r}")
        fields[key] = value
    return fields


def format_line(cmd, **fields):
    words = [f"cmd={cmd}"] + [f"{k}={v}" for k, v in fields.items()]
    return (" ".join(words) + "\n").encode("ascii")


class Conn:
    """One client connection: its socket, unparsed input, and what it said."""

    def __init__(self, sock):
        self.sock = sock
        self.inbuf = b""
        self.rank = None
        self.finalized = False
        self.closed = False


class PMIServer:
    """Serves one job of `size` ranks on TCP (and optionally a unix socket)."""

    def __init__(self, size, host="127.0.0.1", port=0, unix_path=None, kvsname=None,
                 trace=None):
        if size < 1:
            raise ValueError("a job needs at least one rank")
        self.size = size
        self.kvsname = kvsname or f"kvs_{os.getpid()}_0"
        self.kvs = {}
        self.barrier = set()          # Conns waiting in barrier_in
        self.ranks = {}               # rank -> Conn
        self.conns = []
        self.trace = trace            # callable(text) or None: logs every line
        # host None: no listener of its own; connections come through adopt().
        self.listeners = [self._listen_tcp(host, port)] if host is not None else []
        self.port = self.listeners[0].getsockname()[1] if self.listeners else None
        self.unix_path = unix_path
        if unix_path:
            self.listeners.append(self._listen_unix(unix_path))

    # --- sockets -----------------------------------------------------------
    @staticmethod
    def _listen_tcp(host, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(256)
        s.setblocking(False)
        return s

    @staticmethod
    def _listen_unix(path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(256)
        s.setblocking(False)
        return s

    def register(self, sel):
        self.sel = sel
        for s in self.listeners:
            sel.register(s, selectors.EVENT_READ, ("pmi-listen", s))

    def close(self):
        for c in list(self.conns):
            self._close(c)
        for s in self.listeners:
            try:
                self.sel.unregister(s)
            except (KeyError, ValueError, AttributeError):
                pass
            s.close()
        self.listeners = []
        if self.unix_path:
            try:
                os.unlink(self.unix_path)
            except OSError:
                pass

    def _close(self, conn):
        if conn.closed:
            return
        conn.closed = True
        self.barrier.discard(conn)
        try:
            self.sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        self.conns.remove(conn)

    def _log(self, conn, arrow, data):
        if self.trace:
            who = "?" if conn.rank is None else conn.rank
            for line in data.decode("ascii", "replace").splitlines():
                self.trace(f"pmi {who} {arrow} {line}")

    def _send(self, conn, data):
        """Replies are small; a client that does not read them is dead."""
        self._log(conn, "<", data)
        try:
            conn.sock.setblocking(True)
            conn.sock.settimeout(5)
            conn.sock.sendall(data)
            conn.sock.setblocking(False)
            return True
        except OSError:
            return False

    # --- events --------------------------------------------------------------
    def handle(self, tag):
        """Called when a registered object is readable; returns Events."""
        kind, obj = tag
        if kind == "pmi-listen":
            return self._accept(obj)
        return self._read(obj)

    def _accept(self, listener):
        try:
            sock, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return []
        sock.setblocking(False)
        if sock.family == socket.AF_INET:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Conn(sock)
        self.conns.append(conn)
        self.sel.register(sock, selectors.EVENT_READ, ("pmi-conn", conn))
        return []

    def adopt(self, sock, rank, inbuf=b""):
        """Takes over a connection whose rank was established elsewhere (a
        cloud instance that joined cluster/head.py), as if it had sent
        cmd=initack pmiid=RANK; inbuf is what it sent after that."""
        if rank in self.ranks:
            sock.close()
            return [Event("error", rank, f"rank {rank} connected twice")]
        sock.setblocking(False)
        conn = Conn(sock)
        conn.rank = rank
        self.ranks[rank] = conn
        self.conns.append(conn)
        self.sel.register(sock, selectors.EVENT_READ, ("pmi-conn", conn))
        conn.inbuf = inbuf
        return [Event("init", rank, None)] + self._lines(conn)

    def _lines(self, conn):
        events = []
        while b"\n" in conn.inbuf and not conn.closed:
            line, conn.inbuf = conn.inbuf.split(b"\n", 1)
            events += self._line(conn, line)
        return events

    def _read(self, conn):
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError as e:
            return self._lost(conn, f"PMI connection failed: {e.strerror}")
        if not data:
            return self._lost(conn, "PMI connection closed before MPI_Finalize")
        conn.inbuf += data
        events = self._lines(conn)
        if len(conn.inbuf) > MAX_LINE and not conn.closed:
            events += self._violation(conn, f"line longer than {MAX_LINE} bytes")
        return events

    def _lost(self, conn, why):
        rank, finalized = conn.rank, conn.finalized
        self._close(conn)
        if finalized or rank is None:
            return []          # a clean end, or a connection that never said who it was
        return [Event("dead", rank, why)]

    def _violation(self, conn, why):
        self._send(conn, format_line("error", rc=-1, msg=why.replace(" ", "_")))
        rank = conn.rank
        self._close(conn)
        if rank is None:
            return [Event("error", None, f"PMI protocol error: {why}")]
        return [Event("dead", rank, f"PMI protocol error: {why}")]

    def _line(self, conn, line):
        line = line.rstrip(b"\r")
        self._log(conn, ">", line)
        if not line.strip():
            return []
        try:
            fields = parse_line(line)
        except ProtocolError as e:
            return self._violation(conn, str(e))
        cmd = fields["cmd"]
        if conn.rank is None and cmd != "initack":
            return self._violation(conn, f"'{cmd}' before cmd=initack pmiid=RANK")
        handler = getattr(self, "_cmd_" + cmd, None)
        if handler is None:
            ok = self._send(conn, format_line(cmd + "_result", rc=-1, msg="unsupported_command"))
            return [] if ok else self._lost(conn, "PMI reply failed")
        return handler(conn, fields)

    def _reply(self, conn, cmd, **fields):
        if self._send(conn, format_line(cmd, **fields)):
            return []
        return self._lost(conn, "PMI reply failed")

    # --- commands ----------------------------------------------------------
    def _cmd_initack(self, conn, f):
        pmiid = f.get("pmiid", "")
        if conn.rank is not None:
            return self._violation(conn, "second initack")
        # int() refuses more than 4,300 digits; no rank has ten.
        if not pmiid.isdigit() or len(pmiid) > 9 or int(pmiid) >= self.size:
            return self._violation(conn, f"pmiid '{pmiid}' is not a rank of 0..{self.size - 1}")
        rank = int(pmiid)
        if rank in self.ranks:
            return self._violation(conn, f"rank {rank} connected twice")
        conn.rank = rank
        self.ranks[rank] = conn
        data = (format_line("initack") + format_line("set", size=self.size) +
                format_line("set", rank=rank) + format_line("set", debug=0))
        if not self._send(conn, data):
            return self._lost(conn, "PMI reply failed")
        return [Event("init", rank, None)]

    def _cmd_init(self, conn, f):
        ok = f.get("pmi_version") == str(PMI_VERSION)
        return self._reply(conn, "response_to_init", pmi_version=PMI_VERSION,
                           pmi_subversion=PMI_SUBVERSION, rc=0 if ok else -1)

    def _cmd_get_maxes(self, conn, f):
        return self._reply(conn, "maxes", **MAXES)

    def _cmd_get_appnum(self, conn, f):
        return self._reply(conn, "appnum", appnum=0)

    def _cmd_get_my_kvsname(self, conn, f):
        return self._reply(conn, "my_kvsname", kvsname=self.kvsname)

    def _cmd_get_universe_size(self, conn, f):
        return self._reply(conn, "universe_size", size=self.size)

    def _cmd_put(self, conn, f):
        key, value = f.get("key", ""), f.get("value", "")
        if f.get("kvsname") != self.kvsname:
            return self._reply(conn, "put_result", rc=-1, msg="unknown_kvsname")
        if not key or len(key) > MAXES["keylen_max"] or len(value) > MAXES["vallen_max"]:
            return self._reply(conn, "put_result", rc=-1, msg="key_or_value_too_long")
        self.kvs[key] = value
        return self._reply(conn, "put_result", rc=0, msg="success")

    def _cmd_get(self, conn, f):
        key = f.get("key", "")
        if key == "PMI_process_mapping":
            value = f"(vector,(0,{self.size},1))"
        elif f.get("kvsname") == self.kvsname and key in self.kvs:
            value = self.kvs[key]
        else:
            return self._reply(conn, "get_result", rc=-1, msg=f"key_{key}_not_found")
        return self._reply(conn, "get_result", rc=0, msg="success", value=value)

    def _cmd_barrier_in(self, conn, f):
        self.barrier.add(conn)
        if len(self.barrier) < self.size:
            return []
        events = []
        waiting, self.barrier = self.barrier, set()
        for c in sorted(waiting, key=lambda c: c.rank):
            if not self._send(c, format_line("barrier_out")):
                events += self._lost(c, "PMI reply failed")
        return events

    def _cmd_finalize(self, conn, f):
        conn.finalized = True
        self._send(conn, format_line("finalize_ack"))
        return [Event("finalize", conn.rank, None)]

    def _cmd_abort(self, conn, f):
        code = f.get("exitcode", "1")
        code = int(code) if code.lstrip("-").isdigit() else 1
        conn.finalized = True          # its disconnect is not a second failure
        return [Event("abort", conn.rank, code)]


def serve(size, port, timeout, trace=False):
    """Serves one job in the foreground (the test harness's entry point)."""
    log = (lambda text: print(text, file=sys.stderr, flush=True)) if trace else None
    server = PMIServer(size, port=port, trace=log)
    sel = selectors.DefaultSelector()
    server.register(sel)
    print(server.port, flush=True)
    deadline = time.monotonic() + timeout
    done = set()
    try:
        while len(done) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"pmi: timed out after {timeout:g} s; finalized ranks: "
                      f"{sorted(done)}", file=sys.stderr)
                return 124
            for key, _ in sel.select(min(left, 1.0)):
                for ev in server.handle(key.data):
                    if ev.kind == "finalize":
                        done.add(ev.rank)
                    elif ev.kind in ("dead", "abort", "error"):
                        who = "a connection" if ev.rank is None else f"rank {ev.rank}"
                        print(f"pmi: {who}: {ev.kind}: {ev.detail}", file=sys.stderr)
                        return 1
        return 0
    finally:
        server.close()


def main(argv):
    import argparse
    p = argparse.ArgumentParser(prog="pmi.py", description="Serve one PMI-1 job.")
    p.add_argument("-n", type=int, required=True, help="number of ranks")
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default any)")
    p.add_argument("--timeout", type=float, default=60, help="seconds (default 60)")
    p.add_argument("--trace", action="store_true", help="log every PMI line to stderr")
    args = p.parse_args(argv)
    if args.n < 1:
        p.error("-n must be at least 1")
    return serve(args.n, args.port, args.timeout, args.trace)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
