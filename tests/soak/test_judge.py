#!/usr/bin/env python3
"""test_judge.py - host test of the soak judge (tests/soak/judge.py).

    python3 tests/soak/test_judge.py

Feeds made-up soak logs (no VM) to the judge: flat counters with noise
pass, a cache that fills once passes, steady growth below the tolerance
fails, a jump above it fails, too few samples is an ERROR (exit 2), and
a hang, a failed check or a dead rank fail whatever the counters say.
Prints one "PASS name" / "FAIL name: reason" line per case
(tests/suites/soak.sh reads them) and exits non-zero if any failed.
"""

import io
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import judge  # noqa: E402

failures = 0
BASE = {"kheap": 40960, "kheap-pages": 13, "pmem-free": 237420544, "stacks": 5, "stacks-cached": 0,
        "malloc": 5795904, "arena": 6123520, "free-chunks": 25, "sbrk": 6123520,
        "sbrk-mapped": 17674240, "mmap": 0, "mmap-regions": 0, "fds": 8,
        "pool.TCP_PCB": "4/256", "pool.TCP_SEG": "0/8192", "pool.PBUF_POOL": "0/4096",
        "pool.SYS_TIMEOUT": "6/14"}


def check(name, ok, why=""):
    global failures
    if ok:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}")


def line(rank, label, i, fields):
    words = " ".join(f"{k}={v}" for k, v in fields.items())
    return f"[{rank}] soak-sample: label={label} rank={rank} t={10.0 * i:.1f} iter={12 * i} settle=4 {words}"


def log(points=8, ranks=4, change=None, done=True, extra=()):
    """A soak log: a start sample, then `points` samples baseline..final per rank.

    change(rank, i, fields) may alter sample i (0 = baseline) of a rank in place."""
    out = [f"[0] soak: {ranks} ranks, 60 s, sample every 10 s"]
    out += [line(r, "start", 0, dict(BASE, malloc=5007408)) for r in range(ranks)]
    for i in range(points):
        label = "baseline" if i == 0 else "final" if i == points - 1 else "sample"
        for r in range(ranks):
            fields = dict(BASE)
            if change:
                change(r, i, fields)
            out.append(line(r, label, i + 1, fields))
    out += list(extra)
    if done:
        out += ["[0] soak-kind: pingpong rounds=40 bytes=1000",
                f"[0] soak-done: ranks={ranks} seconds=80.0 iterations=96 checks=5000 failed=0"]
    return out


def verdict(name, lines, want_code, status=0, must=(), **kw):
    code, report = judge.evaluate(lines, status, **kw)
    text = "\n".join(report)
    missing = [m for m in must if m not in text]
    check(name, code == want_code and not missing,
          f"exit {code} (want {want_code}){'; report lacks ' + repr(missing) if missing else ''}\n"
          + "\n".join("    | " + r for r in report[-6:]))


def noisy(r, i, f):
    f["malloc"] += [0, 96, -96, 0, 192, -96, 96, 0][i % 8]


def cache_fill(r, i, f):
    f["malloc"] += 65536 if i >= 3 else 0                # MPICH grows a handle block once
    f["sbrk-mapped"] += 86016 if i >= 2 else 0           # the heap's top settles higher once
    f["pmem-free"] -= 86016 if i >= 2 else 0


def slow_leak(r, i, f):
    if r == 2:
        f["malloc"] += 16384 * i                         # 112 KiB in all: under the tolerance
        f["sbrk-mapped"] += 16384 * i
        f["pmem-free"] -= 16384 * i


def creep(r, i, f):
    f["malloc"] += 96 * i                                # steady, but within malloc's noise


def fd_jump(r, i, f):
    f["fds"] += 3 if r == 1 and i == 7 else 0


def pcb_leak(r, i, f):
    f["pool.TCP_PCB"] = f"{4 + (i if r == 0 else 0)}/256"


def lost_memory(r, i, f):
    f["pmem-free"] -= (1 << 20) if r == 3 and i >= 5 else 0   # pages gone, but not to the heap


def main():
    verdict("flat-with-noise-passes", log(change=noisy), 0, must=["verdict      PASS"])
    verdict("cache-filling-once-passes", log(change=cache_fill), 0, must=["PASS"])
    verdict("creep-below-noise-passes", log(change=creep), 0, must=["PASS"])
    verdict("steady-growth-under-tolerance-fails", log(change=slow_leak), 1,
            must=["rank 2: malloc grew +114,688 steadily: up at 7 of 7", "verdict      FAIL"])
    verdict("jump-over-tolerance-fails", log(change=fd_jump), 1,
            must=["rank 1: fds grew +3 from baseline to final (tolerance 1)"])
    verdict("pool-growth-fails", log(change=pcb_leak), 1, must=["rank 0: pool.TCP_PCB grew +7"])
    verdict("memory-outside-heap-fails", log(change=lost_memory), 1,
            must=["rank 3: outside-heap grew +1,048,576"])
    verdict("too-few-samples-is-an-error", log(points=3), 2,
            must=["ERROR", "rank 0: 3 samples from baseline to final, at least 4 needed"])
    verdict("no-baseline-is-an-error", [x for x in log() if "label=baseline" not in x], 2, must=["ERROR"])
    verdict("missing-rank-is-an-error", [x for x in log() if not x.startswith("[3] soak-sample")], 2,
            must=["rank 3: 0 samples"])
    verdict("hang-fails", log(points=3, done=False), 1, status=124,
            must=["--timeout stopped it (status 124)", "no soak-done line"])
    verdict("failed-check-fails",
            log(points=3, done=False, extra=["[1] soak: rank 1: FAILED: bcast from rank 0, 17 bytes: "
                                             "byte 3 is 0x00, expected 0x5a"]), 1, status=3,
            must=["check failed: [1] soak: rank 1: FAILED: bcast", "exited with status 3"])
    verdict("dead-rank-fails-despite-flat-counters", log(), 1, status=114, must=["status 114"])
    verdict("expected-ranks-missing-fails", log(ranks=2), 2, ranks=4, must=["rank 2: 0 samples"])

    out = io.StringIO()
    judge.stream(log(points=4, ranks=1), out)
    lines = out.getvalue().splitlines()
    check("stream-one-short-line-per-sample",
          len([x for x in lines if x.startswith("soak: [0] ")]) == 5 and
          not any("soak-kind" in x for x in lines) and any("soak-done" in x for x in lines),
          repr(lines[:3]))

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "soak.log")
        with open(path, "w") as f:
            f.write("\n".join(log(change=slow_leak)) + "\n")
        r = subprocess.run([sys.executable, os.path.join(HERE, "judge.py"), "--status", "0", path],
                           capture_output=True, text=True, timeout=60)
        check("cli-exit-status-and-verdict", r.returncode == 1 and "verdict      FAIL" in r.stdout,
              f"exit {r.returncode}: {r.stdout[-300:]} {r.stderr[-300:]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
