#!/usr/bin/env bash
# bench/run.sh - every benchmark, unikernel vs Linux guest, into one results folder.
#
#   bench/run.sh [--quick] OUTDIR
#
# What `make bench` and `make bench-quick` run. Each benchmark interleaves
# the two systems and writes OUTDIR/<name>.csv (raw samples) and <name>.md
# (medians, min-max, ratios; also printed); bench/summary.py then draws the
# PNGs and gathers everything into OUTDIR/README.md. --quick is a smoke
# run: few repetitions, small sizes, a few minutes. A benchmark that fails
# does not stop the others; the exit status says whether all of them ran.
set -u
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = --quick ] && { quick=1; shift; }
if [ $# -ne 1 ]; then
    echo "usage: bench/run.sh [--quick] OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out" || exit 2
# Every stage measures the build make bench was given: the scripts read
# BUILD, and the programs they compile link against it (hermit-cc).
export BUILD=${BUILD:-build}
export HERMIT_BUILD=${HERMIT_BUILD:-$PWD/$BUILD}

if [ $quick -eq 1 ]; then
    boot_args=(--runs 2)
    noise_args=(--smp 1 --repeat 1 --samples 100 --hourglass 2000000)
    traffic_args=(--repeat 1 --samples 200)
    syscalls_args=(--repeat 1)
    net_args=(--repeat 1 --rounds 100 --stream-mib 4)
    osu_args=(--quick)
    hosts_args=(--quick)
    icount_args=(--quick)
    openmp_args=(--repeat 1 --smp 2)
else
    boot_args=() noise_args=() traffic_args=() syscalls_args=() net_args=() osu_args=()
    hosts_args=() icount_args=() openmp_args=()
fi

# net-tcp: the same pair joined through a loopback TCP connection, the
# unprivileged way to link VMs on two hosts (host Nagle in the path).
# noise-traffic: FWQ on a compute core while MPI traffic runs on CPU 0.
# openmp: EPCC-style overheads of OpenMP constructs, 2 and 4 vCPUs.
stages=(boot noise noise-traffic syscalls openmp net net-tcp)
# OSU latency, bandwidth and allreduce on both systems (bench/osu/suite.py),
# the same across two test hosts (bench/osu/hosts.py, root only), then the
# deterministic companion: instructions per round trip under icount.
stages+=(osu hosts icount)
failed=()
start=$SECONDS
n=0
for stage in "${stages[@]}"; do
    n=$((n + 1))
    echo "== [$n/${#stages[@]}] $stage ($((SECONDS - start)) s elapsed) ==" >&2
    case $stage in
    boot)     bench/boot.py "${boot_args[@]}" "${BUILD:-build}/boottime.elf" "$out" ;;
    noise)    bench/noise/run.py "${noise_args[@]}" "$out" ;;
    noise-traffic) bench/noise/traffic.py "${traffic_args[@]}" "$out" ;;
    syscalls) bench/syscalls/run.py "${syscalls_args[@]}" "$out" ;;
    openmp)   bench/openmp/run.py "${openmp_args[@]}" "$out" ;;
    net)      bench/net/run.py "${net_args[@]}" "$out" ;;
    net-tcp)  bench/net/run.py --link tcp "${net_args[@]}" "$out" ;;
    osu)      bench/osu/suite.py "${osu_args[@]}" "$out" ;;
    hosts)    bench/osu/hosts.py "${hosts_args[@]}" "$out" ;;
    icount)   bench/osu/icount.py "${icount_args[@]}" "$out" ;;
    esac || failed+=("$stage")
done

echo "== plots and summary ($((SECONDS - start)) s elapsed) ==" >&2
bench/summary.py "$out" || failed+=(summary)
echo "bench: $out/README.md, $((SECONDS - start)) s in all" >&2
if [ ${#failed[@]} -gt 0 ]; then
    echo "bench: failed: ${failed[*]}" >&2
    exit 1
fi
