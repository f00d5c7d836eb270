#!/usr/bin/env python3
"""fuzz_pmi.py - a small coverage-guided mutational fuzzer of the PMI
service (cluster/pmi.py): random and mutated client sessions are fed to a
PMIServer over its unix sockets and adopted socketpairs; the server must
never raise out of handle() or adopt(), never take a second in one call
(it must not block), and only report well-formed events.

    python3 tests/fuzz/fuzz_pmi.py --seconds 60 --work build/fuzz/pmi tests/fuzz/corpus/pmi
    python3 tests/fuzz/fuzz_pmi.py --replay tests/fuzz/corpus/pmi      (make check)
    python3 tests/fuzz/fuzz_pmi.py --replay --known tests/fuzz/corpus-known/pmi

A session file (the corpus format) is text: an optional first line
`size=N` (ranks in the job, default 2), then one step a line:

    C LINE          client C (0-9) sends LINE and a newline; its first
                    step connects it to the shared unix socket (a
                    connection that has not said which rank it is)
    uR LINE         likewise, through the unix socket made for rank R alone
    aR LINE         likewise, on a connection adopt()ed as rank R (PMI_FD,
                    the cloud head's path); its first LINE is the adopted inbuf
    C !part TEXT    sends TEXT without a newline
    C !last LINE    sends LINE and a newline, then closes at once
    C !close        the client closes its end (the server notices at the
                    next step, so a reply may meet a closed peer)
    C !deaf         the client stops reading replies

Coverage is line arcs of cluster/pmi.py (sys.settrace); an input that
reaches a new arc joins the corpus (WORK/corpus). A finding is written to
WORK/crash-SHA1 (reduced to the fewest steps and bytes that still show it)
and reported in the last line. The random generator is seeded (--seed), so
a run can be repeated.

Known bugs: none open. KNOWN lists (function, exception) pairs of open
ones: unless --known, a finding raised there is counted, not reported, so
fuzzing goes on looking for new ones; with --known it is a crash (for the
reproducers in tests/fuzz/corpus-known/pmi).
"""

import argparse
import atexit
import hashlib
import os
import random
import selectors
import shutil
import socket
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "cluster")))
import pmi  # noqa: E402

PMI_FILE = os.path.abspath(pmi.__file__)
KVS = "KVS"
SLOW = 1.0              # seconds one server call may take
MAX_PAYLOAD = 8192
MAX_STEPS = 64
KNOWN = []


class Finding(Exception):
    """The server broke a property; str() is a one-line signature."""

    def __init__(self, signature, detail):
        super().__init__(signature)
        self.signature = signature
        self.detail = detail


# --- sessions ------------------------------------------------------------------
def parse_session(data):
    """bytes -> (size, [(client, kind, payload)])."""
    size, steps = 2, []
    lines = data.split(b"\n")
    if lines and lines[0].startswith(b"size="):
        digits = lines.pop(0)[5:]
        size = int(digits) if digits.isdigit() and len(digits) < 3 else 2
    for line in lines:
        client, _, payload = line.partition(b" ")
        if not client:
            continue
        client = client.decode("latin-1")
        if payload in (b"!close", b"!deaf"):
            steps.append((client, payload[1:].decode(), b""))
        elif payload.startswith(b"!part "):
            steps.append((client, "part", payload[6:]))
        elif payload.startswith(b"!last "):
            steps.append((client, "last", payload[6:]))
        else:
            steps.append((client, "line", payload))
    return max(1, min(size, 8)), steps[:MAX_STEPS]


def format_session(size, steps):
    out = [b"size=%d" % size]
    for client, kind, payload in steps:
        c = client.encode("latin-1")
        if kind in ("close", "deaf"):
            out.append(c + b" !" + kind.encode())
        elif kind in ("part", "last"):
            out.append(c + b" !" + kind.encode() + b" " + payload)
        else:
            out.append(c + b" " + payload)
    return b"\n".join(out) + b"\n"


SOCKET_DIR = tempfile.mkdtemp(prefix="fuzz-pmi-")
atexit.register(shutil.rmtree, SOCKET_DIR, True)


