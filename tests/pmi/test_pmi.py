#!/usr/bin/env python3
"""test_pmi.py - protocol cases for cluster/pmi.py, with a client that speaks
as MPICH's simple PMI client does (one TCP connection per rank, initack
handshake, line commands). Prints PASS/FAIL lines; exit 1 if any failed.

    python3 tests/pmi/test_pmi.py
"""

import os
import selectors
import socket
import sys
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
    """A PMIServer driven by a background thread; events are collected."""

    def __init__(self, size):
        self.server = pmi.PMIServer(size)
        self.sel = selectors.DefaultSelector()
        self.server.register(self.sel)
        self.events = []
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            for key, _ in self.sel.select(0.05):
                self.events += self.server.handle(key.data)

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.server.close()

    def wait_event(self, kind, timeout=3):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for e in self.events:
                if e.kind == kind:
                    return e
            time.sleep(0.02)
        return None


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=3)
        self.buf = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(4096)
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
    a, b = Client(s.server.port), Client(s.server.port)
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
    a = Client(s.server.port)
    a.handshake(0)
    a.sock.close()
    e = s.wait_event("dead")
    check("pmi-disconnect-is-dead-rank", e is not None and e.rank == 0, str(s.events))
    s.stop()

    s = Served(2)
    a = Client(s.server.port)
    r = a.ask("cmd=initack pmiid=7")
    check("pmi-bad-pmiid-refused", r["cmd"] == "error" and a.line() is None, str(r))
    b = Client(s.server.port)
    r = b.ask("hello there")
    check("pmi-malformed-line-refused", r["cmd"] == "error" and b.line() is None, str(r))
    c = Client(s.server.port)
    c.handshake(1)
    c.send("cmd=get_maxes this-is-not-key-value")
    check("pmi-malformed-after-init-is-dead", c.line()["cmd"] == "error" and
          s.wait_event("dead") is not None, str(s.events))
    d = Client(s.server.port)
    d.send("cmd=initack pmiid=0")
    d.send("x" * 5000)
    msgs = [d.line() for _ in range(5)]
    check("pmi-overlong-line-refused", msgs[4] is not None and msgs[4]["cmd"] == "error",
          str(msgs))
    s.stop()

    s = Served(1)
    a = Client(s.server.port)
    a.handshake(0)
    a.send("cmd=abort exitcode=9")
    e = s.wait_event("abort")
    check("pmi-abort", e is not None and e.detail == 9 and e.rank == 0, str(s.events))
    s.stop()

    # Found by fuzzing (tests/fuzz/fuzz_pmi.py): int() refuses more than
    # 4,300 digits, and the ValueError ended the server's loop.
    s = Served(2)
    a = Client(s.server.port)
    try:
        r = a.ask("cmd=initack pmiid=" + "9" * 5000)
        refused = r is not None and r["cmd"] == "error" and a.line() is None
    except OSError as e:
        r, refused = e, False
    check("pmi-huge-pmiid-refused", refused and s.thread.is_alive(), str(r))
    s.stop()


if __name__ == "__main__":
    test_session()
    test_failures()
    sys.exit(1 if failures else 0)
