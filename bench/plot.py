#!/usr/bin/env python3
"""plot.py - PNG plots of benchmark CSVs with gnuplot (Debian's gnuplot-nox).

    bench/plot.py CSV [CSV...] OUTDIR

Knows the files the benchmarks write (bench/report.py's layout) by name:
  boot.csv       -> boot.png        host time to main and to exit, bars per system
  noise_fwq.csv  -> noise_hist.png  histogram of FWQ sample durations
  net.csv        -> net_latency.png one-way latency vs message size (log x)
                    net_stream.png  stream bandwidth, bars per system
  net-tcp.csv    -> the same two as net-tcp_*.png (the loopback TCP link)
and any CSV with the columns system, benchmark, size, value (OSU-style
rows, rep optional) -> <benchmark>.png if the benchmark's name starts with
the CSV's (osu.csv: osu_latency.png), else <csvname>_<benchmark>.png: one
line per system vs message size (log x; log y for latencies), median over
repetitions with min-max error bars. Prints the PNG paths it wrote.

gnuplot, not matplotlib: python3 here may be a pyenv build that cannot
import Debian's python3-matplotlib. Data goes to gnuplot inline (datablocks),
so no data files are left behind.
"""

import csv
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import report  # noqa: E402

COLORS = {"hermit": "#1f77b4", "linux": "#d62728"}
TERMINAL = "set terminal pngcairo size 900,540 noenhanced font 'sans,11'"


class PlotError(Exception):
    pass


def gnuplot(script):
    exe = shutil.which("gnuplot")
    if not exe:
        raise PlotError("gnuplot not found; run 'make deps' (installs gnuplot-nox)")
    out = subprocess.run([exe], input=script, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise PlotError(f"gnuplot failed: {out.stderr.strip()[-800:]}")


def block(name, lines):
    return f"${name} << EOD\n" + "\n".join(lines) + "\nEOD\n"


def quote(text):
    return "'" + str(text).replace("'", "''") + "'"


def label(system):
    return report.LABELS.get(system, system)


def bars(png, title, ylabel, groups, systems):
    """Clustered bars, median with a min-max error bar.

    groups: [(group label, {system: [values]})]."""
    lines, top = [], 0.0
    for name, by_system in groups:
        top = max([top] + [max(v) for v in by_system.values() if v])
        cols = ['"' + name.replace('"', "'") + '"']      # data files quote with "
        for s in systems:
            vals = by_system.get(s)
            cols += [str(x) for x in report.summary(vals)] if vals else ["NaN"] * 3
        lines.append(" ".join(cols))
    plots = [f"$d using {2 + 3 * i}:{3 + 3 * i}:{4 + 3 * i}"
             + (":xtic(1)" if i == 0 else "")
             + f" title {quote(label(s))} lc rgb {quote(COLORS.get(s, 'gray'))}"
             for i, s in enumerate(systems)]
    gnuplot(f"{TERMINAL}\nset output {quote(png)}\n" + block("d", lines) +
            f"set title {quote(title)}\nset ylabel {quote(ylabel)}\n"
            f"set yrange [0:{top * 1.1 if top > 0 else 1:.6g}]\n"
            "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
            "set style fill solid 0.8 border -1\nset boxwidth 0.9\nset key top left\n"
            "set grid ytics\nplot " + ", ".join(plots) + "\n")


def size_name(n):
    for unit, div in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n:g} B"


