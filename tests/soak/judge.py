#!/usr/bin/env python3
"""judge.py - the verdict on a soak run (tests/soak/soak.c's output).

    judge.py --status RC [--seconds S] [--ranks N] LOG  summary + verdict:
                                                       exit 0 PASS, 1 FAIL, 2 ERROR
    judge.py --stream                                  stdin -> one short line per
                                                       sample (tests/soak/run.sh)

LOG is hermit-mpirun -l output ("[R] " before each line). The run FAILS
when the job did not exit 0 (124: hung, stopped by hermit-mpirun's
--timeout; a rank that died or called MPI_Abort), a rank printed FAILED
(a content check), or rank 0 never printed soak-done. It is an ERROR,
not a verdict, when a rank has fewer than MIN_POINTS samples from the
baseline (taken after the warm-up cycle) to the final one: too few to
tell a trend from noise.

Otherwise each rank's counters are judged over that series, baseline
first; the start sample (before the warm-up) is shown, not judged,
because the first cycle fills MPICH's and lwIP's caches. A counter FAILS

- when it ends more than its tolerance above the baseline (a jump), or
- when it grows steadily: never down from one sample to the next, up at
  more than half of them, and by more than its noise in all (a leak
  smaller than the tolerance still shows this way over a long run).

Tolerances (COUNTERS below; why each is what it is): small fixed sizes
for the kernel heap and newlib's malloc (what a cache refill can add:
MPICH allocates handles in blocks), none for threads, at most one more
descriptor, 1/32 of each lwIP pool (a segment queue not yet acked), the
number of ranks in MiB for sbrk-mapped (the heap's high-water mark:
malloc places a cycle's large buffers, up to alltoall's ranks x 1 MiB,
around whatever small objects live then) and 64 KiB of physical memory
outside the heap (page tables for that heap growth). pmem-free, arena
and free-chunks are shown, not judged: they follow the heap's high-water
mark and fragmentation.
"""

import argparse
import re
import sys

LINE = re.compile(r"^\[(\d+)\] (.*)$")
KIB, MIB = 1024, 1 << 20
MIN_POINTS = 4          # baseline, two samples, final: three steps, the fewest that show a trend
JUDGED_LABELS = ("baseline", "sample", "final")

# (counter, tolerance, noise): the growth allowed from baseline to final,
# and the growth below which a steady rise is not called a trend.
COUNTERS = [
    ("kheap", 64 * KIB, 4 * KIB),
    ("kheap-pages", 16, 1),
    ("stacks", 0, 0),
    ("malloc", 256 * KIB, 8 * KIB),
    ("mmap", 1 * MIB, 0),
    ("mmap-regions", 1, 0),
    ("fds", 1, 0),
]
OUTSIDE_HEAP = ("outside-heap", 64 * KIB, 4 * KIB)   # -(pmem-free + sbrk-mapped), from baseline
SHOWN = ["pmem-free", "arena", "free-chunks"]


def parse_fields(text):
    fields = {}
    for word in text.split()[1:]:
        key, _, value = word.partition("=")
        fields[key] = value
    return fields


def unprefixed(lines):
    """(line, its text without hermit-mpirun's "[R] ") for each line."""
    for raw in lines:
        raw = raw.rstrip("\n")
        m = LINE.match(raw)
        yield raw, m.group(2) if m else raw


def read_log(lines):
    """Samples per rank (in order), kinds, the done line, failure lines, other lines."""
    samples, kinds, done, failures, other = {}, [], None, [], []
    for raw, text in unprefixed(lines):
        if text.startswith("soak-sample:"):
            s = parse_fields(text)
            if "rank" in s and s["rank"].isdigit():
                samples.setdefault(int(s["rank"]), []).append(s)
        elif text.startswith("soak-kind:"):
            name, *rest = text.split()[1:] or ["?"]
            kinds.append((name, dict(w.split("=", 1) for w in rest if "=" in w)))
        elif text.startswith("soak-done:"):
            done = parse_fields(text)
        elif "FAILED" in text:
            failures.append(raw)
        elif text.strip():
            other.append(raw)
    return samples, kinds, done, failures, other


