#!/usr/bin/env python3
"""conn_flood.py - more TCP connections than the guest has sockets
(tests/suites/net_bad.sh): the host side, over QEMU's user network.

    conn_flood.py PORT [--max N] [--timeout S]

The guest runs tests/net/badnet.c ("serve"); QEMU forwards
127.0.0.1:PORT (TCP: echo, UDP: control) to it, loopback only. Steps:

 1. Opens connections one at a time, each proven by an echo, until N are
    open or 20 in a row fail. A failure must be clean: reset, end of
    stream, refusal, or no answer within --timeout (slirp accepts on the
    host side before the guest has, so a refusal by the guest arrives as
    a reset or an end of stream).
 2. Every connection that was served must still echo.
 3. All are closed; after a pause, 20 new connections must echo.
 4. Sends "quit" over UDP, which ends the guest (its answer through
    slirp's UDP forwarding does not always arrive: not a failure here;
    the suite checks the guest's exit instead).
Prints one line per step and exits 0 if the guest refused some
connections, served the others throughout, and recovered.
"""

import argparse
import errno
import socket
import sys
import time

HOST = "127.0.0.1"


def try_echo(s, msg, timeout):
    """'ok' or the name of what went wrong."""
    s.settimeout(timeout)
    try:
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            data = s.recv(len(msg) - len(got))
            if not data:
                return "eof"
            got += data
        return "ok" if got == msg else "garbled"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def open_one(port, i, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(timeout)
    try:
        s.connect((HOST, port))
    except OSError as e:
        s.close()
        return None, "connect-" + (errno.errorcode.get(e.errno, "timeout") if e.errno else "timeout")
    verdict = try_echo(s, b"conn %d\n" % i, timeout)
    if verdict != "ok":
        s.close()
        return None, verdict
    return s, "ok"


def fill(port, most, timeout):
    open_socks, failures, first_failure, in_a_row, i = [], {}, None, 0, 0
    while len(open_socks) < most and in_a_row < 20:
        s, verdict = open_one(port, i, timeout)
        if s:
            open_socks.append(s)
            in_a_row = 0
        else:
            failures[verdict] = failures.get(verdict, 0) + 1
            first_failure = i if first_failure is None else first_failure
            in_a_row += 1
        i += 1
    return open_socks, failures, first_failure


def quit_guest(port):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(2)
    for _ in range(5):
        u.sendto(b"quit", (HOST, port))
        try:
            if u.recv(16) == b"quit":
                return True
        except socket.timeout:
            pass
    return False


def main():
    p = argparse.ArgumentParser(description="More TCP connections than the guest has sockets.")
    p.add_argument("port", type=int)
    p.add_argument("--max", type=int, default=400, help="connections to try for (default 400)")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds per echo (default 3)")
    args = p.parse_args()

    t0 = time.monotonic()
    socks, failures, first = fill(args.port, args.max, args.timeout)
    refused = sum(failures.values())
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(failures.items())) or "none"
    print(f"flood: {len(socks)} connections served, {refused} not ({kinds}); first failure at "
          f"attempt {first}; {time.monotonic() - t0:.1f} s", flush=True)
    still = sum(try_echo(s, b"again\n", args.timeout) == "ok" for s in socks)
    print(f"flood: {still} of {len(socks)} served connections still echo", flush=True)
    for s in socks:
        s.close()
    time.sleep(2)
    fresh = []
    for i in range(20):
        s, verdict = open_one(args.port, 10000 + i, args.timeout)
        if s:
            fresh.append(s)
    print(f"flood: after closing them, {len(fresh)} of 20 new connections echo", flush=True)
    for s in fresh:
        s.close()
    quit_ok = quit_guest(args.port)
    print("flood: the guest acknowledged quit" if quit_ok else "flood: quit sent (no answer)",
          flush=True)
    unclean = {k: n for k, n in failures.items()
               if k not in ("eof", "ECONNRESET", "ECONNREFUSED", "EPIPE", "timeout",
                            "connect-ECONNREFUSED")}
    ok = refused > 0 and still == len(socks) and len(fresh) == 20 and not unclean
    print("flood: ok" if ok else f"flood: FAIL (unexpected failures: {unclean or 'none'})",
          flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