def size_tics(xs):
    """xtics at powers of two across xs, at most about ten, named like "64 KiB"."""
    lo, hi = max(1, int(min(xs))).bit_length() - 1, int(max(xs)).bit_length() - 1
    step = max(1, -(-(hi - lo) // 10))
    return "set xtics (" + ", ".join(f'"{size_name(1 << e)}" {1 << e}'
                                     for e in range(lo, hi + 1, step)) + ")\n"


def lines_plot(png, title, xlabel, ylabel, series, logy=False):
    """Lines vs a log-scale x (message sizes): series is {system: {x: [values]}}."""
    blocks, plots = "", []
    xs = [x for points in series.values() for x in points]
    for i, (s, points) in enumerate(series.items()):
        rows = [f"{x:g} " + " ".join(str(v) for v in report.summary(vals))
                for x, vals in sorted(points.items())]
        blocks += block(f"s{i}", rows)
        plots.append(f"$s{i} using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                     f"lc rgb {quote(COLORS.get(s, 'gray'))} title {quote(label(s))}")
    gnuplot(f"{TERMINAL}\nset output {quote(png)}\n" + blocks +
            f"set title {quote(title)}\nset xlabel {quote(xlabel)}\n"
            f"set ylabel {quote(ylabel)}\nset logscale x 2\n" + size_tics(xs)
            + ("set logscale y\n" if logy else "set yrange [0:*]\n") +
            "set key top left\nset grid\nplot " + ", ".join(plots) + "\n")


def histogram(png, title, xlabel, samples, bins=40):
    """Counts per duration bin for each system (log-scale counts): samples is
    {system: [values]}; the bins span the smallest to the largest value."""
    allv = [v for vals in samples.values() for v in vals]
    if not allv:
        raise PlotError("histogram: no samples")
    lo, hi = min(allv), max(allv)
    width = (hi - lo) / bins if hi > lo else 1.0
    blocks, plots = "", []
    share = 1.0 / max(1, len(samples))         # systems side by side within a bin
    top = 1
    for i, (s, vals) in enumerate(samples.items()):
        counts = [0] * bins
        for v in vals:
            counts[min(int((v - lo) / width), bins - 1)] += 1
        top = max(top, max(counts))
        rows = [f"{lo + (k + (i + 0.5) * share) * width:.6g} {c}"
                for k, c in enumerate(counts) if c]
        blocks += block(f"h{i}", rows)
        plots.append(f"$h{i} using 1:2 with boxes fs solid 0.8 "
                     f"lc rgb {quote(COLORS.get(s, 'gray'))} title {quote(label(s))}")
    gnuplot(f"{TERMINAL}\nset output {quote(png)}\n" + blocks +
            f"set title {quote(title)}\nset xlabel {quote(xlabel)}\nset ylabel 'samples'\n"
            f"set logscale y\nset yrange [0.8:{top * 2}]\nset boxwidth {width * share * 0.9:.6g}\n"
            "set key top right\nset grid ytics\nplot " + ", ".join(plots) + "\n")


def by_system(rows, metric, param=None):
    out = {}
    for r in rows:
        if r["metric"] == metric and (param is None or r["param"] == param):
            out.setdefault(r["system"], []).append(r["value"])
    return out


def systems_in(rows):
    seen = list(dict.fromkeys(r["system"] for r in rows))
    return [s for s in report.SYSTEMS if s in seen] + [s for s in seen if s not in report.SYSTEMS]


def plot_boot(path, outdir):
    rows = report.read_samples(path)
    groups = [(name, by_system(rows, metric))
              for metric, name in (("host_start_to_main", "host start -> main"),
                                   ("host_start_to_exit", "host start -> exit"))]
    png = os.path.join(outdir, "boot.png")
    bars(png, "Boot time (median, min-max)", "ms", groups, systems_in(rows))
    return [png]


def plot_noise(path, outdir):
    rows = [r for r in report.read_samples(path) if r["metric"] == "fwq_duration"]
    if not rows:
        raise PlotError(f"{path}: no fwq_duration rows")
    # The fewest vCPUs: with more, QEMU's round-robin turns dominate the tail.
    smp = min(r["param"].split()[0] for r in rows)
    rows = [r for r in rows if r["param"].split()[0] == smp]
    png = os.path.join(outdir, "noise_hist.png")
    histogram(png, f"FWQ sample durations, {smp}, all cores and runs",
              "quantum duration (ticks = guest instructions)",
              {s: [r["value"] for r in rows if r["system"] == s] for s in systems_in(rows)})
    return [png]


def plot_net(path, outdir):
    rows = report.read_samples(path)
    series = {}
    for r in rows:
        if r["metric"] == "pingpong_rtt":
            series.setdefault(r["system"], {}).setdefault(float(r["param"]), []).append(
                r["value"] / 2)
    stem = os.path.splitext(os.path.basename(path))[0]         # net, or net-tcp for that link
    link = " (loopback TCP link)" if stem == "net-tcp" else ""
    lat = os.path.join(outdir, f"{stem}_latency.png")
    lines_plot(lat, "TCP one-way latency vs message size" + link, "message size", "latency (us)",
               {s: series[s] for s in systems_in(rows) if s in series}, logy=True)
    bw = os.path.join(outdir, f"{stem}_stream.png")
    bars(bw, "TCP stream bandwidth" + link, "MB/s", [("stream", by_system(rows, "stream_bw"))],
         systems_in(rows))
    return [lat, bw]


def read_osu(path):
    """OSU-style rows: system, benchmark, size, value (rep optional)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    need = {"system", "benchmark", "size", "value"}
    if not rows or not need <= set(rows[0]):
        raise PlotError(f"{path}: needs the columns {', '.join(sorted(need))}")
    return [dict(system=r["system"], benchmark=r["benchmark"], size=float(r["size"]),
                 value=float(r["value"])) for r in rows]


def osu_unit(benchmark):
    return ("bandwidth (MB/s)", False) if "bw" in benchmark else ("latency (us)", True)


def plot_osu(path, outdir):
    rows = read_osu(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    pngs = []
    for bench in dict.fromkeys(r["benchmark"] for r in rows):
        series = {}
        for r in rows:
            if r["benchmark"] == bench:
                series.setdefault(r["system"], {}).setdefault(r["size"], []).append(r["value"])
        ylabel, logy = osu_unit(bench)
        if any(v <= 0 for pts in series.values() for vals in pts.values() for v in vals):
            logy = False
        png = os.path.join(outdir, (bench if bench.startswith(stem) else f"{stem}_{bench}")
                           + ".png")
        order = systems_in([dict(system=s) for s in series])
        lines_plot(png, f"{bench} vs message size", "message size", ylabel,
                   {s: series[s] for s in order}, logy=logy)
        pngs.append(png)
    return pngs


def osu_table(path):
    """Markdown table of an OSU-style CSV: median [min–max] per size, ratio."""
    rows = [report.sample(r["system"], r["benchmark"], r["value"], 0, f"{r['size']:.0f}")
            for r in read_osu(path)]
    specs = [dict(metric=s["metric"], param=s["param"], label=f"{s['metric']} {s['param']} B")
             for s in report.specs_for(rows)]
    return report.table(rows, specs)


PLOTTERS = {"boot.csv": plot_boot, "noise_fwq.csv": plot_noise, "net.csv": plot_net,
            "net-tcp.csv": plot_net}


def is_osu(path):
    with open(path, newline="") as f:
        head = next(csv.reader(f), [])
    return "benchmark" in head and "size" in head


def plot_file(path, outdir):
    """The PNGs made from one CSV ([] when the file is not one we plot)."""
    name = os.path.basename(path)
    if name in PLOTTERS:
        return PLOTTERS[name](path, outdir)
    if is_osu(path):
        return plot_osu(path, outdir)
    return []


def main(argv):
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        print("usage: bench/plot.py CSV [CSV...] OUTDIR", file=sys.stderr)
        return 2
    *paths, outdir = argv
    os.makedirs(outdir, exist_ok=True)
    for path in paths:
        if not os.path.isfile(path):
            print(f"plot.py: no such file: {path}", file=sys.stderr)
            return 2
        try:
            pngs = plot_file(path, outdir)
        except (PlotError, ValueError, KeyError) as e:
            print(f"plot.py: {path}: {e}", file=sys.stderr)
            return 1
        if not pngs:
            print(f"plot.py: {path}: not a CSV this script knows how to plot", file=sys.stderr)
            return 1
        print("\n".join(pngs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
