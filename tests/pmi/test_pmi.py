#!/usr/bin/env python3
"""test_pmi.py - protocol cases for cluster/pmi.py, with a client that speaks
as MPICH's simple PMI client does (one connection per rank, initack
handshake, line commands), and its hardening: strangers, key ownership,
bounds on every resource, a client that does not read. Prints PASS/FAIL
lines; exit 1 if any failed.

    python3 tests/pmi/test_pmi.py
"""

import os
import selectors
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "cluster"))
import pmi  # noqa: E402

failures = 0


def check(name, ok, why=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {why}")
    failures += 0 if ok else 1


class Served:
    """A PMIServer on a unix socket in a private directory, driven by a
    background thread; events are collected (an exception out of the
    server is an event too: ("exception", None, repr))."""

    def __init__(self, size):
        self.dir = tempfile.mkdtemp(prefix="pmi-test-")
        self.path = os.path.join(self.dir, "pmi.sock")
        self.server = pmi.PMIServer(size, unix_path=self.path)
        self.sel = selectors.DefaultSelector()
        self.server.register(self.sel)
        self.events = []
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            for key, _ in self.sel.select(0.05):
                try:
                    self.events += self.server.handle(key.data)
                except Exception as e:      # noqa: BLE001  (the test reports it)
                    self.events.append(pmi.Event("exception", None, repr(e)[:200]))

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.server.close()
        try:
            os.rmdir(self.dir)
        except OSError:
            pass

    def wait_event(self, kind, timeout=3):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for e in self.events:
                if e.kind == kind:
                    return e
            time.sleep(0.02)
        return None

    def client(self):
        return Client(self.path)


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(3)
        self.sock.connect(path)
        self.buf = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def line(self):
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return pmi.parse_line(line)

    def ask(self, line):
        self.send(line)
        return self.line()

    def handshake(self, rank):
        self.send(f"cmd=initack pmiid={rank}")
        return [self.line() for _ in range(4)]


def test_session():
    s = Served(2)
    a, b = s.client(), s.client()
    hs = a.handshake(0)
    b.handshake(1)
    check("pmi-handshake", [m["cmd"] for m in hs] == ["initack", "set", "set", "set"] and
          hs[1]["size"] == "2" and hs[2]["rank"] == "0" and hs[3]["debug"] == "0", str(hs))
    r = a.ask("cmd=init pmi_version=1 pmi_subversion=1")
    check("pmi-init", r == {"cmd": "response_to_init", "pmi_version": "1",
                            "pmi_subversion": "1", "rc": "0"}, str(r))
    r = a.ask("cmd=get_maxes")
    check("pmi-maxes", r["cmd"] == "maxes" and r["vallen_max"] == "1024", str(r))
    kvs = a.ask("cmd=get_my_kvsname")["kvsname"]
    check("pmi-appnum-usize", a.ask("cmd=get_appnum")["appnum"] == "0" and
          a.ask("cmd=get_universe_size")["size"] == "2")
    r = a.ask(f"cmd=put kvsname={kvs} key=P0-businesscard value=description#rank0$port#5$")
    check("pmi-put", r["cmd"] == "put_result" and r["rc"] == "0", str(r))
    a.send("cmd=barrier_in")
    time.sleep(0.2)
    a.sock.settimeout(0.3)
    try:
        early = a.sock.recv(100)
    except socket.timeout:
        early = b""
    a.sock.settimeout(3)
    b.send("cmd=barrier_in")
    check("pmi-barrier-waits-for-all", early == b"" and a.line()["cmd"] == "barrier_out" and
          b.line()["cmd"] == "barrier_out", repr(early))
    r = b.ask(f"cmd=get kvsname={kvs} key=P0-businesscard")
    check("pmi-get", r["rc"] == "0" and r["value"] == "description#rank0$port#5$", str(r))
    r = b.ask(f"cmd=get kvsname={kvs} key=nope")
    check("pmi-get-missing", r["cmd"] == "get_result" and r["rc"] == "-1", str(r))
    r = b.ask(f"cmd=get kvsname={kvs} key=PMI_process_mapping")
    check("pmi-process-mapping", r["value"] == "(vector,(0,2,1))", str(r))
    r = b.ask("cmd=publish_name service=x port=y")
    check("pmi-unsupported-command", r["rc"] == "-1", str(r))
    check("pmi-finalize", a.ask("cmd=finalize")["cmd"] == "finalize_ack" and
          b.ask("cmd=finalize")["cmd"] == "finalize_ack")
    a.sock.close()
    b.sock.close()
    time.sleep(0.2)
    check("pmi-clean-end-no-dead", not any(e.kind == "dead" for e in s.events), str(s.events))
    s.stop()


def test_failures():
    s = Served(2)
    a = s.client()
    a.handshake(0)
    a.sock.close()
    e = s.wait_event("dead")
    check("pmi-disconnect-is-dead-rank", e is not None and e.rank == 0, str(s.events))
    s.stop()

    s = Served(2)
    a = s.client()
    r = a.ask("cmd=initack pmiid=7")
    check("pmi-bad-pmiid-refused", r["cmd"] == "error" and a.line() is None, str(r))
    b = s.client()
    r = b.ask("hello there")
    check("pmi-malformed-line-refused", r["cmd"] == "error" and b.line() is None, str(r))
    c = s.client()
    c.handshake(1)
    c.send("cmd=get_maxes this-is-not-key-value")
    check("pmi-malformed-after-init-is-dead", c.line()["cmd"] == "error" and
          s.wait_event("dead") is not None, str(s.events))
    d = s.client()
    d.send("cmd=initack pmiid=0")
    d.send("x" * 5000)
    msgs = [d.line() for _ in range(5)]
    check("pmi-overlong-line-refused", msgs[4] is not None and msgs[4]["cmd"] == "error",
          str(msgs))
    s.stop()

    s = Served(1)
    a = s.client()
    a.handshake(0)
    a.send("cmd=abort exitcode=9")
    e = s.wait_event("abort")
    check("pmi-abort", e is not None and e.detail == 9 and e.rank == 0, str(s.events))
    s.stop()

    # Found by fuzzing (tests/fuzz/fuzz_pmi.py): int() refuses more than
    # 4,300 digits, and the ValueError ended the server's loop.
    s = Served(2)
    a = s.client()
    try:
        r = a.ask("cmd=initack pmiid=" + "9" * 5000)
        refused = r is not None and r["cmd"] == "error" and a.line() is None
    except OSError as e:
        r, refused = e, False
    check("pmi-huge-pmiid-refused", refused and s.thread.is_alive(), str(r))
    s.stop()


def job_events(s):
    """Events that would end a job (a stranger's are none of them)."""
    return [e for e in s.events if e.kind in ("error", "dead", "abort", "exception")]


def test_strangers():
    """A connection that has not said which rank it is, and misbehaves, is
    dropped; the job goes on."""
    s = Served(2)
    a = s.client()
    a.handshake(0)
    for bad in ("hello there", "cmd=initack pmiid=9", "cmd=initack pmiid=zero",
                "cmd=get_maxes", "\xff" * 10):
        c = s.client()
        c.send(bad)
        c.line()
        c.sock.close()
    c = s.client()
    c.send("x" * 5000)          # an unterminated line from a stranger
    c.line()
    time.sleep(0.3)
    check("pmi-stranger-bad-lines-not-fatal", job_events(s) == [], str(s.events))
    r = a.ask("cmd=get_maxes")
    check("pmi-job-goes-on-after-strangers", r is not None and r["cmd"] == "maxes", str(r))
    b = s.client()
    b.handshake(0)          # rank 0 is connected: a second claim is the claimant's problem
    time.sleep(0.2)
    check("pmi-second-claim-of-a-rank-not-fatal", job_events(s) == [] and
          a.ask("cmd=get_appnum")["appnum"] == "0", str(s.events))
    s.stop()


def test_rank_sockets():
    """A socket made for one rank serves that rank alone, once."""
    s = Served(3)
    path = os.path.join(s.dir, "rank1.sock")
    try:
        s.server.listen_unix(path, rank=1)
    except Exception as e:      # noqa: BLE001
        check("pmi-rank-socket-refuses-other-rank", False, f"no per-rank socket: {e!r}")
        s.stop()
        return
    c = Client(path)
    r = c.ask("cmd=initack pmiid=0")
    check("pmi-rank-socket-refuses-other-rank", r is not None and r["cmd"] == "error" and
          0 not in s.server.ranks, str(r))
    d = None
    try:
        d = Client(path)
        d.send("cmd=initack pmiid=1")
        answered = d.line()
    except OSError:
        answered = None
    check("pmi-rank-socket-accepts-once", answered is None and 1 not in s.server.ranks,
          str(answered))
    path2 = os.path.join(s.dir, "rank2.sock")
    s.server.listen_unix(path2, rank=2)
    e = Client(path2)
    hs = e.handshake(2)
    check("pmi-rank-socket-serves-its-rank", hs[2] == {"cmd": "set", "rank": "2"} and
          not os.path.exists(path2), str(hs))
    s.stop()


def test_key_ownership():
    s = Served(2)
    a, b = s.client(), s.client()
    a.handshake(0)
    b.handshake(1)
    kvs = a.ask("cmd=get_my_kvsname")["kvsname"]
    a.ask(f"cmd=put kvsname={kvs} key=shared value=from0")
    r = b.ask(f"cmd=put kvsname={kvs} key=shared value=from1")
    v = a.ask(f"cmd=get kvsname={kvs} key=shared")
    check("pmi-put-other-ranks-key-refused", r["rc"] != "0" and v.get("value") == "from0",
          f"{r} then {v}")
    r = a.ask(f"cmd=put kvsname={kvs} key=shared value=again0")
    v = b.ask(f"cmd=get kvsname={kvs} key=shared")
    check("pmi-put-own-key-again", r["rc"] == "0" and v.get("value") == "again0", f"{r} {v}")
    # MPICH names a rank's business card P<rank>-businesscard: only that
    # rank may put it, even before it has.
    r = b.ask(f"cmd=put kvsname={kvs} key=P0-businesscard value=forged")
    r2 = a.ask(f"cmd=put kvsname={kvs} key=P0-businesscard value=real")
    v = b.ask(f"cmd=get kvsname={kvs} key=P0-businesscard")
    check("pmi-business-card-only-by-its-rank", r["rc"] != "0" and r2["rc"] == "0" and
          v.get("value") == "real", f"{r} {r2} {v}")
    check("pmi-refused-put-not-fatal", job_events(s) == [], str(s.events))
    s.stop()


def test_bounds():
    s = Served(2)
    a = s.client()
    a.handshake(0)
    kvs = a.ask("cmd=get_my_kvsname")["kvsname"]
    # The key-value store: a rank's keys are bounded (a refusal, not an end).
    n = pmi_bound("MAX_KEYS_PER_RANK", 1024) + 50
    replies = []
    for i in range(n):
        replies.append(a.ask(f"cmd=put kvsname={kvs} key=k{i} value={'v' * 100}"))
    refused = [r for r in replies if r is None or r.get("rc") != "0"]
    check("pmi-kvs-bounded", len(s.server.kvs) < n and refused and
          all(r is not None for r in replies) and job_events(s) == [],
          f"{len(s.server.kvs)} keys stored of {n}; {len(refused)} refused; {s.events[-2:]}")
    # Connections: strangers beyond the bound are closed at once.
    many = []
    for _ in range(300):
        try:
            many.append(s.client())
        except OSError:
            break
    time.sleep(0.5)
    live = len(s.server.conns)
    check("pmi-connections-bounded", live <= pmi_bound("MAX_PENDING", 64) + 2,
          f"{live} connections held")
    for c in many:
        c.sock.close()
    r = a.ask("cmd=get_appnum")
    check("pmi-rank-served-after-connection-flood", r is not None and r.get("appnum") == "0",
          str(r))
    s.stop()


def pmi_bound(name, default):
    return getattr(pmi, name, default)


def test_slow_reader():
    """A rank that sends and never reads its replies costs the others
    nothing, and is dropped once its replies pile up."""
    s = Served(2)
    a, b = s.client(), s.client()
    a.handshake(0)
    b.handshake(1)
    kvs = a.ask("cmd=get_my_kvsname")["kvsname"]
    a.ask(f"cmd=put kvsname={kvs} key=big value={'x' * 1000}")
    a.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ask = f"cmd=get kvsname={kvs} key=big\n".encode()

    def flood():
        try:
            for _ in range(200):
                a.sock.sendall(ask * 20)
        except OSError:
            pass
    t = threading.Thread(target=flood, daemon=True)
    t.start()
    time.sleep(0.5)
    worst = 0.0
    for _ in range(10):
        start = time.monotonic()
        r = b.ask("cmd=get_appnum")
        worst = max(worst, time.monotonic() - start)
        if r is None:
            break
    check("pmi-slow-reader-does-not-block-others", r is not None and worst < 1.0,
          f"slowest reply to rank 1 took {worst:.2f} s")
    t.join(10)
    e = s.wait_event("dead", timeout=10)
    check("pmi-slow-reader-dropped", e is not None and e.rank == 0, str(s.events))
    s.stop()


def test_abort_codes():
    for code, want in (("9", 9), ("--5", 1), ("-3", -3), ("5" * 5000, 1), ("", 1),
                       ("1e3", 1), ("99999999999999999999", 1)):
        s = Served(1)
        a = s.client()
        a.handshake(0)
        a.send(f"cmd=abort exitcode={code}")
        e = s.wait_event("abort", timeout=1) or s.wait_event("exception", timeout=0.5)
        check(f"pmi-abort-code-{code[:6]}{'...' if len(code) > 6 else ''}",
              e is not None and e.kind == "abort" and e.detail == want, str(s.events))
        s.stop()


if __name__ == "__main__":
    for test in (test_session, test_failures, test_strangers, test_rank_sockets,
                 test_key_ownership, test_bounds, test_slow_reader, test_abort_codes):
        try:
            test()
        except Exception as e:      # noqa: BLE001  (a case that broke is a failure)
            check(f"pmi-{test.__name__[5:].replace('_', '-')}-finished", False, repr(e)[:300])
    sys.exit(1 if failures else 0)
