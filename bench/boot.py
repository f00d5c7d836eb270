#!/usr/bin/env python3
"""boot.py - boot time to main() and image size of a HermitCore-C image.

    bench/boot.py [--runs N] [--machine M] IMAGE [CSV]

Boots IMAGE (bench/boottime.c linked with the kernel) N times through
bin/hermit-run and reports medians with min and max of:
  guest  - kernel entry to main(), from the guest TSC (printed by the image)
  main   - host wall clock from starting hermit-run to the image's line
  total  - host wall clock for the whole run, QEMU start to exit
Under TCG these are emulated timings: compare them only with a Linux guest
measured in the same run (the benchmark issue adds that baseline).
"""

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "..", "bin", "hermit-run")


def one_boot(image, machine):
    start = time.monotonic()
    proc = subprocess.Popen([RUN, "--machine", machine, "--timeout", "60", image],
                            stdout=subprocess.PIPE, text=True)
    guest_us = main_ms = None
    for line in proc.stdout:
        m = re.match(r"boot-to-main: (\d+) cycles (\d+) us", line)
        if m:
            main_ms = (time.monotonic() - start) * 1000
            guest_us = int(m.group(2))
    rc = proc.wait()
    total_ms = (time.monotonic() - start) * 1000
    if rc != 0 or guest_us is None:
        sys.exit(f"boot.py: run failed (status {rc}) or printed no boot-to-main line")
    return guest_us, main_ms, total_ms


def summary(values):
    return statistics.median(values), min(values), max(values)


def main():
    p = argparse.ArgumentParser(description="Boot time to main() and image size.")
    p.add_argument("image")
    p.add_argument("csv", nargs="?", help="also write the samples here")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--machine", default="pc", choices=("pc", "q35", "microvm"))
    args = p.parse_args()
    if not os.path.exists(args.image):
        sys.exit(f"boot.py: image not found: {args.image}")

    samples = []
    for i in range(args.runs):
        samples.append(one_boot(args.image, args.machine))
        print(f"\rboot {i + 1}/{args.runs}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    size = os.path.getsize(args.image)
    loaded = subprocess.run(["size", args.image], capture_output=True, text=True).stdout
    print(f"# Boot to main: {os.path.basename(args.image)}, {args.runs} runs, "
          f"machine {args.machine}, median (min-max)")
    print("| metric | median | min | max |")
    print("|---|---|---|---|")
    for idx, (name, unit) in enumerate((("guest entry -> main", "us"),
                                        ("host start -> main", "ms"),
                                        ("host start -> exit", "ms"))):
        med, lo, hi = summary([s[idx] for s in samples])
        print(f"| {name} | {med:.1f} {unit} | {lo:.1f} | {hi:.1f} |")
    print(f"\nimage file size: {size} bytes")
    print(loaded.strip())
    if args.csv:
        os.makedirs(os.path.dirname(os.path.abspath(args.csv)), exist_ok=True)
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["run", "guest_entry_to_main_us", "host_to_main_ms", "host_total_ms"])
            for i, s in enumerate(samples):
                w.writerow([i + 1, s[0], f"{s[1]:.2f}", f"{s[2]:.2f}"])


if __name__ == "__main__":
    main()
