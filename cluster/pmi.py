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

Who may speak for a rank. The server has no TCP listener: a rank reaches
it through a unix socket made for that rank alone (listen_unix(path, rank),
in a directory only the job's owner can enter; it accepts one connection
and is then removed), or through a connection handed over already
identified (adopt(): a socketpair whose other end a host process gets as
PMI_FD, or a cloud instance that joined cluster/head.py with the job's
secret). A connection that has not said which rank it is (a shared
listen_unix(path), used by tests) and misbehaves is a stranger: it is
dropped and logged, and the job goes on. A rank's own protocol error ends
the job. Keys belong to the rank that first put them (and MPICH's
P<R>-... keys to rank R); another rank's put of them is refused.

Bounds: a line MAX_LINE bytes, MAX_KEYS_PER_RANK keys a rank, MAX_PENDING
connections not yet identified (more are closed at once), MAX_OUTQ bytes of
replies a client has not read (then it is dropped: a rank that does not
read its replies is dead). Replies are queued and written as the socket
takes them; no client ever blocks the loop.

The server never blocks: the owner (hermit-mpirun, or a test) calls
register() with its selector and handle() when a registered object is
ready. What matters to the job comes back from handle() as Event tuples:
a rank that initialized, finalized, aborted or died (its connection
closed before finalize, or it broke the protocol, which also closes it).

Run as a program it serves one job of N local processes, each started
with PMI_FD, PMI_RANK and PMI_SIZE as Hydra's default does:

    python3 cluster/pmi.py -n N [--timeout S] [--trace] COMMAND [ARG...]

exit 0 when every rank finalized and exited 0, 1 on a dead or aborting
rank, 124 on timeout.
"""

import collections
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time

PMI_VERSION, PMI_SUBVERSION = 1, 1
MAXES = {"kvsname_max": 256, "keylen_max": 64, "vallen_max": 1024}
MAX_LINE = 4096         # longer than any legal line (key 64 + value 1024 + words)
MAX_KEYS_PER_RANK = 1024
MAX_PENDING = 64        # connections that have not said which rank they are
MAX_OUTQ = 1 << 20      # unread reply bytes before a client counts as dead
RANK_KEY = re.compile(r"P(\d+)-")      # MPICH's per-rank keys (P<rank>-businesscard)
EXIT_CODE = re.compile(r"-?\d{1,10}")

Event = collections.namedtuple("Event", "kind rank detail")
# kind: "init" (the rank first spoke), "finalize", "abort" (detail = exit
# code), "dead" (detail = why), "error" (detail = why; adopt() of a rank
# that is connected already).


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


def abort_code(text):
    """MPI_Abort's code as the client wrote it; 1 for anything not an int."""
    if EXIT_CODE.fullmatch(text) and -2**31 <= int(text) < 2**31:
        return int(text)
    return 1


class Conn:
    """One client connection: its socket, unparsed input, unsent replies,
    and what it said."""

    def __init__(self, sock, bound=None):
        self.sock = sock
        self.inbuf = b""
        self.outq = bytearray()
        self.rank = None
        self.bound = bound          # the rank whose socket it came through
        self.announced = False      # its "init" event was returned
        self.finalized = False
        self.closed = False
        self.events = selectors.EVENT_READ

    def owner(self):
        """The rank its failures belong to; None for a stranger."""
        return self.rank if self.rank is not None else self.bound


