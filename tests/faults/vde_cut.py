"""vde_cut.py - cuts one VM's cable on a vde_switch from the switch's side,
for the fault-injection tests (tests/suites/faults.sh):

    python3 tests/faults/vde_cut.py MGMT_SOCKET QEMU_PID

Asks the switch (through its management socket, `hermit-net info`'s
mgmt=) for its port table, finds the endpoint that QEMU_PID attached,
and closes it (`port/epclose PORT ID`): the switch forwards nothing to or
from that VM any more, while QEMU itself goes on running, as when a cable
is pulled. Prints "port P endpoint E" and exits 0, or says what failed
and exits 1.
"""

import re
import socket
import sys

PROMPT = b"vde$ "
PORT = re.compile(rb"^Port (\d+) ")
ENDPOINT = re.compile(rb"^\s*-- endpoint ID (\d+) .*\bpid=(\d+)\s*$")


def ask(sock, command):
    """Sends COMMAND (None: nothing, for the greeting) and returns the
    switch's answer up to its next prompt."""
    if command is not None:
        sock.sendall(command + b"\n")
    data = b""
    while PROMPT not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("the switch closed its management socket")
        data += chunk
    return data.partition(PROMPT)[0]


def endpoint_of(table, pid):
    """(port, endpoint ID) that PID attached, from `port/print`, or None."""
    port = None
    for line in table.splitlines():
        found = PORT.match(line)
        if found:
            port = int(found.group(1))
            continue
        found = ENDPOINT.match(line)
        if found and int(found.group(2)) == pid and port is not None:
            return port, int(found.group(1))
    return None


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: vde_cut.py MGMT_SOCKET QEMU_PID", file=sys.stderr)
        return 2
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(argv[0])
        ask(sock, None)                         # the greeting, up to the first prompt
        where = endpoint_of(ask(sock, b"port/print"), int(argv[1]))
        if where is None:
            print(f"vde_cut: no endpoint of pid {argv[1]} on the switch", file=sys.stderr)
            return 1
        answer = ask(sock, b"port/epclose %d %d" % where)
    if b"1000 Success" not in answer:
        print(f"vde_cut: epclose refused: {answer.decode(errors='replace').strip()}",
              file=sys.stderr)
        return 1
    print(f"port {where[0]} endpoint {where[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