def timed(what, fn, *args):
    start = time.monotonic()
    try:
        result = fn(*args)
    except Exception as e:  # noqa: BLE001 - any exception is the finding
        tb = traceback.extract_tb(e.__traceback__)
        where = next((f for f in reversed(tb) if os.path.abspath(f.filename) == PMI_FILE), tb[-1])
        raise Finding(f"{what} raised {type(e).__name__} in {where.name} "
                      f"(pmi.py:{where.lineno})", traceback.format_exc())
    took = time.monotonic() - start
    if took > SLOW:
        raise Finding(f"{what} blocked for {took:.1f} s", "")
    return result


def check_events(events, size):
    if not isinstance(events, list):
        raise Finding("events not a list", repr(events))
    for ev in events:
        ok = (isinstance(ev, pmi.Event) and
              ev.kind in ("init", "finalize", "abort", "dead", "error") and
              (ev.rank is None or (isinstance(ev.rank, int) and 0 <= ev.rank < size)) and
              (ev.kind != "abort" or isinstance(ev.detail, int)))
        if not ok:
            raise Finding(f"malformed event {ev.kind if isinstance(ev, tuple) else ev!r}",
                          repr(ev))


def drain(clients, deaf=()):
    for client, sock in clients.items():
        if client in deaf:
            continue
        try:
            while sock.recv(65536):
                pass
        except (BlockingIOError, InterruptedError, OSError):
            pass


def pump(server, sel, clients, size, deaf):
    for _ in range(16):
        ready = sel.select(0)
        if not ready:
            return
        for key, _ in ready:
            check_events(timed("handle", server.handle, key.data), size)
        drain(clients, deaf)


def execute(size, steps):
    """Runs one session; raises Finding."""
    server = pmi.PMIServer(size, kvsname=KVS, trace=lambda text: None)
    sel = selectors.DefaultSelector()
    server.register(sel)
    shared = os.path.join(SOCKET_DIR, "pmi")
    server.listen_unix(shared)
    clients, socks, deaf = {}, [], set()
    try:
        for client, kind, payload in steps:
            data = payload if kind == "part" else payload + b"\n"
            if kind == "deaf":
                deaf.add(client)
                continue
            sock = clients.get(client)
            if sock is None:
                if kind == "close":
                    continue
                rank = int(client[1:]) % size if client[1:].isdigit() else None
                if client[0] == "a" and rank is not None:
                    sock, theirs = socket.socketpair()
                    socks += [sock, theirs]
                    sock.setblocking(False)
                    clients[client] = sock
                    events = timed("adopt", server.adopt, theirs, rank, data)
                    check_events(events, size)
                    drain(clients, deaf)
                    continue
                path = shared
                if client[0] == "u" and rank is not None:
                    path = os.path.join(SOCKET_DIR, f"rank{rank}")
                    if os.path.exists(path):
                        continue        # its one connection was made already
                    server.listen_unix(path, rank)
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                socks.append(sock)
                try:
                    sock.connect(path)
                except OSError:
                    continue            # refused: the server's business, not a finding
                sock.setblocking(False)
                clients[client] = sock
                pump(server, sel, clients, size, deaf)
            if kind != "close":
                try:
                    sock.send(data)
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    pass
            if kind in ("close", "last"):
                sock.close()
                del clients[client]
            if kind != "close":
                drain(clients, deaf)
                pump(server, sel, clients, size, deaf)
        pump(server, sel, clients, size, deaf)
    finally:
        try:
            server.close()
        finally:
            for s in socks:
                s.close()
            sel.close()


# --- coverage --------------------------------------------------------------------
class Coverage:
    def __init__(self):
        self.arcs = set()
        self.last = {}

    def _local(self, frame, event, arg):
        if event == "line":
            self.arcs.add((self.last.get(frame), frame.f_lineno))
            self.last[frame] = frame.f_lineno
        elif event == "return":
            self.last.pop(frame, None)
        return self._local

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename == PMI_FILE:
            return self._local
        return None

    def run(self, fn):
        self.arcs, self.last = set(), {}
        sys.settrace(self._global)
        try:
            fn()
        finally:
            sys.settrace(None)
        return self.arcs


def executable_lines():
    lines = set()
    todo = [compile(open(PMI_FILE).read(), PMI_FILE, "exec")]
    while todo:
        code = todo.pop()
        lines.update(line for _, _, line in code.co_lines() if line)
        todo += [c for c in code.co_consts if hasattr(c, "co_lines")]
    return lines


