#!/usr/bin/env python3
"""pmi_server.py - a minimal PMI-1 server (MPICH's "simple" wire protocol
over TCP) for MPI tests: serves N ranks of one job, nothing else.

    tests/mpi/pmi_server.py --size N [--host 127.0.0.1] [--port 0] [--timeout S]

Prints "PMI_PORT=HOST:PORT" on stdout once listening (flushed), then serves
until every rank has sent finalize (exit 0), a rank aborts (exit with its
code, or 1), or the timeout passes (exit 124). A guest reaches it through
QEMU user networking as 10.0.2.2:PORT with env=PMI_PORT=10.0.2.2:PORT
env=PMI_ID=<rank> on its kernel command line. This is the test suite's own
server; the launcher in cluster/ has its own.

Protocol (one line per command, key=value words): the client opens with
"cmd=initack pmiid=N"; we answer initack and "set" size, rank, debug. Then
init, get_maxes, get_appnum, get_my_kvsname, get_universe_size, put, get,
barrier_in (answered to all with barrier_out once every rank has entered),
abort, finalize.
"""

import argparse
import selectors
import socket
import sys
import time

KVSNAME = "kvs_hermit_0"


def parse(line):
    out = {}
    for word in line.split():
        if "=" in word:
            k, v = word.split("=", 1)
            out[k] = v
    return out


class Server:
    def __init__(self, size, verbose):
        self.size = size
        self.verbose = verbose
        # One node per rank: every rank is its own VM.
        self.kvs = {"PMI_process_mapping": f"(vector,(0,{size},1))"}
        self.clients = {}       # socket -> {"buf": bytes, "rank": int}
        self.barrier = set()
        self.finalized = set()
        self.status = None

    def log(self, msg):
        if self.verbose:
            print(f"pmi: {msg}", file=sys.stderr, flush=True)

    def send(self, sock, text):
        self.log(f"-> {self.clients[sock]['rank']}: {text.strip()}")
        sock.sendall(text.encode())

    def handle(self, sock, line):
        c = self.clients[sock]
        self.log(f"<- {c['rank']}: {line}")
        a = parse(line)
        cmd = a.get("cmd", "")
        if cmd == "initack":
            c["rank"] = int(a.get("pmiid", "0"))
            self.send(sock, f"cmd=initack\ncmd=set size={self.size}\n"
                            f"cmd=set rank={c['rank']}\ncmd=set debug=0\n")
        elif cmd == "init":
            self.send(sock, "cmd=response_to_init pmi_version=1 pmi_subversion=1 rc=0\n")
        elif cmd == "get_maxes":
            self.send(sock, "cmd=maxes kvsname_max=256 keylen_max=256 vallen_max=1024\n")
        elif cmd == "get_appnum":
            self.send(sock, "cmd=appnum appnum=0\n")
        elif cmd == "get_my_kvsname":
            self.send(sock, f"cmd=my_kvsname kvsname={KVSNAME}\n")
        elif cmd == "get_universe_size":
            self.send(sock, f"cmd=universe_size size={self.size}\n")
        elif cmd == "put":
            self.kvs[a.get("key", "")] = a.get("value", "")
            self.send(sock, "cmd=put_result rc=0 msg=success\n")
        elif cmd == "get":
            key = a.get("key", "")
            if key in self.kvs:
                self.send(sock, f"cmd=get_result rc=0 msg=success value={self.kvs[key]}\n")
            else:
                self.send(sock, "cmd=get_result rc=-1 msg=key_not_found value=unknown\n")
        elif cmd == "barrier_in":
            self.barrier.add(sock)
            if len(self.barrier) == self.size:
                for s in self.barrier:
                    self.send(s, "cmd=barrier_out\n")
                self.barrier = set()
        elif cmd == "finalize":
            self.finalized.add(c["rank"])
            self.send(sock, "cmd=finalize_ack\n")
            if len(self.finalized) == self.size:
                self.status = 0
        elif cmd == "abort":
            code = int(a.get("exitcode", "1") or 1)
            print(f"pmi: rank {c['rank']} aborted with code {code}", file=sys.stderr, flush=True)
            self.status = code or 1
        else:
            print(f"pmi: unknown command from rank {c['rank']}: {line}", file=sys.stderr,
                  flush=True)


def main():
    ap = argparse.ArgumentParser(description="minimal PMI-1 server for MPI tests")
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("-v", "--verbose", action="store_true")
    opt = ap.parse_args()
    if opt.size < 1:
        ap.error("--size must be at least 1")

    srv = Server(opt.size, opt.verbose)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((opt.host, opt.port))
    lsock.listen(opt.size + 4)
    print(f"PMI_PORT={opt.host}:{lsock.getsockname()[1]}", flush=True)

    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    deadline = time.monotonic() + opt.timeout
    while srv.status is None:
        left = deadline - time.monotonic()
        if left <= 0:
            print(f"pmi: timeout after {opt.timeout:.0f} s "
                  f"({len(srv.finalized)}/{opt.size} ranks finalized)", file=sys.stderr)
            return 124
        for key, _ in sel.select(timeout=min(left, 1.0)):
            if key.fileobj is lsock:
                s, _ = lsock.accept()
                srv.clients[s] = {"buf": b"", "rank": "?"}
                sel.register(s, selectors.EVENT_READ)
                continue
            s = key.fileobj
            data = s.recv(4096)
            if not data:
                sel.unregister(s)
                c = srv.clients.pop(s)
                if c["rank"] not in srv.finalized and srv.status is None:
                    print(f"pmi: rank {c['rank']} closed its PMI connection before finalize",
                          file=sys.stderr, flush=True)
                    srv.status = 1
                s.close()
                continue
            c = srv.clients[s]
            c["buf"] += data
            while b"\n" in c["buf"]:
                line, c["buf"] = c["buf"].split(b"\n", 1)
                srv.handle(s, line.decode(errors="replace").strip())
    return srv.status


if __name__ == "__main__":
    sys.exit(main())