def trend(values, tolerance, noise):
    """None if values (baseline first) stay flat enough, else what is wrong."""
    growth = values[-1] - values[0]
    if growth > tolerance:
        return f"grew {growth:+,} from baseline to final (tolerance {tolerance:,})"
    steps = [b - a for a, b in zip(values, values[1:])]
    rises = sum(d > 0 for d in steps)
    if growth > noise and all(d >= 0 for d in steps) and 2 * rises > len(steps):
        return (f"grew {growth:+,} steadily: up at {rises} of {len(steps)} samples, never down "
                f"(within the tolerance {tolerance:,}, but a leak grows like this)")
    return None


def series(points, ranks):
    """(name, values, tolerance, noise) of every judged counter; values as ints, in order."""
    def col(key):
        return [int(p[key].split("/")[0]) for p in points]

    out = [(key, col(key), tol, noise) for key, tol, noise in COUNTERS]
    out.append(("sbrk-mapped", col("sbrk-mapped"), ranks * MIB, MIB))
    used = [-(f + m) for f, m in zip(col("pmem-free"), col("sbrk-mapped"))]
    out.append((OUTSIDE_HEAP[0], [u - used[0] for u in used], *OUTSIDE_HEAP[1:]))
    for key in (k for k in points[0] if k.startswith("pool.")):
        size = int(points[0][key].split("/")[1])
        out.append((key, col(key), max(2, size // 32), 0))
    return out


def judge_rank(rank, samples, ranks, report):
    """Appends rank's table to report; returns (problems, errors)."""
    points = [s for s in samples if s.get("label") in JUDGED_LABELS]
    start = next((s for s in samples if s.get("label") == "start"), None)
    if len(points) < MIN_POINTS or points[0]["label"] != "baseline":
        return [], [f"rank {rank}: {len(points)} samples from baseline to final, at least "
                    f"{MIN_POINTS} needed to tell a trend (run longer or with a shorter --interval)"]
    try:
        rows = series(points, ranks)
    except (KeyError, ValueError, IndexError) as e:
        return [], [f"rank {rank}: a malformed sample ({type(e).__name__}: {e})"]
    report.append(f"  rank {rank}: {len(points)} samples, t {points[0]['t']} .. {points[-1]['t']} s")
    report.append(f"    {'counter':20} {'start':>12} {'baseline':>12} {'final':>12} {'max':>12} "
                  f"{'growth':>10} {'tolerance':>10}")
    problems = []
    for name, values, tol, noise in rows:
        why = trend(values, tol, noise)
        if why:
            problems.append(f"rank {rank}: {name} {why}")
        if name.startswith("pool.") and not any(values) and not why:
            continue                    # an unused pool: judged, not shown
        first = start.get(name, "-").split("/")[0] if start else "-"
        report.append(f"    {name:20} {first:>12} {values[0]:>12} {values[-1]:>12} {max(values):>12} "
                      f"{values[-1] - values[0]:>+10,} {tol:>10,}{'  FAIL' if why else ''}")
    for key in SHOWN:
        report.append(f"    {key:20} {start.get(key, '-') if start else '-':>12} {points[0][key]:>12} "
                      f"{points[-1][key]:>12}   (shown, not judged)")
    unsettled = [p["label"] for p in points if p.get("settle") == "0"]
    if unsettled:
        report.append(f"    note: {len(unsettled)} samples read while counters still moved")
    return problems, []


def run_problems(status, done, failures):
    """Why the run itself failed, before any counter is read."""
    out = []
    if status == 124:
        out.append("the job hung or overran: hermit-mpirun's --timeout stopped it (status 124)")
    elif status != 0:
        out.append(f"the job exited with status {status} (a rank died, aborted or failed a check)")
    out += [f"check failed: {f}" for f in failures]
    if not done:
        out.append("no soak-done line: the run did not finish")
    elif done.get("failed") != "0":
        out.append(f"soak-done reports failed={done.get('failed')}")
    return out


def summary(done, kinds, status, seconds, other, report):
    report.append("soak summary")
    if done:
        report.append(f"  duration     {done.get('seconds')} s (asked {seconds or '?'} s), "
                      f"{done.get('ranks')} ranks, exit status {status}")
        report.append(f"  iterations   {done.get('iterations')} (the first 12: warm-up), "
                      f"checks {done.get('checks')}, failed {done.get('failed')}")
    else:
        report.append(f"  exit status {status}; last lines:")
        report += [f"    | {line}" for line in other[-10:]]
    if kinds:
        total = sum(int(k.get("bytes", 0)) for _, k in kinds)
        report.append(f"  {'kind':12} {'rounds':>8} {'bytes sent (all ranks)':>24}")
        report += [f"  {n:12} {k.get('rounds', '?'):>8} {int(k.get('bytes', 0)):>24,}" for n, k in kinds]
        report.append(f"  {'total':12} {'':>8} {total:>24,}")


def evaluate(lines, status, ranks=None, seconds=None):
    """(exit code, report lines): 0 PASS, 1 FAIL, 2 ERROR."""
    samples, kinds, done, failures, other = read_log(lines)
    report = []
    summary(done, kinds, status, seconds, other, report)
    failed = run_problems(status, done, failures)
    nranks = ranks or (int(done["ranks"]) if done and done.get("ranks", "").isdigit() else len(samples))
    problems, errors = [], [] if nranks else ["no rank printed a sample"]
    for rank in range(nranks):
        p, e = judge_rank(rank, samples.get(rank, []), nranks, report)
        problems += p
        errors += e
    if failed:
        verdict, code, reasons = "FAIL", 1, failed + problems
    elif errors:
        verdict, code, reasons = "ERROR: no verdict", 2, errors
    elif problems:
        verdict, code, reasons = "FAIL", 1, problems
    else:
        n = min(sum(s.get("label") in JUDGED_LABELS for s in samples[r]) for r in range(nranks))
        verdict, code, reasons = (f"PASS: no failed check; on all {nranks} ranks ({n} samples each) "
                                  "the heaps, descriptors, threads and lwIP pools stay flat after "
                                  "the warm-up"), 0, []
    report.append(f"  verdict      {verdict}")
    report += [f"    - {r}" for r in reasons]
    return code, report


def stream(lines, out):
    """Progress for a human: each sample as one short line, everything else as it comes."""
    for raw, text in unprefixed(lines):
        if text.startswith("soak-sample:"):
            s = parse_fields(text)
            pools = " ".join(f"{k[5:]}={v.split('/')[0]}" for k, v in s.items()
                             if k.startswith("pool.") and not v.startswith("0/"))
            print(f"soak: [{s.get('rank')}] {s.get('label'):8} t={s.get('t')} iter={s.get('iter')} "
                  f"kheap={s.get('kheap')} malloc={s.get('malloc')} sbrk-mapped={s.get('sbrk-mapped')} "
                  f"fds={s.get('fds')} pools: {pools}", file=out, flush=True)
        elif not text.startswith("soak-kind:"):       # the summary shows them as a table
            print(raw, file=out, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stream", action="store_true")
    p.add_argument("--status", type=int, default=0, help="hermit-mpirun's exit status")
    p.add_argument("--seconds", type=float, help="the duration asked for (shown)")
    p.add_argument("--ranks", type=int, help="ranks expected (default: soak-done's count)")
    p.add_argument("log", nargs="?")
    args = p.parse_args()
    if args.stream:
        stream(sys.stdin, sys.stdout)
        return 0
    if not args.log:
        p.error("LOG is required")
    with open(args.log, errors="replace") as f:
        code, report = evaluate(f, args.status, args.ranks, args.seconds)
    print("\n".join(report))
    return code


if __name__ == "__main__":
    sys.exit(main())
