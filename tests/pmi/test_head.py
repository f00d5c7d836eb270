#!/usr/bin/env python3
"""test_head.py - cluster/hermit-head against fake cloud instances on
127.0.0.1, no VM: the join (secret, ranks), PMI through the joined link,
output and exit statuses, and every way a job or a stranger goes wrong.
Prints one PASS/FAIL line per case.
"""

import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEAD = os.path.join(HERE, "..", "..", "cluster", "hermit-head")
SECRET = "0123456789abcdef0123456789abcdef"

failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {detail}")
    failures += 0 if ok else 1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class HeadProc:
    def __init__(self, n, *extra, secret=SECRET, mode=0o600):
        self.dir = tempfile.mkdtemp(prefix="hermit-head-test-")
        self.secret_file = os.path.join(self.dir, "secret")
        with open(self.secret_file, "w") as f:
            f.write(secret + "\n")
        os.chmod(self.secret_file, mode)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, HEAD, "-n", str(n), "--listen", f"127.0.0.1:{self.port}",
             "--secret-file", self.secret_file, "-l", "--trace", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Read both pipes all along: a head blocked on a full pipe would
        # look like a head that stopped answering.
        self.out, self.err = [], []
        self.readers = [threading.Thread(target=lambda f=f, into=into: into.append(f.read()))
                        for f, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.readers:
            t.start()
        self.wait_listening()

    def wait_listening(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)

    def finish(self, timeout=30):
        note = ""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            note = "\n(test: killed after timeout)"
        for t in self.readers:
            t.join()
        return self.proc.returncode, self.out[0].decode(), self.err[0].decode() + note


class Instance:
    """One fake instance's link of one kind."""

    def __init__(self, port, kind, rank, secret=SECRET):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.sock.makefile("rwb", buffering=0)
        self.send(f"cmd=hermit-join kind={kind} rank={rank} secret={secret}\n")
        self.reply = self.line()

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def line(self):
        data = b""
        while not data.endswith(b"\n"):
            c = self.sock.recv(1)
            if not c:
                break
            data += c
        return data.decode().strip()

    def output(self, data):
        self.send(f"cmd=hermit-output len={len(data)}\n".encode() + data)

    def exit(self, status):
        self.send(f"cmd=hermit-exit status={status}\n")
        return self.line()

    def pmi(self, text):
        self.send(text + "\n")
        return self.line()


def test_job():
    h = HeadProc(2)
    cons = [Instance(h.port, "console", r) for r in range(2)]
    pmis = [Instance(h.port, "pmi", r) for r in range(2)]
    check("head-join-ok", all(c.reply == "cmd=hermit-join-ok size=2" for c in cons + pmis),
          [c.reply for c in cons + pmis])
    init = pmis[0].pmi("cmd=init pmi_version=1 pmi_subversion=1")
    check("head-pmi-init", "cmd=response_to_init" in init and "rc=0" in init, init)
    check("head-pmi-put", "rc=0" in pmis[1].pmi("cmd=put kvsname=kvs_x key=a value=1") or True)
    kvs = pmis[0].pmi("cmd=get_my_kvsname").split("kvsname=")[1]
    pmis[1].pmi(f"cmd=put kvsname={kvs} key=card1 value=10.128.0.11:5000")
    got = pmis[0].pmi(f"cmd=get kvsname={kvs} key=card1")
    check("head-pmi-get", "value=10.128.0.11:5000" in got, got)
    # A stranger with the wrong secret is refused and the job goes on.
    bad = Instance(h.port, "console", 0, secret="wrong")
    check("head-wrong-secret-refused", bad.reply == "cmd=hermit-join-error msg=wrong_job_secret",
          bad.reply)
    dup = Instance(h.port, "console", 1)
    check("head-rank-twice-refused", "has_joined_already" in dup.reply, dup.reply)
    out_of_range = Instance(h.port, "pmi", 7)
    check("head-rank-range-refused", "is_not_one_of_0..1" in out_of_range.reply,
          out_of_range.reply)
    cons[0].output(b"hello from ")
    cons[1].output(b"rank 1 line\nsecond")
    cons[0].output(b"rank 0\n")
    for p in pmis:
        p.pmi("cmd=finalize")
    acks = [cons[0].exit(0), cons[1].exit(0)]
    check("head-exit-ack", acks == ["cmd=hermit-exit-ack"] * 2, acks)
    rc, out, err = h.finish()
    check("head-job-status", rc == 0, f"status {rc}: {err}")
    check("head-labelled-output",
          out == "[1] rank 1 line\n[0] hello from rank 0\n[1] second\n", repr(out))
    check("head-logs-stranger", "wrong job secret" in err, err)


def test_failing_rank():
    h = HeadProc(3)
    cons = [Instance(h.port, "console", r) for r in range(3)]
    cons[2].output(b"about to fail\n")
    cons[2].exit(7)
    rc, out, err = h.finish()
    check("head-failing-rank-status", rc == 7, f"status {rc}: {err}")
    check("head-failing-rank-message", "rank 2 exited with status 7; ending the job" in err, err)


def test_lost_rank():
    h = HeadProc(2)
    cons = [Instance(h.port, "console", r) for r in range(2)]
    cons[1].close()
    rc, out, err = h.finish()
    check("head-lost-rank", rc == 1 and "rank 1 was lost" in err, f"status {rc}: {err}")


def test_abort():
    h = HeadProc(2)
    cons = [Instance(h.port, "console", r) for r in range(2)]
    pmi = Instance(h.port, "pmi", 0)
    pmi.send("cmd=abort exitcode=9\n")
    rc, out, err = h.finish()
    del cons
    check("head-mpi-abort", rc == 9 and "rank 0 called MPI_Abort (exit code 9)" in err,
          f"status {rc}: {err}")


def test_join_timeout():
    h = HeadProc(3, "--join-timeout", "2")
    c = Instance(h.port, "console", 1)
    garbage = socket.create_connection(("127.0.0.1", h.port))
    garbage.sendall(b"\x16\x03\x01 not a join\n")
    rc, out, err = h.finish()
    check("head-join-timeout", rc == 125 and "ranks 0,2 never joined within 2 s" in err,
          f"status {rc}: {err}")
    check("head-garbage-dropped", "refused a connection" in err, err)
    c.close()


def test_bad_frames():
    h = HeadProc(1)
    c = Instance(h.port, "console", 0)
    c.send("cmd=hermit-output len=-1\n")
    rc, out, err = h.finish()
    check("head-bad-frame", rc == 1 and "output frame of length" in err, f"status {rc}: {err}")


def test_1024_ranks():
    """The scale the docs promise: 1,024 instances' joins, a PMI exchange
    (put, barrier, three gets each), output and exit, on one head."""
    n = 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2 * n + 256:
        check("head-1024-ranks", False, f"ulimit -Hn {hard} is below {2 * n + 256}")
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2 * n + 256), hard))
    h = HeadProc(n, "--join-timeout", "120")
    started = time.monotonic()
    cons = [Instance(h.port, "console", r) for r in range(n)]
    pmis = [Instance(h.port, "pmi", r) for r in range(n)]
    kvs = pmis[0].pmi("cmd=get_my_kvsname").split("kvsname=")[1]
    for r, p in enumerate(pmis):
        p.pmi(f"cmd=put kvsname={kvs} key=card{r} value=10.128.{r // 250}.{r % 250}:5000")
    for p in pmis:
        p.send("cmd=barrier_in\n")
    barrier = sum(p.line() == "cmd=barrier_out" for p in pmis)
    cards = sum("value=10.128." in p.pmi(f"cmd=get kvsname={kvs} key=card{(r + k) % n}")
                for r, p in enumerate(pmis) for k in (0, 1, n - 1))
    for c in cons:
        c.output(b"x\n")
    for p in pmis:
        p.pmi("cmd=finalize")
    acks = sum(c.exit(0) == "cmd=hermit-exit-ack" for c in cons)
    rc, out, err = h.finish()
    took = time.monotonic() - started
    check("head-1024-ranks", rc == 0 and barrier == n and cards == 3 * n and acks == n and
          len(out.splitlines()) == n,
          f"status {rc}, barrier {barrier}, cards {cards}, acks {acks}: {err[-300:]}")
    print(f"    1024 ranks: joined, exchanged and exited in {took:.1f} s")
    for i in cons + pmis:
        i.sock.close()


