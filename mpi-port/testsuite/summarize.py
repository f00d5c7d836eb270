#!/usr/bin/env python3
"""summarize.py - turns one run of MPICH's runtests into per-test results.

    summarize.py OUT EXPECTED-FAILURES

OUT holds what run.sh left: plan.tsv (the entries given to runtests, in
its order: "DIR<TAB>PROGRAM NP [KEY=VALUE...]"), summary.tap (runtests'
TAP output, which names a test only by program and NP) and mpiexec.log
(one "DIR/PROGRAM STATUS SECONDS" line per job, from ./mpiexec). The
three are walked in step, so every result gets its full list entry (the
same program often runs with several arguments) and its exit status.

Writes OUT/results.txt (PASS, FAIL, XFAIL, SKIP or NOTRUN per test),
OUT/failures.txt (each failure: status, reason, first lines of output)
and OUT/counts.txt (per directory), and prints the counts. A failure
whose entry is in EXPECTED-FAILURES ("DIR/PROGRAM NP [KEY=VALUE...] |
reason") is XFAIL. Exits 1 if any other test failed or did not run.
"""

import os
import re
import sys

OUTPUT_LINES = 8          # lines of a failed test's output kept in failures.txt
TAP_RESULT = re.compile(r"^(ok|not ok) \d* ?- \./(\S+)/(\S+) (\d+)(.*)$")


def read_plan(path):
    plan = []
    with open(path) as f:
        for line in f:
            d, entry = line.rstrip("\n").split("\t", 1)
            plan.append((d, " ".join(entry.split())))
    return plan


def read_tap(path):
    """[(verdict, dir, program, output lines)]; verdict ok, fail or skip."""
    results = []
    if not os.path.exists(path):
        return results
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = TAP_RESULT.match(line)
            if m:
                verdict = "ok" if m.group(1) == "ok" else "fail"
                if "# SKIP" in m.group(5):
                    verdict = "skip:" + m.group(5).split("# SKIP", 1)[1].strip()
                results.append([verdict, m.group(2), m.group(3), []])
            elif line.startswith("## ") and results:
                results[-1][3].append(line[3:])
    return results


def read_jobs(path):
    jobs = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                name, status, seconds = line.split()
                jobs.append((name, int(status), int(seconds)))
    return jobs


def read_expected(path):
    expected = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            test, _, reason = line.partition("|")
            expected[" ".join(test.split())] = reason.strip()
    return expected


def reason_of(status, output):
    """A one-line diagnosis from the exit status and the output."""
    text = [l for l in output if l.strip() and not l.startswith("Test output")]
    if status == 124:
        return "timed out (hermit-mpirun --timeout)"
    if any(l.startswith("Failed to build") for l in text):
        return "did not build"
    if status not in (None, 0):
        first = next((l for l in text if "No Errors" not in l), "")
        return f"exit status {status}" + (f": {first.strip()}" if first else "")
    if not any(re.match(r"^\s*No [Ee]rrors\s*$", l) for l in text):
        return "no ' No Errors' line" + (f": {text[0].strip()}" if text else " and no output")
    extra = next(l for l in text if not re.match(r"^\s*No [Ee]rrors\s*$", l))
    return f"unexpected output: {extra.strip()}"


def main(out, expected_path):
    plan = read_plan(os.path.join(out, "plan.tsv"))
    tap = read_tap(os.path.join(out, "summary.tap"))
    jobs = read_jobs(os.path.join(out, "mpiexec.log"))
    expected = read_expected(expected_path)
    counts = {}
    lines, failures, xpass, problems = [], [], [], 0
    ti = ji = 0
    for d, entry in plan:
        test = f"{d}/{entry}"
        program = entry.split()[0]
        c = counts.setdefault(d, {"PASS": 0, "FAIL": 0, "XFAIL": 0, "SKIP": 0, "NOTRUN": 0})
        if ti >= len(tap) or tap[ti][1] != d or tap[ti][2] != program:
            # runtests stopped early (too many timeouts, a stop file).
            c["NOTRUN"] += 1
            problems += 1
            lines.append(f"NOTRUN {test}")
            continue
        verdict, _, _, output = tap[ti]
        ti += 1
        if verdict.startswith("skip:"):
            c["SKIP"] += 1
            lines.append(f"SKIP   {test}  ({verdict[5:]})")
            continue
        status = seconds = None
        built = not any(l.startswith("Failed to build") for l in output)
        if built and ji < len(jobs) and jobs[ji][0] == f"{d}/{program}":
            _, status, seconds = jobs[ji]
            ji += 1
        when = f"{seconds} s, status {status}" if status is not None else "not run"
        if verdict == "ok":
            c["PASS"] += 1
            lines.append(f"PASS   {test}  ({when})")
            if test in expected:
                xpass.append(test)
            continue
        reason = reason_of(status, output)
        kind = "XFAIL" if test in expected else "FAIL"
        c[kind] += 1
        problems += kind == "FAIL"
        lines.append(f"{kind:6} {test}  ({when}): {reason}")
        note = f"  expected: {expected[test]}\n" if test in expected else ""
        shown = [l for l in output if not l.startswith("Test output")][:OUTPUT_LINES]
        failures.append(f"{kind} {test}\n  {when}; {reason}\n{note}" +
                        "".join(f"    | {l}\n" for l in shown))

    with open(os.path.join(out, "results.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "failures.txt"), "w") as f:
        f.write("\n".join(failures))
    table = [f"{'list':10} {'pass':>5} {'fail':>5} {'xfail':>6} {'skip':>5} {'notrun':>7} {'total':>6}"]
    total = {k: 0 for k in ("PASS", "FAIL", "XFAIL", "SKIP", "NOTRUN")}
    for d, c in counts.items():
        table.append(f"{d:10} {c['PASS']:5} {c['FAIL']:5} {c['XFAIL']:6} {c['SKIP']:5} "
                     f"{c['NOTRUN']:7} {sum(c.values()):6}")
        for k in total:
            total[k] += c[k]
    table.append(f"{'all':10} {total['PASS']:5} {total['FAIL']:5} {total['XFAIL']:6} "
                 f"{total['SKIP']:5} {total['NOTRUN']:7} {sum(total.values()):6}")
    for t in xpass:
        table.append(f"XPASS {t}: passes now; remove it from {os.path.basename(expected_path)}")
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("\n".join(table) + "\n")
    print("\n".join(table))
    for l in lines:
        if l.startswith(("FAIL", "NOTRUN")):
            print(l)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
