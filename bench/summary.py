#!/usr/bin/env python3
"""summary.py - one README.md for a results folder: every table, every plot.

    bench/summary.py OUTDIR

Run by `make bench` after the benchmarks. Plots each CSV in OUTDIR that
bench/plot.py knows (the benchmarks' own files and any OSU-style CSV with
system, benchmark, size, value columns), then writes OUTDIR/README.md with
the run's setting, each benchmark's markdown table (OUTDIR/<name>.md; an
OSU-style CSV without one gets a table made from it) and links to the
PNGs. A benchmark that did not run is simply absent. Prints README.md's
path and the plots it wrote to stderr.
"""

import datetime
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import plot  # noqa: E402

# Known sections first, in this order; anything else after, by name.
ORDER = ["boot", "noise", "noise_traffic", "syscalls", "openmp", "net", "net-tcp"]


def qemu_version():
    try:
        out = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                             text=True, timeout=10).stdout
        return out.splitlines()[0] if out else "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "not found"


def demote(md):
    """A benchmark's "# Title" becomes "## Title" under the README's own."""
    return "\n".join("#" + line if line.startswith("#") else line for line in md.splitlines())


def sections(outdir, plotted):
    names = {os.path.splitext(f)[0] for f in os.listdir(outdir)
             if f.endswith((".md", ".csv")) and f != "README.md"}
    names = (names - {"noise_fwq"}) | set(plotted)     # noise_fwq: the histogram's data
    return [n for n in ORDER if n in names] + sorted(names - set(ORDER))


def build(outdir):
    """Plots and README.md for outdir: (README path, True if every plot worked)."""
    pngs, failures = {}, []
    for name in sorted(os.listdir(outdir)):
        if name.endswith(".csv"):
            try:
                made = plot.plot_file(os.path.join(outdir, name), outdir)
            except (plot.PlotError, ValueError, KeyError) as e:
                failures.append(f"{name}: {e}")
                continue
            for png in made:
                print(f"summary: plot {png}", file=sys.stderr)
            stem = os.path.splitext(name)[0]
            pngs.setdefault("noise" if stem == "noise_fwq" else stem, []).extend(made)

    when = datetime.datetime.fromtimestamp(os.path.getmtime(outdir))
    text = [f"# Benchmark results {os.path.basename(os.path.normpath(outdir))}", "",
            f"Run {when:%Y-%m-%d %H:%M}; host {platform.node()}, {os.cpu_count()} CPUs, "
            f"{qemu_version()}. HermitCore-C and the Linux guest run in the same QEMU "
            "configuration, interleaved, in this one session; ratios are HermitCore-C / "
            "Linux guest medians. Raw samples are in the CSV files beside this one.", ""]
    for name in sections(outdir, pngs):
        md = os.path.join(outdir, name + ".md")
        csv_path = os.path.join(outdir, name + ".csv")
        if os.path.exists(md):
            with open(md) as f:
                text.append(demote(f.read().strip()))
        elif os.path.exists(csv_path) and plot.is_osu(csv_path):
            text += [f"## {name}", "", plot.osu_table(csv_path).strip()]
        elif name in pngs:
            text.append(f"## {name}")
        else:
            continue
        text.append("")
        for png in pngs.get(name, []):
            base = os.path.basename(png)
            text += [f"![{os.path.splitext(base)[0]}]({base})", ""]
    for failure in failures:
        text += [f"Plot failed: {failure}", ""]
    readme = os.path.join(outdir, "README.md")
    with open(readme, "w") as f:
        f.write("\n".join(text).rstrip() + "\n")
    for failure in failures:
        print(f"summary: plot failed: {failure}", file=sys.stderr)
    return readme, not failures


def main(argv):
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("usage: bench/summary.py OUTDIR", file=sys.stderr)
        return 2
    if not os.path.isdir(argv[0]):
        print(f"summary.py: no such folder: {argv[0]}", file=sys.stderr)
        return 2
    readme, ok = build(argv[0])
    print(f"summary: {readme}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
