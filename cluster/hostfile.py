#!/usr/bin/env python3
"""hostfile.py - the hosts of a multi-host job, read from a Hydra hostfile.

A hostfile names one host per line, as MPICH's Hydra reads it:

    # comment
    node1           one slot
    node2:4         four slots (four ranks before Hydra moves on)

Hydra itself tolerates more than we do: it merges a host named twice and
skips what it cannot parse. A cluster network needs each host exactly
once, so a duplicate, an empty name, a bad slot count or anything after
the slots is refused with the line number. Used by cluster/hermit-net
(through the command line below) and cluster/hermit-mpirun (import).

    hostfile.py FILE        prints "HOST SLOTS" per host, or one error line
                            on stderr and exits 2
"""

import re
import sys

HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
MAX_SLOTS = 4096


class HostfileError(Exception):
    pass


def parse(text, source="hostfile"):
    """[(host, slots)] in file order; raises HostfileError naming the line."""
    hosts, seen = [], {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{source}:{number}"
        if len(line.split()) != 1:
            raise HostfileError(f"{where}: one HOST or HOST:SLOTS per line, not '{line}'")
        name, has_slots, slots_text = line.partition(":")
        if not HOST_NAME.fullmatch(name):
            raise HostfileError(f"{where}: '{name}' is not a host name")
        if has_slots:
            if not re.fullmatch(r"[0-9]+", slots_text) or not 1 <= int(slots_text) <= MAX_SLOTS:
                raise HostfileError(f"{where}: slots must be 1..{MAX_SLOTS}, not '{slots_text}'")
            slots = int(slots_text)
        else:
            slots = 1
        if name in seen:
            raise HostfileError(f"{where}: host '{name}' is already on line {seen[name]} "
                                f"(give it once, with all its slots)")
        seen[name] = number
        hosts.append((name, slots))
    if not hosts:
        raise HostfileError(f"{source}: names no host")
    return hosts


def read(path):
    try:
        with open(path) as f:
            return parse(f.read(), path)
    except OSError as e:
        raise HostfileError(f"cannot read hostfile {path}: {e.strerror}")


def placement(hosts, n):
    """Rank -> host, as Hydra places ranks: fill each host's slots in file
    order, then wrap around (Hydra oversubscribes rather than refusing)."""
    order = [name for name, slots in hosts for _ in range(slots)]
    return [order[r % len(order)] for r in range(n)]


def main(argv):
    if len(argv) != 1:
        print("usage: hostfile.py FILE", file=sys.stderr)
        return 2
    try:
        for name, slots in read(argv[0]):
            print(name, slots)
    except HostfileError as e:
        print(e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
