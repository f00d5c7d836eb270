#!/usr/bin/env python3
"""osu_table.py - reads the output of OSU Micro-Benchmarks (ours or the
real ones, 7.x layout) into rows, and checks it for the test suite.

    bench/osu/osu_table.py [--sizes MIN:MAX] [--columns N] [--expect TITLE] LOG

checks that LOG holds an OSU header ("# OSU MPI ... Test v7.x"), one row per
expected message size (MIN, then doubling up to MAX; none for barrier),
each with N numbers after the size (default 1), all positive and finite.
osu_init and osu_hello are checked for their one result line instead.
Prints "ok: ..." and exits 0, or one reason and exits 1.

As a module: parse(text) -> Table(title, columns, rows) where each row is
(size, value, ...) with size None for size-less tables (barrier), and
parse_startup(text) for osu_init / osu_hello.
"""

import math
import re
import sys

HEADER = re.compile(r"^# (OSU MPI.* Test) v(7\.\d+(?:\.\d+)?)\s*$")
INIT = re.compile(r"^nprocs: (\d+), min: (\d+) ms, max: (\d+) ms, avg: (\d+) ms$")
HELLO = re.compile(r"^This is a test with (\d+) processes$")


class Table:
    def __init__(self, title, version):
        self.title = title
        self.version = version
        self.columns = []      # the column line's names, e.g. ["Size", "Avg Latency(us)", ...]
        self.rows = []


def _columns(line):
    # "# Size       Avg Latency(us)   Min Latency(us)" -> names split on runs of 2+ spaces
    return [c for c in re.split(r"\s{2,}", line.lstrip("#").strip()) if c]


def parse(text):
    """The first OSU table in text, or None if there is no OSU header."""
    table = None
    for line in text.splitlines():
        line = line.rstrip()
        m = HEADER.match(line)
        if m and table is None:
            table = Table(m.group(1), m.group(2))
            continue
        if table is None or not line:
            continue
        if line.startswith("#"):
            if "Latency" in line or "Bandwidth" in line or "MB/s" in line:
                table.columns = _columns(line)
            continue
        fields = line.split()
        try:
            values = [float(f) for f in fields]
        except ValueError:
            continue        # a launcher's or MPI's own line
        if table.columns and table.columns[0].startswith("Size"):
            if not re.fullmatch(r"\d+", fields[0]):
                continue
            table.rows.append((int(fields[0]),) + tuple(values[1:]))
        else:
            table.rows.append((None,) + tuple(values))
    return table


def parse_startup(text):
    """(title, numbers) for osu_init (nprocs, min, max, avg) or osu_hello (nprocs)."""
    title = None
    for line in text.splitlines():
        line = line.strip()
        m = HEADER.match(line)
        if m:
            title = m.group(1)
        m = INIT.match(line) or HELLO.match(line)
        if m and title:
            return title, [int(g) for g in m.groups()]
    return title, None


def expected_sizes(spec):
    lo, hi = (int(x) for x in spec.split(":"))
    sizes, s = [], lo
    while s <= hi:
        sizes.append(s)
        s = s * 2 if s else 1
    return sizes


def check(text, sizes, columns, expect):
    """None if text is a sane OSU table, else the reason."""
    if expect and expect in ("OSU MPI Init Test", "OSU MPI Hello World Test"):
        title, nums = parse_startup(text)
        if title != expect:
            return f"no '# {expect} v7.x' header"
        if not nums or nums[0] < 1 or any(n < 0 for n in nums):
            return "no sane result line"
        return None
    table = parse(text)
    if table is None:
        return "no '# OSU MPI ... Test v7.x' header"
    if expect and table.title != expect:
        return f"title is '{table.title}', expected '{expect}'"
    if not table.columns:
        return "no column header line"
    got = [r[0] for r in table.rows]
    want = sizes if sizes is not None else [None]
    if got != want:
        return f"rows for sizes {got}, expected {want}"
    for row in table.rows:
        values = row[1:]
        if len(values) != columns:
            return f"row {row} has {len(values)} values, expected {columns}"
        if not all(math.isfinite(v) and v > 0 for v in values):
            return f"row {row} has a value that is not positive and finite"
    return None


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="check an OSU benchmark's output")
    ap.add_argument("--sizes", help="MIN:MAX of the expected rows (omit for barrier)")
    ap.add_argument("--columns", type=int, default=1, help="numbers per row after the size")
    ap.add_argument("--expect", help="the benchmark title, e.g. 'OSU MPI Latency Test'")
    ap.add_argument("log")
    args = ap.parse_args(argv)
    try:
        with open(args.log, errors="replace") as f:
            text = f.read()
    except OSError as e:
        print(f"osu_table: {e}", file=sys.stderr)
        return 1
    sizes = expected_sizes(args.sizes) if args.sizes else None
    why = check(text, sizes, args.columns, args.expect)
    if why:
        print(f"osu_table: {args.log}: {why}")
        return 1
    print(f"ok: {args.log}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