class PMIServer:
    """Serves one job of `size` ranks on unix sockets and adopted links."""

    def __init__(self, size, unix_path=None, kvsname=None, trace=None):
        if size < 1:
            raise ValueError("a job needs at least one rank")
        self.size = size
        self.kvsname = kvsname or f"kvs_{os.getpid()}_0"
        self.kvs = {}                 # key -> (owner rank, value)
        self.keys_of = collections.Counter()
        self.barrier = set()          # Conns waiting in barrier_in
        self.ranks = {}               # rank -> Conn
        self.conns = []
        self.trace = trace            # callable(text) or None: logs every line
        self.sel = None
        self.listeners = {}           # socket -> (path, rank or None)
        if unix_path:
            self.listen_unix(unix_path)

    # --- sockets -----------------------------------------------------------
    def listen_unix(self, path, rank=None):
        """A unix socket at PATH (in a directory only the job's owner can
        enter). With RANK it takes one connection, which speaks for RANK
        and no other, and is removed once that connection is made."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(1 if rank is not None else 256)
        s.setblocking(False)
        self.listeners[s] = (path, rank)
        if self.sel:
            self.sel.register(s, selectors.EVENT_READ, ("pmi-listen", s))
        return s

    def register(self, sel):
        self.sel = sel
        for s in self.listeners:
            sel.register(s, selectors.EVENT_READ, ("pmi-listen", s))

    def close(self):
        for c in list(self.conns):
            self._close(c)
        for s in list(self.listeners):
            self._close_listener(s)

    def _close_listener(self, s):
        path, _ = self.listeners.pop(s)
        self._unregister(s)
        s.close()
        try:
            os.unlink(path)
        except OSError:
            pass

    def _unregister(self, sock):
        try:
            self.sel.unregister(sock)
        except (KeyError, ValueError, AttributeError):
            pass

    def _close(self, conn):
        if conn.closed:
            return
        conn.closed = True
        self.barrier.discard(conn)
        if conn.rank is not None and self.ranks.get(conn.rank) is conn:
            del self.ranks[conn.rank]
        self._unregister(conn.sock)
        conn.sock.close()
        self.conns.remove(conn)

    def _log(self, conn, arrow, data):
        if self.trace:
            who = "?" if conn.owner() is None else conn.owner()
            for line in data.decode("ascii", "replace").splitlines():
                self.trace(f"pmi {who} {arrow} {line}")

    def _send(self, conn, data):
        """Queues DATA and writes what the socket takes now; False if the
        connection failed or its unread replies passed MAX_OUTQ."""
        self._log(conn, "<", data)
        conn.outq += data
        return self._flush(conn) and len(conn.outq) <= MAX_OUTQ

    def _flush(self, conn):
        try:
            while conn.outq:
                sent = conn.sock.send(conn.outq)
                del conn.outq[:sent]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            return False
        want = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outq else 0)
        if want != conn.events and not conn.closed:
            conn.events = want
            self.sel.modify(conn.sock, want, ("pmi-conn", conn))
        return True

    # --- events --------------------------------------------------------------
    def handle(self, tag):
        """Called when a registered object is ready; returns Events."""
        kind, obj = tag
        if kind == "pmi-listen":
            return self._accept(obj)
        if obj.closed:
            return []
        if obj.outq and not self._flush(obj):
            return self._lost(obj, "PMI connection failed")
        return self._read(obj)

    def _accept(self, listener):
        if listener not in self.listeners:
            return []
        try:
            sock, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return []
        _, rank = self.listeners[listener]
        if rank is not None:
            self._close_listener(listener)      # one connection, and the name is done with
        elif sum(1 for c in self.conns if c.owner() is None) >= MAX_PENDING:
            sock.close()
            if self.trace:
                self.trace(f"pmi: refused a connection: {MAX_PENDING} are still unidentified")
            return []
        sock.setblocking(False)
        conn = Conn(sock, bound=rank)
        self.conns.append(conn)
        self.sel.register(sock, selectors.EVENT_READ, ("pmi-conn", conn))
        return []

    def adopt(self, sock, rank, inbuf=b"", announce=True):
        """Takes over a connection whose rank was established elsewhere (a
        cloud instance that joined cluster/head.py, a socketpair handed to
        a host process as PMI_FD), as if it had sent cmd=initack
        pmiid=RANK; inbuf is what it sent after that. announce=False: its
        "init" event waits until it speaks (a process that never uses PMI
        is not a rank that died when its end closes)."""
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
        events = []
        if announce:
            conn.announced = True
            events.append(Event("init", rank, None))
        return events + self._lines(conn)

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
        rank, finalized, spoke = conn.owner(), conn.finalized, conn.announced
        self._close(conn)
        if finalized or rank is None or not spoke:
            return []       # a clean end, a stranger, or a process that never used PMI
        return [Event("dead", rank, why)]

    def _violation(self, conn, why):
        """A protocol error: the rank's own ends the job; a stranger's ends
        only the stranger."""
        self._send(conn, format_line("error", rc=-1, msg=why.replace(" ", "_")))
        rank = conn.owner()
        self._close(conn)
        if rank is None:
            if self.trace:
                self.trace(f"pmi: dropped a connection that named no rank: {why}")
            return []
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
        events = []
        if not conn.announced and cmd != "initack":
            conn.announced = True           # an adopted link's first word
            events.append(Event("init", conn.rank, None))
        handler = getattr(self, "_cmd_" + cmd, None)
        if handler is None:
            return events + self._reply(conn, cmd + "_result", rc=-1, msg="unsupported_command")
        return events + handler(conn, fields)

    def _reply(self, conn, cmd, **fields):
        if self._send(conn, format_line(cmd, **fields)):
            return []
        return self._lost(conn, "PMI client does not read its replies, or its link failed")

    # --- commands ----------------------------------------------------------
    def _cmd_initack(self, conn, f):
        pmiid = f.get("pmiid", "")
        if conn.rank is not None:
            return self._violation(conn, "second initack")
        # int() refuses more than 4,300 digits; no rank has ten.
        if not pmiid.isdigit() or len(pmiid) > 9 or int(pmiid) >= self.size:
            return self._violation(conn, f"pmiid '{pmiid[:12]}' is not a rank of 0..{self.size - 1}")
        rank = int(pmiid)
        if conn.bound is not None and rank != conn.bound:
            return self._violation(conn, f"pmiid {rank} on the socket of rank {conn.bound}")
        if rank in self.ranks:
            return self._violation(conn, f"rank {rank} connected twice")
        conn.rank = rank
        conn.announced = True
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

    def _put_refusal(self, rank, key, value):
        """Why RANK may not put KEY=VALUE (a word for msg=), or None."""
        if not key or len(key) > MAXES["keylen_max"] or len(value) > MAXES["vallen_max"]:
            return "key_or_value_too_long"
        named = RANK_KEY.match(key)
        if named and int(named.group(1)) != rank:
            return f"key_belongs_to_rank_{named.group(1)[:12]}"
        owner = self.kvs.get(key, (rank,))[0]
        if owner != rank:
            return f"key_belongs_to_rank_{owner}"
        if key not in self.kvs and self.keys_of[rank] >= MAX_KEYS_PER_RANK:
            return f"more_than_{MAX_KEYS_PER_RANK}_keys"
        return None

    def _cmd_put(self, conn, f):
        key, value = f.get("key", ""), f.get("value", "")
        if f.get("kvsname") != self.kvsname:
            return self._reply(conn, "put_result", rc=-1, msg="unknown_kvsname")
        refusal = self._put_refusal(conn.rank, key, value)
        if refusal:
            return self._reply(conn, "put_result", rc=-1, msg=refusal)
        if key not in self.kvs:
            self.keys_of[conn.rank] += 1
        self.kvs[key] = (conn.rank, value)
        return self._reply(conn, "put_result", rc=0, msg="success")

    def _cmd_get(self, conn, f):
        key = f.get("key", "")
        if key == "PMI_process_mapping":
            value = f"(vector,(0,{self.size},1))"
        elif f.get("kvsname") == self.kvsname and key in self.kvs:
            value = self.kvs[key][1]
        else:
            return self._reply(conn, "get_result", rc=-1, msg=f"key_{key[:64]}_not_found")
        return self._reply(conn, "get_result", rc=0, msg="success", value=value)

    def _cmd_barrier_in(self, conn, f):
        self.barrier.add(conn)
        if len(self.barrier) < self.size:
            return []
        events = []
        waiting, self.barrier = self.barrier, set()
        for c in sorted(waiting, key=lambda c: c.rank):
            if not c.closed and not self._send(c, format_line("barrier_out")):
                events += self._lost(c, "PMI client does not read its replies, or its link failed")
        return events

    def _cmd_finalize(self, conn, f):
        conn.finalized = True
        self._send(conn, format_line("finalize_ack"))
        return [Event("finalize", conn.rank, None)]

    def _cmd_abort(self, conn, f):
        conn.finalized = True          # its disconnect is not a second failure
        return [Event("abort", conn.rank, abort_code(f.get("exitcode", "1")))]


def serve(size, command, timeout, trace=False):
    """Runs COMMAND as SIZE local ranks with Hydra's PMI_FD convention and
    serves their job in the foreground (no listener at all)."""
    log = (lambda text: print(text, file=sys.stderr, flush=True)) if trace else None
    server = PMIServer(size, trace=log)
    sel = selectors.DefaultSelector()
    server.register(sel)
    procs = []
    try:
        for rank in range(size):
            ours, theirs = socket.socketpair()
            env = dict(os.environ, PMI_FD=str(theirs.fileno()), PMI_RANK=str(rank),
                       PMI_SIZE=str(size))
            procs.append(subprocess.Popen(command, env=env, pass_fds=(theirs.fileno(),)))
            theirs.close()
            server.adopt(ours, rank, announce=False)
        deadline = time.monotonic() + timeout
        while any(p.poll() is None for p in procs) or server.conns:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"pmi: timed out after {timeout:g} s", file=sys.stderr)
                return 124
            for key, _ in sel.select(min(left, 0.2)):
                for ev in server.handle(key.data):
                    if ev.kind in ("dead", "abort", "error"):
                        print(f"pmi: rank {ev.rank}: {ev.kind}: {ev.detail}", file=sys.stderr)
                        return 1
        bad = [p.returncode for p in procs if p.returncode]
        return (128 - bad[0] if bad[0] < 0 else bad[0]) if bad else 0
    except OSError as e:
        print(f"pmi: cannot run {command[0]}: {e.strerror}", file=sys.stderr)
        return 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
        server.close()


def main(argv):
    import argparse
    p = argparse.ArgumentParser(prog="pmi.py", description="Serve one PMI-1 job of local processes.")
    p.add_argument("-n", type=int, required=True, help="number of ranks")
    p.add_argument("--timeout", type=float, default=60, help="seconds (default 60)")
    p.add_argument("--trace", action="store_true", help="log every PMI line to stderr")
    p.add_argument("command", nargs=argparse.REMAINDER, help="the program and its arguments")
    args = p.parse_args(argv)
    if args.n < 1:
        p.error("-n must be at least 1")
    if not args.command:
        p.error("no COMMAND")
    return serve(args.n, args.command, args.timeout, args.trace)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