# --- mutation ----------------------------------------------------------------------
COMMANDS = [
    "cmd=initack pmiid={r}", "cmd=init pmi_version=1 pmi_subversion=1", "cmd=init pmi_version=2",
    "cmd=get_maxes", "cmd=get_appnum", "cmd=get_my_kvsname", "cmd=get_universe_size",
    "cmd=put kvsname=KVS key={k} value={v}", "cmd=get kvsname=KVS key={k}",
    "cmd=get kvsname=KVS key=PMI_process_mapping", "cmd=barrier_in", "cmd=finalize",
    "cmd=abort exitcode={n}", "cmd=abort", "cmd=initack", "cmd=put kvsname=other key=a value=b",
]
VALUES = ["", "0", "1", "-1", "7", "255", "256", "-0", "+1", "1e3", "0x10", " ", "=", "==",
          "cmd=", "KVS", "PMI_process_mapping", "a" * 65, "v" * 1025, "9" * 20, "9" * 5000,
          "\u00e9", "\x00", "\r", "\t", "--5", "-" * 3 + "1"]


def rand_value(rng):
    return rng.choice(VALUES) if rng.random() < 0.7 else str(rng.randint(-2**70, 2**70))


def rand_line(rng, size):
    cmd = rng.choice(COMMANDS)
    return cmd.format(r=rng.choice([rng.randrange(size), rand_value(rng)]), k=rand_value(rng),
                      v=rand_value(rng), n=rand_value(rng)).encode("utf-8", "replace")


def mutate_bytes(rng, b):
    b = bytearray(b)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(b))
        if op == 0 and b:
            del b[min(pos, len(b) - 1)]
        elif op == 1:
            b[pos:pos] = bytes([rng.randrange(256)])
        elif op == 2 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op == 3:
            b[pos:pos] = rng.choice([b" ", b"=", b"\r", b"\n", b"cmd=", b"\x80", b"\x00"])
        elif op == 4:
            words = bytes(b).split(b" ")
            i = rng.randrange(len(words))
            key = words[i].partition(b"=")[0]
            words[i] = key + b"=" + rand_value(rng).encode("utf-8", "replace")
            b = bytearray(b" ".join(words))
        elif op == 5 and b:
            n = rng.randint(1, len(b))
            b[pos:pos] = b[:n] * rng.randint(1, 4)
        elif op == 6:
            b = bytearray(b[:pos])
    return bytes(b[:MAX_PAYLOAD])


def rand_client(rng, size):
    return rng.choice([str(rng.randrange(4)), f"u{rng.randrange(size)}", f"a{rng.randrange(size)}"])


def mutate(rng, size, steps, corpus):
    steps = list(steps)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(9)
        i = rng.randrange(len(steps)) if steps else 0
        if op == 0 or not steps:
            steps.insert(i, (rand_client(rng, size), "line", rand_line(rng, size)))
        elif op == 1:
            c, k, p = steps[i]
            steps[i] = (c, k, mutate_bytes(rng, p))
        elif op == 2:
            del steps[i]
        elif op == 3:
            steps.insert(i, steps[rng.randrange(len(steps))])
        elif op == 4:
            c, k, p = steps[i]
            steps[i] = (rand_client(rng, size), k, p)
        elif op == 5:
            c, k, p = steps[i]
            steps[i] = (c, rng.choice(["line", "line", "part", "last", "close", "deaf"]), p)
        elif op == 6:
            j = rng.randrange(len(steps))
            steps[i], steps[j] = steps[j], steps[i]
        elif op == 7:
            size = rng.randint(1, 4)
        elif op == 8 and corpus:
            other = rng.choice(corpus)[1]
            cut = rng.randint(0, len(other))
            steps = steps[:i] + list(other[cut:])
    return size, steps[:MAX_STEPS]


# --- driver ----------------------------------------------------------------------------
def known_finding(f):
    return any(f"in {fn} " in f.signature and kind in f.signature for fn, kind in KNOWN)


def try_session(size, steps):
    try:
        execute(size, steps)
        return None
    except Finding as f:
        return f


