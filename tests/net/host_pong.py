#!/usr/bin/env python3
"""host_pong.py - the host side of the slirp test (tests/suites/net.sh):
listens on 127.0.0.1:PORT (loopback only), answers one connection's first
line "ping X" with "pong X", then exits. Gives up after TIMEOUT seconds."""
import socket
import sys

port, timeout = int(sys.argv[1]), float(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
srv.settimeout(timeout)
print("listening", flush=True)
conn, _ = srv.accept()
conn.settimeout(timeout)
line = b""
while not line.endswith(b"\n"):
    data = conn.recv(64)
    if not data:
        break
    line += data
conn.sendall(b"pong " + line.split(b" ", 1)[-1])
conn.close()
print("answered", line.decode().strip(), flush=True)
