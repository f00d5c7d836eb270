"""report.py - the results layout every benchmark script shares.

Each benchmark keeps raw samples as rows of
    system, metric, param, rep, value, unit
(system "hermit" or "linux"; param a size or setting, "" if none; rep the
1-based repetition), writes them to OUTDIR/<name>.csv, and prints a
markdown table of medians with min-max per system and the ratio
HermitCore-C / Linux guest, written to OUTDIR/<name>.md as well.
bench/summary.py later gathers every <name>.md and the plots into
OUTDIR/README.md.

Runs are interleaved (hermit, linux, hermit, linux, ...): interleave()
yields that order, Progress prints "[3/10] net: run 2/3 linux" lines to
stderr so a long `make bench` shows where it is.
"""

import csv
import datetime
import os
import re
import statistics
import sys

FIELDS = ["system", "metric", "param", "rep", "value", "unit"]
SYSTEMS = ("hermit", "linux")
LABELS = {"hermit": "HermitCore-C", "linux": "Linux guest"}
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


class Progress:
    """Numbered progress lines on stderr: Progress("noise", 8).step("smp 1 hermit")."""

    def __init__(self, name, total):
        self.name, self.total, self.done = name, total, 0

    def step(self, what):
        self.done += 1
        print(f"[{self.done}/{self.total}] {self.name}: {what}", file=sys.stderr, flush=True)


def say(name, msg):
    print(f"{name}: {msg}", file=sys.stderr, flush=True)


def interleave(repeat, systems=SYSTEMS):
    """(rep, system) pairs in the order A B A B ..., rep counting from 1."""
    for rep in range(1, repeat + 1):
        for system in systems:
            yield rep, system


def outdir(arg):
    """The output folder: the one given, or bench/results/<timestamp>/."""
    path = arg or os.path.join(ROOT, "bench", "results",
                               datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(path, exist_ok=True)
    return path


def sample(system, metric, value, rep, param="", unit=""):
    return dict(system=system, metric=metric, param=str(param), rep=rep, value=value, unit=unit)


def write_samples(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def read_samples(path):
    """Rows of a samples CSV, value as float; missing columns read as ""."""
    with open(path, newline="") as f:
        rows = []
        for r in csv.DictReader(f):
            r = {k: (r.get(k) or "") for k in FIELDS}
            r["value"] = float(r["value"])
            rows.append(r)
    return rows


def summary(values):
    """(median, min, max) of a non-empty list."""
    values = list(values)
    return statistics.median(values), min(values), max(values)


def values(rows, system, metric, param=""):
    return [r["value"] for r in rows
            if r["system"] == system and r["metric"] == metric and str(r["param"]) == str(param)]


def fmt(x):
    """Counts as integers; otherwise three significant digits or more, no exponent
    for the usual ranges."""
    if x == int(x) and abs(x) < 1e9:
        return str(int(x))
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}" if abs(x) >= 0.001 else f"{x:.3g}"


def cell(vals, scale=1.0):
    if not vals:
        return "n/a"
    med, lo, hi = summary(v * scale for v in vals)
    return f"{fmt(med)} [{fmt(lo)}–{fmt(hi)}]"


def ratio(rows, metric, param=""):
    """median(hermit) / median(linux), or None when either side is missing or 0."""
    h, l = values(rows, "hermit", metric, param), values(rows, "linux", metric, param)
    if not h or not l or statistics.median(l) == 0:
        return None
    return statistics.median(h) / statistics.median(l)


def table(rows, specs, goals=False):
    """Markdown table, one line per spec.

    A spec is a dict: metric, label, and optionally param (default ""),
    scale (multiplies every value, e.g. 0.5 for round trip -> one-way) and
    goal (text like "≤ 0.5") with ok (ratio -> bool). Cells are
    "median [min–max]" over the repetitions.
    """
    head = ["measure", f"{LABELS['hermit']} median [min–max]",
            f"{LABELS['linux']} median [min–max]", "hermit/linux"]
    if goals:
        head.append("goal")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in specs:
        param, scale = s.get("param", ""), s.get("scale", 1.0)
        r = ratio(rows, s["metric"], param)
        cells = [s["label"], cell(values(rows, "hermit", s["metric"], param), scale),
                 cell(values(rows, "linux", s["metric"], param), scale),
                 "n/a" if r is None else f"{r:.3f}"]
        if goals:
            if "goal" not in s:
                cells.append("")
            elif r is None:
                cells.append(f"{s['goal']} n/a")
            else:
                cells.append(f"{s['goal']} {verdict(s, r)}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def verdict(spec, r):
    """'met', or 'missed by N %' measured against the goal's threshold."""
    if spec["ok"](r):
        return "met"
    m = re.search(r"[0-9.]+", spec["goal"])
    if not m or float(m.group()) == 0:
        return "missed"
    return f"missed by {abs(r / float(m.group()) - 1) * 100:.0f} %"


def limits(rows, specs):
    """Markdown lines naming what limits each missed goal whose spec has a
    'limit' text; empty when every goal was met."""
    out = []
    for s in specs:
        r = ratio(rows, s["metric"], s.get("param", ""))
        if "goal" in s and r is not None and not s["ok"](r) and s.get("limit"):
            out.append(f"- {s['label']}: {verdict(s, r)}. {s['limit']}")
    return "\n".join(["What limits the missed goals:", ""] + out) + "\n" if out else ""


def specs_for(rows, labels=None):
    """One spec per (metric, param) in first-seen order; label "metric param (unit)"."""
    seen = {}
    for r in rows:
        key = (r["metric"], str(r["param"]))
        if key not in seen:
            label = r["metric"] + (f" {r['param']}" if r["param"] != "" else "")
            if r["unit"]:
                label += f" ({r['unit']})"
            seen[key] = dict(metric=key[0], param=key[1],
                             label=(labels or {}).get(key, label))
    return list(seen.values())


def write_report(out, name, rows, text):
    """OUTDIR/<name>.csv (samples) and OUTDIR/<name>.md (text); prints text."""
    write_samples(os.path.join(out, f"{name}.csv"), rows)
    with open(os.path.join(out, f"{name}.md"), "w") as f:
        f.write(text)
    print(text, flush=True)