def reduce(size, steps, signature):
    """Drops steps, then bytes at the ends of payloads, while the finding stays."""
    def same(s):
        f = try_session(size, s)
        return f is not None and f.signature == signature
    i = 0
    while i < len(steps):
        if same(steps[:i] + steps[i + 1:]):
            steps = steps[:i] + steps[i + 1:]
        else:
            i += 1
    for i in range(len(steps)):
        c, k, p = steps[i]
        for cut in (len(p) // 2, len(p) // 4, 16, 1):
            while cut and len(p) > cut and same(steps[:i] + [(c, k, p[:-cut])] + steps[i + 1:]):
                p = p[:-cut]
        steps[i] = (c, k, p)
    return steps


def load(paths):
    inputs = []
    for path in paths:
        names = sorted(os.listdir(path)) if os.path.isdir(path) else [path]
        for name in names:
            full = os.path.join(path, name) if os.path.isdir(path) else name
            if os.path.isfile(full) and not name.endswith(".md"):
                with open(full, "rb") as f:
                    inputs.append((full, f.read()))
    return inputs


def replay(paths, known):
    count = 0
    for name, data in load(paths):
        print(f"input {name}", file=sys.stderr)
        f = try_session(*parse_session(data))
        count += 1
        if f and (known or not known_finding(f)):
            print(f"{name}: {f.signature}\n{f.detail}")
            return 1
    print(f"{count} inputs")
    return 0


def fuzz(paths, seconds, work, seed, known):
    rng = random.Random(seed)
    cov = Coverage()
    total_lines = len(executable_lines())
    os.makedirs(os.path.join(work, "corpus"), exist_ok=True)
    seen_arcs, corpus, findings, known_hits = set(), [], {}, 0
    execs, start = 0, time.monotonic()

    def run(size, steps):
        nonlocal execs, known_hits
        finding = None

        def go():
            nonlocal finding
            finding = try_session(size, steps)
        arcs = cov.run(go)
        execs += 1
        if finding and not known and known_finding(finding):
            known_hits += 1
        elif finding and finding.signature not in findings:
            small = reduce(size, steps, finding.signature)
            data = format_session(size, small)
            path = os.path.join(work, "crash-" + hashlib.sha1(data).hexdigest())
            with open(path, "wb") as f:
                f.write(data)
            findings[finding.signature] = path
            print(f"pmi: crash: {finding.signature} -> {path}", flush=True)
        return arcs - seen_arcs

    for _, data in load(paths + [os.path.join(work, "corpus")]):
        size, steps = parse_session(data)
        new = run(size, steps)
        seen_arcs |= new
        corpus.append((size, steps))
    deadline = start + seconds
    last_report = start
    while time.monotonic() < deadline:
        size, steps = rng.choice(corpus) if corpus else (2, [])
        size, steps = mutate(rng, size, steps, [c for c in corpus])
        new = run(size, steps)
        if new:
            seen_arcs |= new
            corpus.append((size, steps))
            data = format_session(size, steps)
            with open(os.path.join(work, "corpus", hashlib.sha1(data).hexdigest()), "wb") as f:
                f.write(data)
        now = time.monotonic()
        if now - last_report >= 10:
            last_report = now
            lines = len({line for _, line in seen_arcs})
            print(f"#{execs} cov: {lines} ft: {len(seen_arcs)} corp: {len(corpus)} "
                  f"exec/s: {execs / (now - start):.0f}", flush=True)
    took = time.monotonic() - start
    lines = len({line for _, line in seen_arcs})
    print(f"pmi: {execs} executions ({execs / took:.0f}/s), cov {lines} of {total_lines} lines "
          f"ft {len(seen_arcs)} arcs, corpus {len(corpus)}, "
          f"{len(findings)} crashes, {known_hits} runs hit known bugs", flush=True)
    return 1 if findings else 0


def main(argv):
    p = argparse.ArgumentParser(prog="fuzz_pmi.py", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", help="corpus directories or files")
    p.add_argument("--replay", action="store_true", help="run each input once, no mutation")
    p.add_argument("--known", action="store_true", help="known bugs count as crashes")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", default="build/fuzz/pmi")
    args = p.parse_args(argv)
    if args.replay:
        return replay(args.paths, args.known)
    return fuzz(args.paths, args.seconds, args.work, args.seed, args.known)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