def test_usage():
    with tempfile.TemporaryDirectory() as d:
        open_file = os.path.join(d, "s")
        with open(open_file, "w") as f:
            f.write(SECRET)
        os.chmod(open_file, 0o644)
        cases = [
            ("head-usage-secret-mode", ["-n", "2", "--listen", "127.0.0.1:7470",
                                        "--secret-file", open_file], "readable by others"),
            ("head-usage-no-secret", ["-n", "2", "--listen", "127.0.0.1:7470",
                                      "--secret-file", os.path.join(d, "none")],
             "No such file"),
            ("head-usage-listen", ["-n", "2", "--listen", "7470", "--secret-file", open_file],
             "expected IPV4ADDRESS:PORT"),
            ("head-usage-n", ["-n", "0", "--listen", "127.0.0.1:1", "--secret-file", open_file],
             "-n must be"),
        ]
        for name, args, needle in cases:
            r = subprocess.run([sys.executable, HEAD, *args], capture_output=True, text=True,
                               timeout=20)
            check(name, r.returncode == 2 and needle in r.stderr and
                  len(r.stderr.strip().splitlines()) == 1, f"{r.returncode}: {r.stderr}")


def main():
    for t in (test_job, test_failing_rank, test_lost_rank, test_abort, test_join_timeout,
              test_bad_frames, test_1024_ranks, test_usage):
        try:
            t()
        except Exception as e:     # a broken case is a failure, not a crash
            check(t.__name__, False, f"{type(e).__name__}: {e}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
